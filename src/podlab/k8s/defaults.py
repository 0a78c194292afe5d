"""API-server defaulting (k8s pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go), plus the
few admission and strategy steps whose results `kubectl get -o yaml` shows on every real object."""

from __future__ import annotations

import base64
import copy
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.quantity import is_quantity
from podlab.k8s.validation_rbac import default_binding

DEFAULT_MODE = 420  # 0644: SecretVolumeSourceDefaultMode, ConfigMapVolumeSourceDefaultMode, ...
DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
_VOLUME_SOURCES_WITH_MODE = ("configMap", "secret", "downwardAPI", "projected")


def image_pull_policy_for(image: str) -> str:
    """SetDefaults_Container: `Always` for `:latest` or no tag (and no digest), else `IfNotPresent`."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _child(obj: Obj, key: str) -> Obj | None:
    """The object at key, created when absent or null; None when it has the wrong type (left for
    validation to report, not overwritten)."""
    value = obj.get(key)
    if value is None:
        value = obj[key] = {}
    return value if isinstance(value, dict) else None


def _dicts(value: Any) -> list[Obj]:
    """The object elements of a list field; anything else (wrong types) yields nothing."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _setdefault(obj: Obj, key: str, value: Any) -> None:
    if obj.get(key) in (None, ""):
        obj[key] = value


def default_probe(probe: Obj) -> None:
    # SetDefaults_Probe: 0 (or absent) becomes the default, so periodSeconds: 0 is 10, not an error.
    for key, value in (
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ):
        if not probe.get(key):
            probe[key] = value
    default_handler(probe)
    grpc = probe.get("grpc")
    if isinstance(grpc, dict) and grpc.get("service") is None:
        grpc["service"] = ""  # api core/v1 types.go: `// +default=""`


def default_handler(handler: Obj) -> None:
    http = handler.get("httpGet")
    if isinstance(http, dict):
        _setdefault(http, "path", "/")
        _setdefault(http, "scheme", "HTTP")


def _default_field_ref(holder: Any) -> None:
    if isinstance(holder, dict) and isinstance(holder.get("fieldRef"), dict):
        _setdefault(holder["fieldRef"], "apiVersion", "v1")


def default_container(c: Obj) -> None:
    image = c.get("image")
    if isinstance(image, str) and image:
        _setdefault(c, "imagePullPolicy", image_pull_policy_for(image))
    _setdefault(c, "terminationMessagePath", "/dev/termination-log")
    _setdefault(c, "terminationMessagePolicy", "File")
    if c.get("resources") is None:
        c["resources"] = {}
    for port in _dicts(c.get("ports")):
        _setdefault(port, "protocol", "TCP")
    for env in _dicts(c.get("env")):
        _default_field_ref(env.get("valueFrom"))
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(c.get(kind), dict):
            default_probe(c[kind])
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                default_handler(lifecycle[hook])


def default_volume(v: Obj) -> None:
    sources = [k for k in v if k != "name"]
    if not sources:
        v["emptyDir"] = {}  # SetDefaults_Volume
    for kind in _VOLUME_SOURCES_WITH_MODE:
        src = v.get(kind)
        if isinstance(src, dict):
            _setdefault(src, "defaultMode", DEFAULT_MODE)
    downward = v.get("downwardAPI")
    if isinstance(downward, dict):
        for item in _dicts(downward.get("items")):
            _default_field_ref(item)
    projected = v.get("projected")
    if isinstance(projected, dict):
        for source in _dicts(projected.get("sources")):
            if isinstance(source.get("downwardAPI"), dict):
                for item in _dicts(source["downwardAPI"].get("items")):
                    _default_field_ref(item)
    host_path = v.get("hostPath")
    if isinstance(host_path, dict) and host_path.get("type") is None:
        host_path["type"] = ""


