"""The one registry of the kinds podlab serves: every per-kind fact in one `ResourceInfo` row.

Discovery (aggregated and legacy) and the OpenAPI stub, REST routing and subresource
dispatch, field-selector labels, list kinds, and the store's per-kind behaviour (scope,
/status, generation, graceful deletion, which DELETE answers with the object) all read this
table, so they cannot disagree. The values are the real API server's (its discovery
documents and the registries' strategies under `pkg/registry/`).

How to add a kind (Job, StatefulSet, EndpointSlice ...):
1. add one `ResourceInfo` row to `RESOURCES` below: group/version/kind/plural/singular, scope,
   short names and categories as `kubectl api-resources` shows them on a real cluster, its
   subresources, the field labels its registry's `GetAttrs` supports, and the store flags;
2. add its validation (a `validation_<group>.py` module, dispatched from
   `validation._validate_kind`), its defaulting (`defaults._BY_KIND`), its Table printer
   (`printers.PRINTERS`) and its schema (`schema.yaml`), each in its own module, because
   they are code, not facts; `kubectl create` sends protobuf for some kinds, whose message
   layouts live in `apiserver/protobuf.py`;
3. nothing else: routes, discovery, field selectors and the store pick the row up.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
# metadata.name and metadata.namespace are field labels of every kind (DefaultClusterScopedAttr).
COMMON_FIELD_LABELS = frozenset({"metadata.name", "metadata.namespace"})


@dataclass(frozen=True)
class Subresource:
    name: str
    verbs: tuple[str, ...]
    kind: tuple[str, str, str] | None = None  # (group, version, kind) when not the parent's kind


STATUS = Subresource("status", ("get", "patch", "update"))
SCALE = Subresource("scale", ("get", "patch", "update"), ("autoscaling", "v1", "Scale"))
LOG = Subresource("log", ("get",))
PORTFORWARD = Subresource("portforward", ("create", "get"))
EPHEMERAL_CONTAINERS = Subresource("ephemeralcontainers", ("get", "patch", "update"))
EVICTION = Subresource("eviction", ("create",), ("policy", "v1", "Eviction"))  # apiserver/eviction.py
FINALIZE = Subresource("finalize", ("update",))  # namespaces: spec.finalizers only
TOKEN = Subresource("token", ("create",), ("authentication.k8s.io", "v1", "TokenRequest"))


NETWORKPOLICY_WARNING = (
    "podlab does not enforce NetworkPolicy: the policy is stored, pod traffic is not filtered"
)
INGRESS_WARNING = "podlab runs no ingress controller: the Ingress is stored, nothing routes it"


@dataclass(frozen=True)
class ResourceInfo:
    group: str  # "" for core
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    singular: str = ""
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    # Field labels beyond COMMON_FIELD_LABELS (the registry's field label conversion func).
    field_labels: frozenset[str] = frozenset()
    verbs: tuple[str, ...] = ALL_VERBS
    # The strategy's PrepareForCreate sets metadata.generation (bumped when .spec changes).
    generation: bool = False
    # Spec fields whose change does not bump the generation (a pod's binding sets nodeName).
    generation_ignores: tuple[str, ...] = ()
    # CheckGracefulDelete: DELETE marks the object with a grace period instead of removing it.
    graceful_delete: bool = False
    # ReturnDeletedObject: DELETE answers with the object rather than a Status.
    returns_deleted_object: bool = False
    # The Warning every response about this kind carries (a deprecated API), "" for none.
    deprecation_warning: str = ""
    # The Warning a successful create or update carries: what podlab does not do with the kind.
    write_warning: str = ""
    # The store key of the kind this one is another version of (events.k8s.io/v1 Event is
    # stored as core Events); apiserver/views.py converts between the two.
    stored_as: tuple[str, str] | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> tuple[str, str]:
        """The store's ResourceKey."""
        return self.stored_as or (self.group, self.plural)

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def has_status(self) -> bool:
        """Whether .status is written only through the /status subresource."""
        return any(sub.name == "status" for sub in self.subresources)

    def subresource(self, name: str) -> Subresource | None:
        return next((sub for sub in self.subresources if sub.name == name), None)

    def supports_field_label(self, label: str) -> bool:
        return label in COMMON_FIELD_LABELS or label in self.field_labels


_POD_FIELD_LABELS = frozenset(
    {
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    }
)
_EVENT_FIELD_LABELS = frozenset(
    {
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    }
)

