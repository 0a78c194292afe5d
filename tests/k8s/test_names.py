"""pod-template-hash and generated names: Kubernetes' alphabet and lengths."""

from __future__ import annotations

import re

from podlab.k8s import pod_template_hash, random_suffix
from podlab.k8s.names import ALPHANUMS, generate_name, safe_encode_string


def test_safe_encode_string_maps_digits_like_kubernetes() -> None:
    # docs/reference/kubelet-probes.md §8: digits map 0→4, 1→5, 2→6, 3→7, 4→8, 5→9, 6→b, 7→c, 8→d, 9→f
    assert safe_encode_string("0123456789") == "456789bcdf"


def test_template_hash_alphabet_length_and_stability() -> None:
    template = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
    }
    h = pod_template_hash(template, None)
    assert re.fullmatch(r"[4-9bcdf]{1,10}", h)
    assert h == pod_template_hash({"spec": template["spec"], "metadata": template["metadata"]}, None)
    changed = {
        "metadata": template["metadata"],
        "spec": {"containers": [{"name": "nginx", "image": "nginx:2"}]},
    }
    assert pod_template_hash(changed, None) != h
    assert pod_template_hash(template, 1) != h
    assert pod_template_hash(template, 0) != h  # a collision count of 0 is still hashed in


def test_random_suffix_and_generate_name() -> None:
    seen = {random_suffix() for _ in range(200)}
    assert len(seen) > 190
    assert all(len(s) == 5 and set(s) <= set(ALPHANUMS) for s in seen)
    name = generate_name("x" * 70 + "-")
    assert len(name) == 63 and name.startswith("x" * 58)
