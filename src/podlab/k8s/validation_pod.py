"""Pod spec validation (k8s pkg/apis/core/validation/validation.go), in its order and wording.

Runs on defaulted objects, as the API server does: a probe's periodSeconds 0 was already made 10.
"""

from __future__ import annotations

from typing import Any

from podlab.k8s import errors as fe
from podlab.k8s import names
from podlab.k8s.errors import FieldError, Obj
from podlab.k8s.quantity import parse_quantity
from podlab.k8s.validation_meta import nonnegative

_VOLUME_SOURCES = (
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs",
    "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
    "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral",
    "image",
)  # fmt: skip
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_MODE_DETAIL = "must be a number between 0 and 0777 (octal), both inclusive"


def _invalid_each(path: str, value: Any, msgs: list[str]) -> list[FieldError]:
    return [fe.invalid(path, value, m) for m in msgs]


def _validate_mode(mode: Any, path: str) -> list[FieldError]:
    if mode is not None and (not isinstance(mode, int) or not 0 <= mode <= 0o777):
        return [fe.invalid(path, mode, _MODE_DETAIL)]
    return []


def _validate_key_to_paths(items: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, item in enumerate(items or []):
        p = f"{path}[{i}]"
        if not item.get("key"):
            errs.append(fe.required(f"{p}.key", ""))
        rel = item.get("path")
        if not rel:
            errs.append(fe.required(f"{p}.path", ""))
        elif str(rel).startswith("/"):
            errs.append(fe.invalid(f"{p}.path", rel, "must be a relative path"))
        elif ".." in str(rel).split("/"):
            errs.append(fe.invalid(f"{p}.path", rel, "must not contain '..'"))
        errs.extend(_validate_mode(item.get("mode"), f"{p}.mode"))
    return errs


def _validate_path_no_backsteps(target: str, path: str) -> list[FieldError]:
    # validation.go validatePathNoBacksteps: one error even for "../../..".
    if ".." in target.split("/"):
        return [fe.invalid(path, target, "must not contain '..'")]
    return []


_HOST_PATH_TYPES = [
    "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket",
]  # fmt: skip


def _validate_host_path(host: Obj, path: str) -> list[FieldError]:
    """validateHostPathVolumeSource, plus one podlab rule: the path must be absolute.

    Kubernetes accepts "rel/dir" and leaves it to the node; podlab's node is the user's own
    machine, where a relative path would resolve against wherever `podlab up` was started.
    """
    target = host.get("path")
    if not target:
        return [fe.required(f"{path}.path", "")]
    errs = _validate_path_no_backsteps(str(target), f"{path}.path")
    if not errs and not str(target).startswith("/"):
        errs.append(fe.invalid(f"{path}.path", target, "must be an absolute path"))
    kind = host.get("type")
    if kind is not None and kind not in _HOST_PATH_TYPES:
        errs.append(fe.not_supported(f"{path}.type", kind, _HOST_PATH_TYPES))
    return errs


def _validate_unique_name(name: Any, path: str, seen: set[str]) -> list[FieldError]:
    """A required DNS-1123 label, unique among its siblings (volumes; containers of all kinds)."""
    if not name:
        return [fe.required(path, "")]
    errs = list(_invalid_each(path, name, names.is_dns1123_label(str(name))))
    if name in seen:
        errs.append(fe.duplicate(path, name))
    seen.add(str(name))
    return errs


def validate_volumes(volumes: Any, path: str) -> tuple[set[str], list[FieldError]]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, vol in enumerate(volumes or []):
        p = f"{path}[{i}]"
        errs.extend(_validate_unique_name(vol.get("name"), f"{p}.name", seen))
        sources = [s for s in _VOLUME_SOURCES if vol.get(s) is not None]
        if not sources:
            errs.append(fe.required(p, "must specify a volume type"))
        for extra in sources[1:]:
            errs.append(fe.forbidden(f"{p}.{extra}", "may not specify more than 1 volume type"))
        # configMap and secret volumes differ only in the field naming their object
        for source, name_field in (("configMap", "name"), ("secret", "secretName")):
            projected = vol.get(source)
            if isinstance(projected, dict) and sources[:1] == [source]:
                if not projected.get(name_field):
                    errs.append(fe.required(f"{p}.{source}.{name_field}", ""))
                errs.extend(_validate_mode(projected.get("defaultMode"), f"{p}.{source}.defaultMode"))
                errs.extend(_validate_key_to_paths(projected.get("items"), f"{p}.{source}.items"))
        host = vol.get("hostPath")
        if isinstance(host, dict) and sources[:1] == ["hostPath"]:
            errs.extend(_validate_host_path(host, f"{p}.hostPath"))
        pvc = vol.get("persistentVolumeClaim")
        if isinstance(pvc, dict) and sources[:1] == ["persistentVolumeClaim"] and not pvc.get("claimName"):
            errs.append(fe.required(f"{p}.persistentVolumeClaim.claimName", ""))
    return seen, errs


def _validate_port_num_or_name(port: Any, path: str) -> list[FieldError]:
    if isinstance(port, bool) or port is None:
        return [fe.required(path, "")]
    if isinstance(port, int):
        return _invalid_each(path, port, names.is_valid_port_num(port))
    if isinstance(port, str):
        # A quoted "8080" stays a string in IntOrString and fails as a port name, as in Kubernetes.
        return _invalid_each(path, port, names.is_valid_port_name(port))
    return [fe.invalid(path, port, "must be an int or a string")]


def validate_handler(handler: Obj, path: str, *, allow_sleep: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    kinds = _HANDLERS + (("sleep",) if allow_sleep else ())
    found = 0
    for kind in kinds:
        action = handler.get(kind)
        if action is None:
            continue
        if found:
            errs.append(fe.forbidden(f"{path}.{kind}", "may not specify more than 1 handler type"))
            continue
        found += 1
        p = f"{path}.{kind}"
        if kind == "exec":
            if not action.get("command"):
                errs.append(fe.required(f"{p}.command", ""))
        elif kind == "httpGet":
            if not action.get("path"):
                errs.append(fe.required(f"{p}.path", ""))
            errs.extend(_validate_port_num_or_name(action.get("port"), f"{p}.port"))
            scheme = action.get("scheme")
            if scheme not in ("HTTP", "HTTPS"):
                errs.append(fe.not_supported(f"{p}.scheme", scheme, ["HTTP", "HTTPS"]))
            for j, header in enumerate(action.get("httpHeaders") or []):
                hname = str(header.get("name", ""))
                errs.extend(
                    _invalid_each(f"{p}.httpHeaders[{j}].name", hname, names.is_http_header_name(hname))
                )
        elif kind == "tcpSocket":
            errs.extend(_validate_port_num_or_name(action.get("port"), f"{p}.port"))
        elif kind == "grpc":
            port = action.get("port")
            if not isinstance(port, int) or isinstance(port, bool):
                errs.append(fe.invalid(f"{p}.port", port, "must be an integer"))
            else:
                errs.extend(_invalid_each(f"{p}.port", port, names.is_valid_port_num(port)))
        elif kind == "sleep":
            seconds = action.get("seconds")
            if not isinstance(seconds, int) or seconds <= 0:
                errs.append(fe.invalid(f"{p}.seconds", seconds, "must be greater than 0"))
    if found == 0:
        errs.append(fe.required(path, "must specify a handler type"))
    return errs


def validate_probe(probe: Obj, path: str, probe_type: str) -> list[FieldError]:
    errs = validate_handler(probe, path, allow_sleep=False)
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        errs.extend(nonnegative(probe.get(key, 0), f"{path}.{key}"))
    grace = probe.get("terminationGracePeriodSeconds")
    if probe_type == "readinessProbe":
        if grace is not None:
            errs.append(
                fe.invalid(
                    f"{path}.terminationGracePeriodSeconds", grace, "must not be set for readinessProbes"
                )
            )
    elif grace is not None and isinstance(grace, int) and grace <= 0:
        errs.append(fe.invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0"))
    if probe_type in ("livenessProbe", "startupProbe"):
        success = probe.get("successThreshold", 1)
        if success != 1:
            errs.append(fe.invalid(f"{path}.successThreshold", success, "must be 1"))
    return errs


def _validate_ports(ports: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, port in enumerate(ports or []):
        p = f"{path}[{i}]"
        pname = port.get("name")
        if pname:
            errs.extend(_invalid_each(f"{p}.name", pname, names.is_valid_port_name(str(pname))))
            if pname in seen:
                errs.append(fe.duplicate(f"{p}.name", pname))
            seen.add(str(pname))
        cport = port.get("containerPort")
        if not cport:
            errs.append(fe.required(f"{p}.containerPort", ""))
        elif not isinstance(cport, int) or isinstance(cport, bool):
            errs.append(fe.invalid(f"{p}.containerPort", cport, "must be an integer"))
        else:
            errs.extend(_invalid_each(f"{p}.containerPort", cport, names.is_valid_port_num(cport)))
        host = port.get("hostPort")
        if host:
            errs.extend(_invalid_each(f"{p}.hostPort", host, names.is_valid_port_num(int(host))))
        proto = port.get("protocol")
        if not proto:
            errs.append(fe.required(f"{p}.protocol", ""))
        elif proto not in ("SCTP", "TCP", "UDP"):
            errs.append(fe.not_supported(f"{p}.protocol", proto, ["SCTP", "TCP", "UDP"]))
    return errs


def _validate_env(env: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, var in enumerate(env or []):
        p = f"{path}[{i}]"
        name = var.get("name")
        if not name:
            errs.append(fe.required(f"{p}.name", ""))
        else:
            errs.extend(_invalid_each(f"{p}.name", name, names.is_env_var_name(str(name))))
        source = var.get("valueFrom")
        if isinstance(source, dict):
            kinds = [
                k
                for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
                if source.get(k)
            ]
            if var.get("value"):
                errs.append(
                    fe.invalid(f"{p}.valueFrom", "", "may not be specified when `value` is not empty")
                )
            if not kinds:
                errs.append(
                    fe.invalid(
                        f"{p}.valueFrom",
                        "",
                        "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                    )
                )
            elif len(kinds) > 1:
                errs.append(
                    fe.invalid(f"{p}.valueFrom", "", "may not have more than one field specified at a time")
                )
            for ref in ("configMapKeyRef", "secretKeyRef"):
                sel = source.get(ref)
                if isinstance(sel, dict):
                    if not sel.get("key"):
                        errs.append(fe.required(f"{p}.valueFrom.{ref}.key", ""))
                    if not sel.get("name"):
                        errs.append(fe.required(f"{p}.valueFrom.{ref}.name", ""))
            field_ref = source.get("fieldRef")
            if isinstance(field_ref, dict) and not field_ref.get("fieldPath"):
                errs.append(fe.required(f"{p}.valueFrom.fieldRef.fieldPath", ""))
    return errs


def _validate_volume_mounts(mounts: Any, volumes: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    paths: set[str] = set()
    for i, mount in enumerate(mounts or []):
        p = f"{path}[{i}]"
        name = mount.get("name")
        if not name:
            errs.append(fe.required(f"{p}.name", ""))
        elif name not in volumes:
            errs.append(fe.not_found(f"{p}.name", name))
        mpath = mount.get("mountPath")
        if not mpath:
            errs.append(fe.required(f"{p}.mountPath", ""))
        elif mpath in paths:
            errs.append(fe.invalid(f"{p}.mountPath", mpath, "must be unique"))
        else:
            paths.add(str(mpath))
            # Not checked by Kubernetes (runc resolves mount targets inside the rootfs); podlab
            # binds, or in plain mode symlinks, at root/<mountPath>, so '..' would leave the root.
            errs.extend(_validate_path_no_backsteps(str(mpath), f"{p}.mountPath"))
        sub = mount.get("subPath")
        if sub and (str(sub).startswith("/") or ".." in str(sub).split("/")):
            errs.append(
                fe.invalid(
                    f"{p}.subPath",
                    sub,
                    "must be a relative path" if str(sub).startswith("/") else "must not contain '..'",
                )
            )
    return errs


def _overcommit_allowed(resource: str) -> bool:
    # helper.IsOvercommitAllowed: native resources, not hugepages nor extended resources.
    native = "/" not in resource or resource.startswith("kubernetes.io/")
    return native and not resource.startswith("hugepages-")


def _validate_resources(resources: Any, path: str) -> list[FieldError]:
    """ValidateResourceRequirements: non-negative quantities, requests <= limits."""
    errs: list[FieldError] = []
    if not isinstance(resources, dict):
        return errs
    # Null quantities decode as zero in Go; type_errors has already rejected malformed ones.
    limits = {k: v for k, v in (resources.get("limits") or {}).items() if v is not None}
    requests = {k: v for k, v in (resources.get("requests") or {}).items() if v is not None}
    for bag, values in (("limits", limits), ("requests", requests)):
        for name, value in values.items():
            if parse_quantity(value) < 0:
                errs.append(fe.invalid(f"{path}.{bag}[{name}]", value, "must be greater than or equal to 0"))
    for name, value in requests.items():
        if name not in limits:
            continue
        request, limit = parse_quantity(value), parse_quantity(limits[name])
        if request != limit and not _overcommit_allowed(str(name)):
            errs.append(
                fe.invalid(f"{path}.requests", str(value), f"must be equal to {name} limit of {limits[name]}")
            )
        elif request > limit:
            errs.append(
                fe.invalid(
                    f"{path}.requests",
                    str(value),
                    f"must be less than or equal to {name} limit of {limits[name]}",
                )
            )
    return errs


def _validate_container(c: Obj, path: str, volumes: set[str], *, init: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    image = c.get("image")
    if not image:
        errs.append(fe.required(f"{path}.image", ""))
    elif str(image) != str(image).strip():
        errs.append(fe.invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    policy = c.get("terminationMessagePolicy")
    if policy is not None and policy not in ("File", "FallbackToLogsOnError"):
        errs.append(
            fe.not_supported(f"{path}.terminationMessagePolicy", policy, ["File", "FallbackToLogsOnError"])
        )
    errs.extend(_validate_ports(c.get("ports"), f"{path}.ports"))
    errs.extend(_validate_resources(c.get("resources"), f"{path}.resources"))
    errs.extend(_validate_env(c.get("env"), f"{path}.env"))
    errs.extend(_validate_volume_mounts(c.get("volumeMounts"), volumes, f"{path}.volumeMounts"))
    pull = c.get("imagePullPolicy")
    if pull is not None and pull not in ("Always", "IfNotPresent", "Never"):
        errs.append(fe.not_supported(f"{path}.imagePullPolicy", pull, ["Always", "IfNotPresent", "Never"]))
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                errs.extend(validate_handler(lifecycle[hook], f"{path}.lifecycle.{hook}", allow_sleep=True))
    sidecar = init and c.get("restartPolicy") == "Always"
    if init and c.get("restartPolicy") not in (None, "Always"):
        errs.append(fe.not_supported(f"{path}.restartPolicy", c.get("restartPolicy"), ["Always"]))
    for probe_type in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(probe_type)
        if probe is None:
            continue
        if init and not sidecar:
            errs.append(
                fe.forbidden(
                    f"{path}.{probe_type}", "may not be set for init containers without restartPolicy=Always"
                )
            )
        elif isinstance(probe, dict):
            errs.extend(validate_probe(probe, f"{path}.{probe_type}", probe_type))
    return errs


def _validate_containers(
    containers: Any, path: str, volumes: set[str], seen: set[str], *, init: bool
) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, c in enumerate(containers or []):
        p = f"{path}[{i}]"
        errs.extend(_validate_unique_name(c.get("name"), f"{p}.name", seen))
        errs.extend(_validate_container(c, p, volumes, init=init))
    return errs


def validate_pod_spec(spec: Any, path: str) -> list[FieldError]:
    if not isinstance(spec, dict):
        return [fe.required(f"{path}.containers", "")]
    volumes, errs = validate_volumes(spec.get("volumes"), f"{path}.volumes")
    seen: set[str] = set()
    if not spec.get("containers"):
        errs.append(fe.required(f"{path}.containers", ""))
    errs.extend(_validate_containers(spec.get("containers"), f"{path}.containers", volumes, seen, init=False))
    errs.extend(
        _validate_containers(spec.get("initContainers"), f"{path}.initContainers", volumes, seen, init=True)
    )
    restart = spec.get("restartPolicy")
    if restart not in ("Always", "OnFailure", "Never"):
        errs.append(fe.not_supported(f"{path}.restartPolicy", restart, ["Always", "OnFailure", "Never"]))
    dns = spec.get("dnsPolicy")
    if dns not in ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"):
        errs.append(
            fe.not_supported(
                f"{path}.dnsPolicy", dns, ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
            )
        )
    errs.extend(
        nonnegative(spec.get("terminationGracePeriodSeconds"), f"{path}.terminationGracePeriodSeconds")
    )
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and (not isinstance(deadline, int) or not 1 <= deadline <= 2147483647):
        errs.append(
            fe.invalid(
                f"{path}.activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive"
            )
        )
    return errs


_POD_MUTABLE_DETAIL = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
    "(allow it to be set to 1 if it was previously negative)"
)


def validate_pod_update(new: Obj, old: Obj) -> list[FieldError]:
    """ValidatePodUpdate: the spec is immutable except images, deadlines and added tolerations."""

    def comparable(spec: Any) -> Any:
        spec = dict(spec or {})
        for key in ("containers", "initContainers"):
            spec[key] = [{k: v for k, v in c.items() if k != "image"} for c in spec.get(key) or []]
        spec.pop("activeDeadlineSeconds", None)
        spec.pop("terminationGracePeriodSeconds", None)
        spec.pop("tolerations", None)
        spec.pop("nodeName", None)  # binding sets it
        return spec

    if comparable(new.get("spec")) != comparable(old.get("spec")):
        return [fe.forbidden("spec", _POD_MUTABLE_DETAIL)]
    return []
