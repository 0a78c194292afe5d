"""StatefulSet, PersistentVolumeClaim and StorageClass validation and defaults: the API server's
paths and words (pkg/apis/apps/validation, pkg/apis/core/validation, pkg/apis/storage/validation),
and DefaultStorageClass admission."""

from __future__ import annotations

import copy
from typing import Any

from podlab.k8s import apply_defaults, invalid_message, validate
from podlab.k8s.storage_classes import admit_claim, standard_class


def sts(**spec: Any) -> dict[str, Any]:
    return apply_defaults(
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "serviceName": "web",
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "c",
                                "image": "nginx",
                                "volumeMounts": [{"name": "data", "mountPath": "/d"}],
                            }
                        ]
                    },
                },
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "1Gi"}},
                        },
                    }
                ],
                **spec,
            },
        }
    )


def pvc(**spec: Any) -> dict[str, Any]:
    return apply_defaults(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "default"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, **spec},
        }
    )


def test_statefulset_defaults() -> None:
    spec = sts()["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 0, "maxUnavailable": 1},
    }
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["replicas"] == 1 and spec["revisionHistoryLimit"] == 10
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem" and claim["status"] == {"phase": "Pending"}


def test_a_valid_statefulset_mounting_its_claim_template() -> None:
    assert validate(sts()) == []


def test_claim_template_without_access_modes_or_storage() -> None:
    s = sts()
    s["spec"]["volumeClaimTemplates"][0]["spec"] = {"volumeMode": "Filesystem"}
    assert [str(e) for e in validate(s)] == [
        "spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required",
        "spec.volumeClaimTemplates[0].spec.resources[storage]: Required value",
    ]


def test_unsupported_pod_management_policy() -> None:
    s = sts(podManagementPolicy="Sometimes")
    texts = [str(e) for e in validate(s)]
    assert texts == [
        'spec.podManagementPolicy: Unsupported value: "Sometimes": supported values: "OrderedReady", "Parallel"'
    ]


def test_statefulset_update_of_a_forbidden_field() -> None:
    old = sts()
    new = copy.deepcopy(old)
    new["spec"]["serviceName"] = "other"
    errs = validate(new, old)
    assert invalid_message(new, errs) == (
        'StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other '
        "than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
        "and 'minReadySeconds' are forbidden"
    )
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 5
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert validate(new, old) == []


def test_claim_spec_is_immutable_but_binding_sets_the_volume_once() -> None:
    old = pvc()
    bound = copy.deepcopy(old)
    bound["spec"]["volumeName"] = "pvc-1"
    assert validate(bound, old) == []
    changed = copy.deepcopy(bound)
    changed["spec"]["accessModes"] = ["ReadWriteMany"]
    assert [str(e) for e in validate(changed, bound)] == [
        "spec: Forbidden: spec is immutable after creation except resources.requests and "
        "volumeAttributesClassName for bound claims"
    ]


def test_storageclass_defaults_and_updates() -> None:
    sc = apply_defaults(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "x"},
            "provisioner": "p",
        }
    )
    assert sc["reclaimPolicy"] == "Delete" and sc["volumeBindingMode"] == "Immediate"
    assert validate(sc) == []
    new = copy.deepcopy(sc)
    new["parameters"] = {"a": "b"}
    new["provisioner"] = "q"
    assert [str(e) for e in validate(new, sc)] == [
        "parameters: Forbidden: updates to parameters are forbidden.",
        "provisioner: Forbidden: updates to provisioner are forbidden.",
    ]


def test_default_storage_class_admission() -> None:
    standard = standard_class()
    claim = pvc()
    admit_claim(claim, [standard])
    assert claim["spec"]["storageClassName"] == "standard"
    explicit = pvc(storageClassName="")
    admit_claim(explicit, [standard])
    assert explicit["spec"]["storageClassName"] == ""  # "" asks for no class
    other = pvc()
    admit_claim(other, [{**standard, "metadata": {"name": "plain"}}])
    assert "storageClassName" not in other["spec"]


def test_a_claim_asking_no_storage() -> None:
    assert [str(e) for e in validate(pvc(resources={"requests": {"storage": "0"}}))] == [
        'spec.resources[storage]: Invalid value: "0": must be greater than zero'
    ]