def default_pod_spec(spec: Obj) -> None:
    _setdefault(spec, "restartPolicy", "Always")
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
    _setdefault(spec, "dnsPolicy", "ClusterFirst")
    _setdefault(spec, "schedulerName", "default-scheduler")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    for kind in ("initContainers", "containers"):
        for c in _dicts(spec.get(kind)):
            default_container(c)
    for v in _dicts(spec.get("volumes")):
        default_volume(v)


def _copy_limits_to_requests(spec: Obj) -> None:
    # SetDefaults_Pod: requests default to limits where a limit is set and the request is not.
    for kind in ("initContainers", "containers"):
        for c in _dicts(spec.get(kind)):
            res = c.get("resources")
            if isinstance(res, dict) and isinstance(res.get("limits"), dict) and res["limits"]:
                requests = _child(res, "requests")
                if requests is not None:
                    for name, value in res["limits"].items():
                        if is_quantity(value):  # a malformed one is reported once, on limits
                            requests.setdefault(name, value)


def qos_class(spec: Obj) -> str:
    """GetPodQOS, simplified to the cpu/memory rules: Guaranteed, Burstable or BestEffort."""
    any_set = False
    guaranteed = True
    for c in _dicts(spec.get("containers")) + _dicts(spec.get("initContainers")):
        res: Obj = c["resources"] if isinstance(c.get("resources"), dict) else {}
        limits: Obj = res["limits"] if isinstance(res.get("limits"), dict) else {}
        requests: Obj = res["requests"] if isinstance(res.get("requests"), dict) else {}
        if limits or requests:
            any_set = True
        for name in ("cpu", "memory"):
            if name not in limits or str(limits.get(name)) != str(requests.get(name, limits.get(name))):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _default_pod(obj: Obj) -> None:
    spec = _child(obj, "spec")
    if spec is None:
        return
    default_pod_spec(spec)
    _copy_limits_to_requests(spec)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True  # SetDefaults_Pod
    # Admission plugins every real cluster runs: ServiceAccount, Priority, DefaultTolerationSeconds.
    _setdefault(spec, "serviceAccountName", "default")
    _setdefault(spec, "serviceAccount", spec["serviceAccountName"])
    if spec.get("priority") is None:
        spec["priority"] = 0
    if spec.get("tolerations") is None:
        spec["tolerations"] = []
    tolerations = spec["tolerations"]
    if isinstance(tolerations, list):
        keys = {t.get("key") for t in _dicts(tolerations)}
        for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
            if key not in keys:
                tolerations.append(
                    {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
                )
    # Pod strategy PrepareForCreate: a new pod is Pending with its QoS class.
    status = _child(obj, "status")
    if status is not None:
        _setdefault(status, "phase", "Pending")
        _setdefault(status, "qosClass", qos_class(spec))


def _default_template(holder: Obj) -> None:
    template = holder.get("template")
    if isinstance(template, dict):
        spec = _child(template, "spec")
        if spec is not None:
            default_pod_spec(spec)


def _default_deployment(obj: Obj) -> None:
    spec = _child(obj, "spec")
    if spec is None:
        return
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = _child(spec, "strategy")
    if strategy is not None:
        _setdefault(strategy, "type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = _child(strategy, "rollingUpdate")
            if rolling is not None:
                _setdefault(rolling, "maxUnavailable", "25%")
                _setdefault(rolling, "maxSurge", "25%")
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    _default_template(spec)


def _default_replicaset(obj: Obj) -> None:
    spec = _child(obj, "spec")
    if spec is None:
        return
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _default_template(spec)


def _default_statefulset(obj: Obj) -> None:
    """SetDefaults_StatefulSet (k8s pkg/apis/apps/v1/defaults.go); MaxUnavailableStatefulSet is
    beta (on) since 1.35, StatefulSetAutoDeletePVC GA since 1.32. Claim templates get the claim
    defaults (SetDefaults_PersistentVolumeClaim: volumeMode Filesystem, phase Pending)."""
    spec = _child(obj, "spec")
    if spec is None:
        return
    _setdefault(spec, "podManagementPolicy", "OrderedReady")
    strategy = _child(spec, "updateStrategy")
    if strategy is not None:
        if not strategy.get("type"):
            strategy["type"] = "RollingUpdate"
            _child(strategy, "rollingUpdate")
        rolling = strategy.get("rollingUpdate")
        if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
            _setdefault(rolling, "partition", 0)
            _setdefault(rolling, "maxUnavailable", 1)
    retention = _child(spec, "persistentVolumeClaimRetentionPolicy")
    if retention is not None:
        _setdefault(retention, "whenDeleted", "Retain")
        _setdefault(retention, "whenScaled", "Retain")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    for claim in _dicts(spec.get("volumeClaimTemplates")):
        claim_spec = _child(claim, "spec")
        if claim_spec is not None:
            _setdefault(claim_spec, "volumeMode", "Filesystem")
        claim_status = _child(claim, "status")
        if claim_status is not None:
            _setdefault(claim_status, "phase", "Pending")
    _default_template(spec)


def _default_pvc(obj: Obj) -> None:
    """SetDefaults_PersistentVolumeClaim (k8s pkg/apis/core/v1/defaults.go)."""
    spec = _child(obj, "spec")
    if spec is not None:
        _setdefault(spec, "volumeMode", "Filesystem")
    status = _child(obj, "status")
    if status is not None:
        _setdefault(status, "phase", "Pending")


def _default_pv(obj: Obj) -> None:
    """SetDefaults_PersistentVolume: Retain unless said, Filesystem, phase Pending."""
    spec = _child(obj, "spec")
    if spec is not None:
        _setdefault(spec, "persistentVolumeReclaimPolicy", "Retain")
        _setdefault(spec, "volumeMode", "Filesystem")
    status = _child(obj, "status")
    if status is not None:
        _setdefault(status, "phase", "Pending")


def _default_storageclass(obj: Obj) -> None:
    """SetDefaults_StorageClass (k8s pkg/apis/storage/v1/defaults.go)."""
    _setdefault(obj, "reclaimPolicy", "Delete")
    _setdefault(obj, "volumeBindingMode", "Immediate")


def _default_job(obj: Obj) -> None:
    """SetDefaults_Job (k8s pkg/apis/batch/v1/defaults.go)."""
    spec = _child(obj, "spec")
    if spec is None:
        return
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2**31 - 1 if spec.get("backoffLimitPerIndex") is not None else 6
    _setdefault(spec, "completionMode", "NonIndexed")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    replacement = "Failed" if spec.get("podFailurePolicy") is not None else "TerminatingOrFailed"
    _setdefault(spec, "podReplacementPolicy", replacement)
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        for rule in _dicts(policy.get("rules")):
            for pattern in _dicts(rule.get("onPodConditions")):
                _setdefault(pattern, "status", "True")
    _default_template(spec)


def _default_cronjob(obj: Obj) -> None:
    """SetDefaults_CronJob (k8s pkg/apis/batch/v1/defaults.go); the job template's pod spec gets
    the pod defaults (the Job-level ones apply when the controller creates the Job)."""
    spec = _child(obj, "spec")
    if spec is None:
        return
    _setdefault(spec, "concurrencyPolicy", "Allow")
    for key, value in (("suspend", False), ("successfulJobsHistoryLimit", 3), ("failedJobsHistoryLimit", 1)):
        if spec.get(key) is None:
            spec[key] = value
    template = spec.get("jobTemplate")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        _default_template(template["spec"])


def _default_daemonset(obj: Obj) -> None:
    """SetDefaults_DaemonSet (k8s pkg/apis/apps/v1/defaults.go)."""
    spec = _child(obj, "spec")
    if spec is None:
        return
    strategy = _child(spec, "updateStrategy")
    if strategy is not None:
        _setdefault(strategy, "type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = _child(strategy, "rollingUpdate")
            if rolling is not None:
                _setdefault(rolling, "maxUnavailable", 1)
                _setdefault(rolling, "maxSurge", 0)
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    _default_template(spec)


def _default_secret(obj: Obj) -> None:
    _setdefault(obj, "type", "Opaque")
    # v1 -> internal conversion: stringData is written over data and never stored.
    string_data = obj.get("stringData")
    if not isinstance(string_data, dict) or not all(isinstance(v, str) for v in string_data.values()):
        return  # a wrong type is left for validation to report
    obj.pop("stringData")
    data = _child(obj, "data")
    if data is not None:
        for key, value in string_data.items():
            data[key] = base64.b64encode(value.encode()).decode()


def _default_namespace(obj: Obj) -> None:
    meta = _child(obj, "metadata")
    name = meta.get("name") if meta is not None else None
    if meta is not None and isinstance(name, str) and name:
        # SetDefaults_Namespace: the immutable kubernetes.io/metadata.name label.
        labels = _child(meta, "labels")
        if labels is not None:
            labels["kubernetes.io/metadata.name"] = name
    spec = _child(obj, "spec")
    if spec is not None and not spec.get("finalizers"):
        spec["finalizers"] = ["kubernetes"]
    status = _child(obj, "status")
    if status is not None:
        _setdefault(status, "phase", "Active")


def _default_service(obj: Obj) -> None:
    spec = _child(obj, "spec")
    if spec is None:
        return
    _setdefault(spec, "type", "ClusterIP")
    _setdefault(spec, "sessionAffinity", "None")
    stype = spec.get("type")
    # SetDefaults_Service (k8s pkg/apis/core/v1/defaults.go).
    if stype != "ExternalName":
        _setdefault(spec, "internalTrafficPolicy", "Cluster")
    if stype in ("NodePort", "LoadBalancer"):
        _setdefault(spec, "externalTrafficPolicy", "Cluster")
    if stype == "LoadBalancer":
        _setdefault(spec, "allocateLoadBalancerNodePorts", True)
    if spec.get("sessionAffinity") == "ClientIP":
        config = _child(spec, "sessionAffinityConfig")
        client_ip = _child(config, "clientIP") if config is not None else None
        if client_ip is not None:
            _setdefault(client_ip, "timeoutSeconds", 10800)  # DefaultClientIPServiceAffinitySeconds
    for port in _dicts(spec.get("ports")):
        _setdefault(port, "protocol", "TCP")
        if port.get("targetPort") in (None, "", 0):
            port["targetPort"] = port.get("port")


def _default_configmap(obj: Obj) -> None:
    if obj.get("data") is None and obj.get("binaryData") is None:
        obj["data"] = {}


def _default_hpa(obj: Obj) -> None:
    """SetDefaults_HorizontalPodAutoscaler (k8s pkg/apis/autoscaling/v2/defaults.go): minReplicas 1,
    and with no metrics a cpu utilization target of 80%. A nil behavior stays nil."""
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    _setdefault(spec, "minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
            }
        ]


_BY_KIND = {
    "HorizontalPodAutoscaler": _default_hpa,
    "Pod": _default_pod,
    "Deployment": _default_deployment,
    "ReplicaSet": _default_replicaset,
    "Job": _default_job,
    "CronJob": _default_cronjob,
    "DaemonSet": _default_daemonset,
    "StatefulSet": _default_statefulset,
    "PersistentVolumeClaim": _default_pvc,
    "PersistentVolume": _default_pv,
    "StorageClass": _default_storageclass,
    "Secret": _default_secret,
    "Namespace": _default_namespace,
    "Service": _default_service,
    "ConfigMap": _default_configmap,
    "RoleBinding": default_binding,
    "ClusterRoleBinding": default_binding,
}


def apply_defaults(obj: Obj) -> Obj:
    """A defaulted deep copy of obj; the input is left alone. Unknown kinds come back unchanged."""
    out = copy.deepcopy(obj)
    fn = _BY_KIND.get(str(out.get("kind", "")))
    if fn is not None:
        fn(out)
    return out
