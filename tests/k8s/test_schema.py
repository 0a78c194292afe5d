"""Strict field validation: unknown_fields paths as fieldValidation=Strict names them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podlab.k8s import load_manifests, unknown_field_message, unknown_fields

# The project keeps the reference manifests exactly as the post gives them.
SEED_DIR = Path(__file__).resolve().parents[2] / "examples" / "seed"


def test_reference_manifests_have_no_unknown_fields() -> None:
    for name in ("wiremock-liveness.yaml", "deployment.wiremock.yaml"):
        for obj in load_manifests((SEED_DIR / name).read_text(), name):
            assert unknown_fields(obj) == []


def test_unknown_fields_with_list_indexes() -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x", "lables": {}},
        "spec": {
            "foo": 1,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "a", "image": "i"},
                        {
                            "name": "b",
                            "image": "i",
                            "livenessProbe": {"httpGet": {"path": "/", "port": 80, "bogus": 1}},
                            "imagePullpolicy": "x",
                        },
                    ]
                }
            },
        },
    }
    assert unknown_fields(obj) == [
        "metadata.lables",
        "spec.foo",
        "spec.template.spec.containers[1].livenessProbe.httpGet.bogus",
        "spec.template.spec.containers[1].imagePullpolicy",
    ]
    assert unknown_field_message("spec.foo") == 'unknown field "spec.foo"'


def test_maps_accept_any_keys_and_deep_structs_are_checked() -> None:
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "p",
            "labels": {"anything": "x"},
            "annotations": {"a/b": "c"},
            "managedFields": [{"manager": "m", "fieldsV1": {"f:metadata": {}}}],
        },
        "spec": {
            "affinity": {"nodeAffinity": {}},
            "containers": [
                {"name": "c", "image": "i", "resources": {"limits": {"cpu": "1", "example.com/gpu": 1}}}
            ],
            "volumes": [
                {"name": "v", "configMap": {"name": "cm", "items": [{"key": "k", "path": "p", "mode": 420}]}}
            ],
        },
    }
    assert unknown_fields(pod) == []
    pod["spec"]["volumes"][0]["configMap"]["items"][0]["moed"] = 1
    assert unknown_fields(pod) == ["spec.volumes[0].configMap.items[0].moed"]
    # Upstream's types reach everywhere: deep structs are checked as kube-apiserver checks them,
    # and fields newer than podlab's own table (schema.yaml, 1.33) are known.
    pod["spec"]["affinity"]["nodeAffinity"]["whatever"] = True
    pod["spec"]["hostnameOverride"] = "h"
    pod["spec"]["containers"][0]["restartPolicyRules"] = [{"action": "Restart"}]
    assert unknown_fields(pod) == [
        "spec.affinity.nodeAffinity.whatever",
        "spec.volumes[0].configMap.items[0].moed",
    ]
    assert unknown_fields(pod, prune=True) and "whatever" not in pod["spec"]["affinity"]["nodeAffinity"]


def test_configmap_top_level_and_unknown_kind() -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "immutable": True,
        "data": {},
        "spec": {},
    }
    assert unknown_fields(cm) == ["spec"]
    assert unknown_fields({"apiVersion": "x/v1", "kind": "Widget", "foo": 1}) == []


# Fields the official client (generated from Kubernetes 1.37) has and 1.33 does not.
_AFTER_1_33 = {
    "ListMeta": {"shardInfo"},
    "JobSpec": {"scheduling"},
    "PodSpec": {"evictionResponders", "hostnameOverride", "schedulingGroup"},
    "Container": {"restartPolicyRules"},
    "EnvVarSource": {"fileKeyRef"},
    "VolumeMount": {"bindMountOptions"},
    "HTTPGetAction": {"protocol"},
    "GRPCAction": {"mode"},
    "EmptyDirVolumeSource": {"mode"},
    "KeyToPath": {"user"},
    "SecretVolumeSource": {"defaultUser"},
    "ConfigMapVolumeSource": {"defaultUser"},
    "DownwardAPIVolumeSource": {"defaultUser"},
    "DownwardAPIVolumeFile": {"user"},
    "ProjectedVolumeSource": {"defaultUser"},
    "VolumeProjection": {"podCertificate"},
    "ServiceAccountTokenProjection": {"user"},
    "PodStatus": {
        "allocatedResources",
        "extendedResourceClaimStatus",
        "nodeAllocatableResourceClaimStatuses",
        "resources",
        "volumeHealth",
    },
}
_CLIENT_NAMES = {
    "Event": "CoreV1Event",
    "EventSeries": "CoreV1EventSeries",
    "PVCVolumeSource": "V1PersistentVolumeClaimVolumeSource",
    "KeySelector": "V1ConfigMapKeySelector",
    "ResourceClaim": "CoreV1ResourceClaim",
    "HorizontalPodAutoscaler": "V2HorizontalPodAutoscaler",
    "HorizontalPodAutoscalerSpec": "V2HorizontalPodAutoscalerSpec",
    "CrossVersionObjectReference": "V2CrossVersionObjectReference",
    "MetricSpec": "V2MetricSpec",
    "ResourceMetricSource": "V2ResourceMetricSource",
    "MetricTarget": "V2MetricTarget",
}


def test_field_table_matches_the_official_client_models() -> None:
    """schema.yaml against the models of the `kubernetes` client: no misspelt field, and every
    field the client knows is either in the table or listed above as newer than 1.33."""
    from kubernetes.client import models

    from podlab.k8s.schema import schema

    checked = 0
    for name, fields in schema().types.items():
        if name == "List":
            continue
        cls = getattr(models, _CLIENT_NAMES.get(name, "V1" + name), None)
        if cls is None:
            continue
        theirs = set(cls.attribute_map.values())
        assert set(fields) - theirs == set(), name
        assert theirs - set(fields) == _AFTER_1_33.get(name, set()), name
        checked += 1
    assert checked >= 80
