"""Field-selector labels a kind accepts (the registries' GetAttrs / field label conversions).

The store can filter on any dotted path, but the real apiserver refuses unknown field labels
with `field label not supported: <label>`; answering the same keeps typos from silently
matching nothing. Which labels each kind has is a column of the kind registry
(`podlab.k8s.resources`).
"""

from __future__ import annotations

from podlab.k8s.resources import ResourceInfo
from podlab.store import BadRequest, FieldSelector


def check_field_selector(resource: ResourceInfo, selector: str | None) -> None:
    """Raise BadRequest (400) for a field label the kind does not support."""
    for requirement in FieldSelector.parse(selector).requirements:
        if not resource.supports_field_label(requirement.path):
            raise BadRequest(f"field label not supported: {requirement.path}")
