"""security.py: the effective securityContext and kubelet's runAsNonRoot wording (sans-IO)."""

from __future__ import annotations

from podlab.runtime.confinement import DEFAULT_CAPABILITIES, DEFAULT_CAPABILITY_MASK
from podlab.runtime.security import (
    Identity,
    capability_mask,
    capability_set,
    effective,
    verify_run_as_non_root,
)

POD = "web_default(0000)"


def test_container_fields_win_and_groups_gather_primary_supplemental_and_fs_group() -> None:
    pod = {
        "spec": {
            "securityContext": {"runAsUser": 5, "runAsGroup": 7, "supplementalGroups": [9, 7], "fsGroup": 8}
        }
    }
    sec = effective(pod, {"securityContext": {"runAsUser": 6}})
    assert sec.identity == Identity(uid=6, gid=7, groups=(7, 8, 9))
    assert effective({"spec": {}}, {}).identity is None
    assert set(effective({"spec": {}}, {}).capabilities) == set(DEFAULT_CAPABILITIES)


def test_capabilities_follow_containerds_order() -> None:
    assert capability_mask(capability_set([], [])) == DEFAULT_CAPABILITY_MASK
    assert capability_set(["NET_BIND_SERVICE"], ["ALL"]) == ("CAP_NET_BIND_SERVICE",)
    everything_but_chown = capability_set(["ALL"], ["CHOWN"])
    assert "CAP_CHOWN" not in everything_but_chown and "CAP_SYS_ADMIN" in everything_but_chown
    assert capability_set(["cap_net_admin"], ["net_raw"]).count("CAP_NET_ADMIN") == 1


def test_run_as_non_root_wording() -> None:
    pod = {"spec": {"securityContext": {"runAsNonRoot": True}}}
    c = {"name": "app"}
    assert verify_run_as_non_root(pod, c, POD) == (
        'container has runAsNonRoot and image will run as root (pod: "web_default(0000)", container: app)'
    )
    assert verify_run_as_non_root(pod, c, POD, image_user="wiremock") == (
        "container has runAsNonRoot and image has non-numeric user (wiremock), cannot verify user is non-root "
        '(pod: "web_default(0000)", container: app)'
    )
    assert verify_run_as_non_root(pod, c, POD, image_user="1000") is None
    assert verify_run_as_non_root(pod, {"name": "app", "securityContext": {"runAsUser": 1000}}, POD) is None
    assert verify_run_as_non_root({"spec": {}}, c, POD) is None
