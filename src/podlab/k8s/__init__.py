"""Kubernetes object model helpers, no I/O: decode, registry, strict fields, defaults, validation,
names and hashes, patches, Table printers. Objects are plain JSON-shaped dicts."""

from podlab.k8s.defaults import apply_defaults
from podlab.k8s.duration import human_duration
from podlab.k8s.errors import FieldError, ManifestError, Obj, invalid_message, invalid_status
from podlab.k8s.manifests import load_manifests
from podlab.k8s.names import pod_template_hash, random_suffix
from podlab.k8s.patch import PatchError, json_merge_patch, json_patch, strategic_merge_patch
from podlab.k8s.printers import to_table
from podlab.k8s.resources import RESOURCES, ResourceInfo, resource_for, resource_for_key
from podlab.k8s.schema import unknown_field_message, unknown_fields
from podlab.k8s.selectors import selector_matches, selector_string
from podlab.k8s.validation import validate

__all__ = [
    "RESOURCES",
    "FieldError",
    "ManifestError",
    "Obj",
    "PatchError",
    "ResourceInfo",
    "apply_defaults",
    "human_duration",
    "invalid_message",
    "invalid_status",
    "json_merge_patch",
    "json_patch",
    "load_manifests",
    "pod_template_hash",
    "random_suffix",
    "resource_for",
    "resource_for_key",
    "selector_matches",
    "selector_string",
    "strategic_merge_patch",
    "to_table",
    "unknown_field_message",
    "unknown_fields",
    "validate",
]