# Order is discovery order. Short names and categories as the real API server's discovery gives them.
RESOURCES: tuple[ResourceInfo, ...] = (
    ResourceInfo(
        "",
        "v1",
        "Pod",
        "pods",
        True,
        ("po",),
        "pod",
        categories=("all",),
        subresources=(STATUS, LOG, PORTFORWARD, EPHEMERAL_CONTAINERS, EVICTION),
        field_labels=_POD_FIELD_LABELS,
        generation=True,
        generation_ignores=("nodeName",),
        graceful_delete=True,
        returns_deleted_object=True,
    ),
    ResourceInfo("", "v1", "ConfigMap", "configmaps", True, ("cm",), "configmap"),
    ResourceInfo("", "v1", "Secret", "secrets", True, (), "secret", field_labels=frozenset({"type"})),
    ResourceInfo("", "v1", "Event", "events", True, ("ev",), "event", field_labels=_EVENT_FIELD_LABELS),
    ResourceInfo(
        "",
        "v1",
        "Namespace",
        "namespaces",
        False,
        ("ns",),
        "namespace",
        subresources=(FINALIZE, STATUS),
        field_labels=frozenset({"status.phase"}),
        verbs=tuple(v for v in ALL_VERBS if v != "deletecollection"),
        returns_deleted_object=True,
    ),
    ResourceInfo(
        "",
        "v1",
        "Service",
        "services",
        True,
        ("svc",),
        "service",
        categories=("all",),
        subresources=(STATUS,),
        field_labels=frozenset({"spec.clusterIP", "spec.type"}),
    ),
    ResourceInfo("", "v1", "Node", "nodes", False, ("no",), "node", subresources=(STATUS,)),
    # Pod admission looks the pod's account up (k8s/admission.py); serviceaccounts/token is
    # TokenRequest, answered by apiserver/tokenrequest.py.
    ResourceInfo(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        True,
        ("sa",),
        "serviceaccount",
        subresources=(TOKEN,),
    ),
    # Claims, volumes and classes: bound and provisioned by controllers/volumes.py (local-path).
    ResourceInfo(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        True,
        ("pvc",),
        "persistentvolumeclaim",
        subresources=(STATUS,),
    ),
    ResourceInfo(
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        False,
        ("pv",),
        "persistentvolume",
        subresources=(STATUS,),
    ),
    ResourceInfo("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",), "storageclass"),
    ResourceInfo(
        "apps",
        "v1",
        "Deployment",
        "deployments",
        True,
        ("deploy",),
        "deployment",
        categories=("all",),
        subresources=(STATUS, SCALE),
        generation=True,
    ),
    ResourceInfo(
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        True,
        ("rs",),
        "replicaset",
        categories=("all",),
        subresources=(STATUS, SCALE),
        field_labels=frozenset({"status.replicas"}),
        generation=True,
    ),
    # Run by the cronjob controller (controllers/cronjob.py).
    ResourceInfo(
        "batch",
        "v1",
        "CronJob",
        "cronjobs",
        True,
        ("cj",),
        "cronjob",
        categories=("all",),
        subresources=(STATUS,),
        generation=True,
    ),
    # Run by the daemonset controller (controllers/daemonset.py) on the one node.
    ResourceInfo(
        "apps",
        "v1",
        "DaemonSet",
        "daemonsets",
        True,
        ("ds",),
        "daemonset",
        categories=("all",),
        subresources=(STATUS,),
        generation=True,
    ),
    # Run by the statefulset controller (controllers/statefulset.py), which keeps each template
    # revision as a ControllerRevision (stored only).
    ResourceInfo(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        True,
        ("sts",),
        "statefulset",
        categories=("all",),
        subresources=(STATUS, SCALE),
        generation=True,
    ),
    ResourceInfo("apps", "v1", "ControllerRevision", "controllerrevisions", True, (), "controllerrevision"),
    # Run by the job controller (controllers/job.py).
    ResourceInfo(
        "batch",
        "v1",
        "Job",
        "jobs",
        True,
        (),
        "job",
        categories=("all",),
        subresources=(STATUS,),
        generation=True,
    ),
    # Kept by the endpoints and endpointslice controllers (controllers/endpoints*.py).
    ResourceInfo(
        "",
        "v1",
        "Endpoints",
        "endpoints",
        True,
        ("ep",),
        "endpoints",
        # KEP-4974 (k8s PR #130098): kubectl prints it as "Warning: ...".
        deprecation_warning="v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
    ),
    ResourceInfo("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True, (), "endpointslice"),
    # RBAC (apiserver/rbac.py enforces it for every user outside system:masters).
    ResourceInfo("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False, (), "clusterrole"),
    ResourceInfo(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        False,
        (),
        "clusterrolebinding",
    ),
    ResourceInfo("rbac.authorization.k8s.io", "v1", "Role", "roles", True, (), "role"),
    ResourceInfo("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True, (), "rolebinding"),
    # Status kept by the disruption controller (controllers/disruption.py); spent by evictions.
    ResourceInfo(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        True,
        ("pdb",),
        "poddisruptionbudget",
        subresources=(STATUS,),
        generation=True,
    ),
    # Stored only: nothing filters pods' traffic, and writes say so.
    ResourceInfo(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        True,
        ("netpol",),
        "networkpolicy",
        generation=True,
        write_warning=NETWORKPOLICY_WARNING,
    ),
    # Stored only: no ingress controller routes them (controllers/ingress.py says so in an event).
    ResourceInfo(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        True,
        ("ing",),
        "ingress",
        subresources=(STATUS,),
        generation=True,
        write_warning=INGRESS_WARNING,
    ),
    ResourceInfo(
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        False,
        (),
        "ingressclass",
        generation=True,
    ),
    # Run by the autoscaler (controllers/hpa.py) on the node's own resource usage.
    ResourceInfo(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        True,
        ("hpa",),
        "horizontalpodautoscaler",
        categories=("all",),
        subresources=(STATUS,),
    ),
    # The same HPAs as autoscaling/v1 (k8s/hpa_versions.py): after v2, which stays preferred.
    ResourceInfo(
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        True,
        ("hpa",),
        "horizontalpodautoscaler",
        categories=("all",),
        subresources=(STATUS,),
        stored_as=("autoscaling", "horizontalpodautoscalers"),
    ),
    # The node's heartbeat lease lives in kube-node-lease (kubelet/node_lease.py); users' leases
    # (leader election) are stored only.
    ResourceInfo("coordination.k8s.io", "v1", "Lease", "leases", True, (), "lease"),
    # events.k8s.io/v1: the same Events, converted (apiserver/views.py, k8s/event_versions.py);
    # no field labels beyond metadata's (only core/v1 registers a field label conversion). No
    # short name: kubectl would warn that `ev` also matches it.
    ResourceInfo("events.k8s.io", "v1", "Event", "events", True, (), "event", stored_as=("", "events")),
    # Reviews: create-only, never stored; answered by apiserver/reviews.py.
    ResourceInfo(
        "authentication.k8s.io",
        "v1",
        "SelfSubjectReview",
        "selfsubjectreviews",
        False,
        singular="selfsubjectreview",
        verbs=("create",),
    ),
    ResourceInfo(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        False,
        singular="selfsubjectaccessreview",
        verbs=("create",),
    ),
    ResourceInfo(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        False,
        singular="selfsubjectrulesreview",
        verbs=("create",),
    ),
)

_BY_GVK = {(r.api_version, r.kind): r for r in RESOURCES}
_BY_KEY = {r.key: r for r in RESOURCES if r.stored_as is None}
_BY_GV_PLURAL = {(r.group, r.version, r.plural): r for r in RESOURCES}


def resource_for(api_version: str, kind: str) -> ResourceInfo:
    """The resource of an apiVersion/kind pair; KeyError if podlab does not serve it."""
    return _BY_GVK[(api_version, kind)]


def resource_for_key(key: tuple[str, str]) -> ResourceInfo | None:
    """The resource of a store key ("apps", "deployments"); None if podlab does not serve it."""
    return _BY_KEY.get(key)


def resource_for_path(group: str, version: str, plural: str) -> ResourceInfo | None:
    """The resource a URL names by group, version and plural; None if podlab does not serve it."""
    return _BY_GV_PLURAL.get((group, version, plural))


def group_versions() -> list[tuple[str, str]]:
    """(group, version) pairs in discovery order."""
    seen: list[tuple[str, str]] = []
    for r in RESOURCES:
        if (r.group, r.version) not in seen:
            seen.append((r.group, r.version))
    return seen


def resources_in(group: str, version: str) -> list[ResourceInfo]:
    return [r for r in RESOURCES if r.group == group and r.version == version]


def kind_spelling(kind: str) -> str | None:
    """The right spelling of a miscased kind ("configmap" -> "ConfigMap"), else None."""
    for r in RESOURCES:
        if r.kind.lower() == kind.lower() and r.kind != kind:
            return r.kind
    return None
