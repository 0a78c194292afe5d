"""Decoding of the Kubernetes protobuf request bodies that `kubectl create/run/expose` send.

kubectl 1.37 encodes built-in kinds as `application/vnd.kubernetes.protobuf` for its
imperative commands and, unlike for CBOR, client-go does not fall back to JSON on a 415. So
the server must read protobuf. The wire format (varints and length-delimited fields) is
decoded by hand (`podlab.protowire`) because it is tiny; the field numbers come from `k8s.io/api` and
`k8s.io/apimachinery` `generated.proto` for the messages those commands produce. A field
number we do not know is refused (415, naming it) rather than silently dropped, unless it
holds its zero value: gogo-protobuf marshals every non-pointer field, set or not.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from podlab.k8s.timestamps import format_time
from podlab.protowire import ProtobufError, fields

from .protobuf_pod import POD_SCHEMA

Obj = dict[str, Any]

MAGIC = b"k8s\x00"


# Field kinds: "str", "bytes" (base64 in JSON), "int", "bool", "time", "ios" (IntOrString),
# "qty" (Quantity), "map" (map<string,string>), "bmap" (map<string,bytes>), "qmap"
# (map<string,Quantity>), or a message name. A leading "[]" marks a repeated field; a trailing
# "?" marks a pointer field whose zero value is meaningful (kept, e.g. replicas: 0); a leading
# "^" a struct Go embeds, whose fields JSON shows inline (EphemeralContainerCommon).
SCHEMA: dict[str, dict[int, tuple[str, str]]] = {
    "ObjectMeta": {
        1: ("name", "str"),
        2: ("generateName", "str"),
        3: ("namespace", "str"),
        4: ("selfLink", "str"),
        5: ("uid", "str"),
        6: ("resourceVersion", "str"),
        7: ("generation", "int"),
        8: ("creationTimestamp", "time"),
        9: ("deletionTimestamp", "time"),
        10: ("deletionGracePeriodSeconds", "int?"),
        11: ("labels", "map"),
        12: ("annotations", "map"),
        13: ("ownerReferences", "[]OwnerReference"),
        14: ("finalizers", "[]str"),
        17: ("managedFields", "[]ManagedFields"),
    },
    "ManagedFields": {},
    "OwnerReference": {
        1: ("kind", "str"),
        3: ("name", "str"),
        4: ("uid", "str"),
        5: ("apiVersion", "str"),
        6: ("controller", "bool?"),
        7: ("blockOwnerDeletion", "bool?"),
    },
    "LabelSelector": {1: ("matchLabels", "map"), 2: ("matchExpressions", "[]LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: ("key", "str"), 2: ("operator", "str"), 3: ("values", "[]str")},
    "Namespace": {
        1: ("metadata", "ObjectMeta"),
        2: ("spec", "NamespaceSpec"),
        3: ("status", "NamespaceStatus"),
    },
    "NamespaceSpec": {1: ("finalizers", "[]str")},
    "NamespaceStatus": {1: ("phase", "str")},
    "ConfigMap": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map"),
        3: ("binaryData", "bmap"),
        4: ("immutable", "bool?"),
    },
    "Secret": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "bmap"),
        3: ("type", "str"),
        4: ("stringData", "map"),
        5: ("immutable", "bool?"),
    },
    "Deployment": {1: ("metadata", "ObjectMeta"), 2: ("spec", "DeploymentSpec"), 3: ("status", "Empty")},
    "DeploymentSpec": {
        1: ("replicas", "int?"),
        2: ("selector", "LabelSelector"),
        3: ("template", "PodTemplateSpec"),
        4: ("strategy", "DeploymentStrategy"),
        5: ("minReadySeconds", "int"),
        6: ("revisionHistoryLimit", "int?"),
        7: ("paused", "bool"),
        9: ("progressDeadlineSeconds", "int?"),
    },
    "DeploymentStrategy": {1: ("type", "str"), 2: ("rollingUpdate", "RollingUpdateDeployment")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "ios"), 2: ("maxSurge", "ios")},
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},
    # `kubectl create job` (k8s.io/api batch/v1 generated.proto; the failure and success
    # policies, which it never sets, are refused by field number).
    "Job": {1: ("metadata", "ObjectMeta"), 2: ("spec", "JobSpec"), 3: ("status", "Empty")},
    "JobSpec": {
        1: ("parallelism", "int?"),
        2: ("completions", "int?"),
        3: ("activeDeadlineSeconds", "int?"),
        4: ("selector", "LabelSelector"),
        5: ("manualSelector", "bool?"),
        6: ("template", "PodTemplateSpec"),
        7: ("backoffLimit", "int?"),
        8: ("ttlSecondsAfterFinished", "int?"),
        9: ("completionMode", "str"),
        10: ("suspend", "bool?"),
        12: ("backoffLimitPerIndex", "int?"),
        13: ("maxFailedIndexes", "int?"),
        14: ("podReplacementPolicy", "str"),
        15: ("managedBy", "str"),
    },
    # `kubectl create cronjob` (batch/v1 generated.proto).
    "CronJob": {1: ("metadata", "ObjectMeta"), 2: ("spec", "CronJobSpec"), 3: ("status", "Empty")},
    "CronJobSpec": {
        1: ("schedule", "str"),
        2: ("startingDeadlineSeconds", "int?"),
        3: ("concurrencyPolicy", "str"),
        4: ("suspend", "bool?"),
        5: ("jobTemplate", "JobTemplateSpec"),
        6: ("successfulJobsHistoryLimit", "int?"),
        7: ("failedJobsHistoryLimit", "int?"),
        8: ("timeZone", "str?"),
    },
    "JobTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "JobSpec")},
    "Pod": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec"), 3: ("status", "Empty")},
    "Service": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ServiceSpec"), 3: ("status", "ServiceStatus")},
    "ServiceSpec": {
        1: ("ports", "[]ServicePort"),
        2: ("selector", "map"),
        3: ("clusterIP", "str"),
        4: ("type", "str"),
        5: ("externalIPs", "[]str"),
        7: ("sessionAffinity", "str"),
        11: ("externalName", "str"),
    },
    "ServicePort": {
        1: ("name", "str"),
        2: ("protocol", "str"),
        3: ("port", "int"),
        4: ("targetPort", "ios"),
        5: ("nodePort", "int"),
    },
    "ServiceStatus": {1: ("loadBalancer", "Empty")},
    "Empty": {},
    # metav1.Duration: a Go duration string (field 1 of its message).
    "Duration": {1: ("duration", "str")},
    # A Pod spec's whole tree (PodSpec, Container, probes, volumes ...), generated.
    **POD_SCHEMA,
    # `kubectl create serviceaccount`: generated.proto, ServiceAccount and its references.
    "ServiceAccount": {
        1: ("metadata", "ObjectMeta"),
        2: ("secrets", "[]SAObjectReference"),
        3: ("imagePullSecrets", "[]SALocalObjectReference"),
        4: ("automountServiceAccountToken", "bool?"),
    },
    "SAObjectReference": {
        1: ("kind", "str"),
        2: ("namespace", "str"),
        3: ("name", "str"),
        4: ("uid", "str"),
        5: ("apiVersion", "str"),
        6: ("resourceVersion", "str"),
        7: ("fieldPath", "str"),
    },
    "SALocalObjectReference": {1: ("name", "str")},
}
# The top-level message of each kind kubectl may send this way.
# `kubectl auth can-i` and `kubectl auth whoami` (k8s.io/api authorization/v1 and
# authentication/v1 generated.proto); the status each sends is all zero values.
SCHEMA.update(
    {
        "SelfSubjectAccessReview": {
            1: ("metadata", "ObjectMeta"),
            2: ("spec", "SelfSubjectAccessReviewSpec"),
            3: ("status", "SubjectAccessReviewStatus"),
        },
        "SelfSubjectAccessReviewSpec": {
            1: ("resourceAttributes", "ResourceAttributes"),
            2: ("nonResourceAttributes", "NonResourceAttributes"),
        },
        "ResourceAttributes": {
            1: ("namespace", "str"),
            2: ("verb", "str"),
            3: ("group", "str"),
            4: ("version", "str"),
            5: ("resource", "str"),
            6: ("subresource", "str"),
            7: ("name", "str"),
        },
        "NonResourceAttributes": {1: ("path", "str"), 2: ("verb", "str")},
        "SubjectAccessReviewStatus": {
            1: ("allowed", "bool"),
            2: ("reason", "str"),
            3: ("evaluationError", "str"),
            4: ("denied", "bool"),
        },
        "SelfSubjectRulesReview": {
            1: ("metadata", "ObjectMeta"),
            2: ("spec", "SelfSubjectRulesReviewSpec"),
            3: ("status", "SubjectRulesReviewStatus"),
        },
        "SelfSubjectRulesReviewSpec": {1: ("namespace", "str")},
        "SubjectRulesReviewStatus": {4: ("incomplete", "bool"), 5: ("evaluationError", "str")},
        "SelfSubjectReview": {1: ("metadata", "ObjectMeta"), 2: ("status", "SelfSubjectReviewStatus")},
        "SelfSubjectReviewStatus": {1: ("userInfo", "UserInfo")},
        "UserInfo": {1: ("username", "str"), 2: ("uid", "str"), 3: ("groups", "[]str")},
        # `kubectl create token`: authentication/v1 generated.proto.
        "TokenRequest": {
            1: ("metadata", "ObjectMeta"),
            2: ("spec", "TokenRequestSpec"),
            3: ("status", "TokenRequestStatus"),
        },
        "TokenRequestSpec": {
            1: ("audiences", "[]str"),
            3: ("boundObjectRef", "BoundObjectReference"),
            4: ("expirationSeconds", "int?"),
        },
        "TokenRequestStatus": {1: ("token", "str"), 2: ("expirationTimestamp", "time")},
        "BoundObjectReference": {
            1: ("kind", "str"),
            2: ("apiVersion", "str"),
            3: ("name", "str"),
            4: ("uid", "str"),
        },
        # `kubectl create role/clusterrole/rolebinding/clusterrolebinding`: rbac/v1 generated.proto.
        "Role": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[]PolicyRule")},
        "ClusterRole": {
            1: ("metadata", "ObjectMeta"),
            2: ("rules", "[]PolicyRule"),
            3: ("aggregationRule", "AggregationRule"),
        },
        "AggregationRule": {1: ("clusterRoleSelectors", "[]LabelSelector")},
        "PolicyRule": {
            1: ("verbs", "[]str"),
            2: ("apiGroups", "[]str"),
            3: ("resources", "[]str"),
            4: ("resourceNames", "[]str"),
            5: ("nonResourceURLs", "[]str"),
        },
        "RoleBinding": {
            1: ("metadata", "ObjectMeta"),
            2: ("subjects", "[]Subject"),
            3: ("roleRef", "RoleRef"),
        },
        "ClusterRoleBinding": {
            1: ("metadata", "ObjectMeta"),
            2: ("subjects", "[]Subject"),
            3: ("roleRef", "RoleRef"),
        },
        "Subject": {1: ("kind", "str"), 2: ("apiGroup", "str"), 3: ("name", "str"), 4: ("namespace", "str")},
        "RoleRef": {1: ("apiGroup", "str"), 2: ("kind", "str"), 3: ("name", "str")},
    }
)

# `kubectl create pdb` (policy/v1) and `kubectl create ingress` (networking/v1 generated.proto).
SCHEMA.update(
    {
        "PodDisruptionBudget": {
            1: ("metadata", "ObjectMeta"),
            2: ("spec", "PodDisruptionBudgetSpec"),
            3: ("status", "Empty"),
        },
        "PodDisruptionBudgetSpec": {
            1: ("minAvailable", "ios"),
            2: ("selector", "LabelSelector"),
            3: ("maxUnavailable", "ios"),
            4: ("unhealthyPodEvictionPolicy", "str"),
        },
        "Ingress": {1: ("metadata", "ObjectMeta"), 2: ("spec", "IngressSpec"), 3: ("status", "Empty")},
        "IngressSpec": {
            1: ("defaultBackend", "IngressBackend"),
            2: ("tls", "[]IngressTLS"),
            3: ("rules", "[]IngressRule"),
            4: ("ingressClassName", "str"),
        },
        "IngressBackend": {
            3: ("resource", "TypedLocalObjectReference"),
            4: ("service", "IngressServiceBackend"),
        },
        "IngressServiceBackend": {1: ("name", "str"), 2: ("port", "ServiceBackendPort")},
        "ServiceBackendPort": {1: ("name", "str"), 2: ("number", "int")},
        "TypedLocalObjectReference": {1: ("apiGroup", "str"), 2: ("kind", "str"), 3: ("name", "str")},
        "IngressTLS": {1: ("hosts", "[]str"), 2: ("secretName", "str")},
        "IngressRule": {1: ("host", "str"), 2: ("ingressRuleValue", "^IngressRuleValue")},
        "IngressRuleValue": {1: ("http", "HTTPIngressRuleValue")},
        "HTTPIngressRuleValue": {1: ("paths", "[]HTTPIngressPath")},
        "HTTPIngressPath": {1: ("path", "str"), 2: ("backend", "IngressBackend"), 3: ("pathType", "str")},
    }
)

# `kubectl autoscale` (autoscaling/v2 generated.proto).
SCHEMA.update(
    {
        "HorizontalPodAutoscaler": {
            1: ("metadata", "ObjectMeta"),
            2: ("spec", "HorizontalPodAutoscalerSpec"),
            3: ("status", "Empty"),
        },
        "HorizontalPodAutoscalerSpec": {
            1: ("scaleTargetRef", "CrossVersionObjectReference"),
            2: ("minReplicas", "int?"),
            3: ("maxReplicas", "int"),
            4: ("metrics", "[]MetricSpec"),
        },
        "CrossVersionObjectReference": {1: ("kind", "str"), 2: ("name", "str"), 3: ("apiVersion", "str")},
        "MetricSpec": {1: ("type", "str"), 4: ("resource", "ResourceMetricSource")},
        "ResourceMetricSource": {1: ("name", "str"), 2: ("target", "MetricTarget")},
        "MetricTarget": {
            1: ("type", "str"),
            2: ("value", "qty"),
            3: ("averageValue", "qty"),
            4: ("averageUtilization", "int?"),
        },
    }
)

KINDS = {
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Ingress",
    "Namespace",
    "ConfigMap",
    "Secret",
    "Deployment",
    "Job",
    "CronJob",
    "Pod",
    "Service",
    "ServiceAccount",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "SelfSubjectReview",
    "TokenRequest",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
}


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _string_map(buf_entries: list[bytes], value_kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in buf_entries:
        key, value = "", b""
        for number, _, raw in fields(entry):
            if number == 1:
                key = raw.decode()
            elif number == 2:
                value = raw
        if value_kind == "bmap":
            out[key] = base64.b64encode(value).decode()
        elif value_kind == "qmap":
            out[key] = _quantity(value)
        else:
            out[key] = value.decode()
    return out


def _quantity(buf: bytes) -> str:
    for number, _, raw in fields(buf):
        if number == 1:
            return str(raw.decode())
    return "0"


def _time(buf: bytes) -> str | None:
    seconds = 0
    for number, _, raw in fields(buf):
        if number == 1:
            seconds = _signed(raw)
    if seconds == 0:
        return None  # the zero Time marshals to JSON null
    return format_time(dt.datetime.fromtimestamp(seconds, dt.UTC))


def _int_or_string(buf: bytes) -> int | str:
    kind, int_val, str_val = 0, 0, ""
    for number, _, raw in fields(buf):
        if number == 1:
            kind = raw
        elif number == 2:
            int_val = _signed(raw)
        elif number == 3:
            str_val = raw.decode()
    return str_val if kind == 1 else int_val


def decode_message(buf: bytes, message: str, path: str) -> Obj:
    schema = SCHEMA[message]
    out: Obj = {}
    maps: dict[str, list[bytes]] = {}
    for number, _, raw in fields(buf):
        if number not in schema:
            if raw in (0, b""):
                continue  # a non-pointer field at its zero value: what JSON omits (omitempty)
            raise ProtobufError(f"field {path}#{number} of {message} is not supported in protobuf requests")
        name, kind = schema[number]
        keep_zero = kind.endswith("?")
        kind = kind.rstrip("?")
        repeated = kind.startswith("[]")
        kind = kind.removeprefix("[]")
        value: Any
        if kind in ("map", "bmap", "qmap"):
            maps.setdefault(name, []).append(raw)
            continue
        if kind.startswith("^"):
            out.update(decode_message(raw, kind[1:], path))
            continue
        if kind == "str":
            value = raw.decode()
        elif kind == "bytes":
            value = base64.b64encode(raw).decode()
        elif kind == "int":
            value = _signed(raw)
        elif kind == "bool":
            value = bool(raw)
        elif kind == "time":
            value = _time(raw)
        elif kind == "ios":
            value = _int_or_string(raw)
        elif kind == "qty":
            value = _quantity(raw)
        else:
            value = decode_message(raw, kind, f"{path}.{name}")
        if repeated:
            out.setdefault(name, []).append(value)
        elif value is None or (not keep_zero and value in ("", 0, False) and not isinstance(value, dict)):
            continue  # proto2 marshals unset non-pointer scalars; JSON omits them (omitempty)
        else:
            out[name] = value
    for name, entries in maps.items():
        kind = next(k for n, k in schema.values() if n == name)
        decoded = _string_map(entries, kind)
        if decoded:
            out[name] = decoded
    return out


def decode(body: bytes) -> Obj:
    """A JSON-shaped object from a `k8s\\0`-prefixed runtime.Unknown envelope."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf magic prefix")
    api_version = kind = ""
    raw = b""
    for number, _, value in fields(body[len(MAGIC) :]):
        if number == 1:
            for sub, _, text in fields(value):
                if sub == 1:
                    api_version = text.decode()
                elif sub == 2:
                    kind = text.decode()
        elif number == 2:
            raw = value
    if kind not in KINDS:
        raise ProtobufError(
            f"protobuf requests are supported for {', '.join(sorted(KINDS))}, not {kind or 'this kind'}"
        )
    obj = decode_message(raw, kind, kind)
    return {"kind": kind, "apiVersion": api_version, **obj}
