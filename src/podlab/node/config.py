"""`podlab.yaml`: the user's node settings: what unknown images run as, the API server's limits
and log rotation.

```yaml
images:
  registry.k8s.io/goproxy:0.1: python3 -m http.server 8080   # image (with or without tag) -> command
apiServer:                    # wire limits of the API server (defaults: podlab.httpcore.Limits)
  maxHeaderBytes: 65536       # request line + headers; larger heads get 431
  maxHeaderCount: 100         # more headers get 431
  headerTimeoutSeconds: 60    # a request head not complete by then gets 408
  idleTimeoutSeconds: 300     # keep-alive connections idle this long are closed
  maxBodyBytes: 67108864      # larger bodies get 413
containerLogMaxSize: 10Mi     # kubelet's KubeletConfiguration fields and defaults
containerLogMaxFiles: 5
podPidsLimit: 1024            # pids.max of each pod's cgroup; -1 (the default): unlimited
imageSources:                 # image -> builtin | pull (defaults: docs/ARCHITECTURE.md, "Images")
  wiremock/wiremock: pull
insecureRegistries:           # registries reached over plain HTTP (as containerd's hosts.toml)
  - registry.lan:5000
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from podlab.httpcore import Limits
from podlab.k8s.quantity import parse_quantity
from podlab.runtime.logfiles import DEFAULT_MAX_FILES, DEFAULT_MAX_SIZE, LogRotation

KNOWN_FIELDS = (
    "apiServer",
    "containerLogMaxFiles",
    "containerLogMaxSize",
    "imageSources",
    "images",
    "insecureRegistries",
    "podPidsLimit",
)


class ConfigError(Exception):
    """podlab.yaml is unreadable or malformed; the message names the file and the field."""


@dataclass
class NodeConfig:
    images: dict[str, str] = field(default_factory=dict)
    api_limits: Limits = field(default_factory=Limits)
    log_rotation: LogRotation = field(default_factory=LogRotation)
    pod_pids_limit: int | None = None  # None: unlimited (kubelet's -1)
    image_sources: dict[str, str] = field(default_factory=dict)
    insecure_registries: tuple[str, ...] = ()


# podlab.yaml's apiServer keys (Kubernetes-style camelCase) -> Limits fields, and their kind.
_LIMIT_KEYS: dict[str, tuple[str, type]] = {
    "maxHeaderBytes": ("max_header_bytes", int),
    "maxHeaderCount": ("max_header_count", int),
    "headerTimeoutSeconds": ("header_timeout", float),
    "idleTimeoutSeconds": ("idle_timeout", float),
    "maxBodyBytes": ("max_body_bytes", int),
}


def load_config(path: Path | None) -> NodeConfig:
    """Read `path`, or ./podlab.yaml when it exists, or return the defaults."""
    if path is None:
        path = Path("podlab.yaml")
        if not path.exists():
            return NodeConfig()
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return NodeConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    unknown = sorted(set(data) - set(KNOWN_FIELDS))
    if unknown:
        raise ConfigError(f'{path}: unknown field "{unknown[0]}" (known fields: {", ".join(KNOWN_FIELDS)})')
    images = data.get("images") or {}
    if not isinstance(images, dict):
        raise ConfigError(f"{path}: images: expected a mapping of image name to command")
    for image, command in images.items():
        if not isinstance(command, str) or not command.strip():
            raise ConfigError(f'{path}: images["{image}"]: expected a command line (a non-empty string)')
    return NodeConfig(
        images={str(k): str(v) for k, v in images.items()},
        api_limits=_api_limits(path, data.get("apiServer")),
        log_rotation=_log_rotation(path, data),
        pod_pids_limit=_pod_pids_limit(path, data.get("podPidsLimit", -1)),
        image_sources=_image_sources(path, data.get("imageSources")),
        insecure_registries=_insecure_registries(path, data.get("insecureRegistries")),
    )


def _image_sources(path: Path, section: Any) -> dict[str, str]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: imageSources: expected a mapping of image name to builtin or pull")
    for image, source in section.items():
        if source not in ("builtin", "pull"):
            raise ConfigError(f'{path}: imageSources["{image}"]: expected builtin or pull, got {source!r}')
    return {str(k): str(v) for k, v in section.items()}


def _insecure_registries(path: Path, section: Any) -> tuple[str, ...]:
    if section is None:
        return ()
    if not isinstance(section, list) or not all(isinstance(h, str) and h for h in section):
        raise ConfigError(
            f"{path}: insecureRegistries: expected a list of registry hosts (host or host:port)"
        )
    return tuple(section)


def _api_limits(path: Path, section: Any) -> Limits:
    if section is None:
        return Limits()
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: apiServer: expected a mapping of limit name to number")
    known = ", ".join(sorted(_LIMIT_KEYS))
    values: dict[str, int | float] = {}
    for key, value in section.items():
        if key not in _LIMIT_KEYS:
            raise ConfigError(f'{path}: apiServer: unknown field "{key}" (known fields: {known})')
        name, kind = _LIMIT_KEYS[key]
        # bool is an int in Python; `maxHeaderCount: true` is a mistake, not 1.
        wanted = "an integer" if kind is int else "a number"
        if isinstance(value, bool) or not isinstance(value, kind if kind is int else (int, float)):
            raise ConfigError(f"{path}: apiServer.{key}: expected {wanted}, got {value!r}")
        if not value > 0:
            raise ConfigError(f"{path}: apiServer.{key}: must be greater than 0, got {value!r}")
        values[name] = value
    return Limits(**values)  # type: ignore[arg-type]


def _log_rotation(path: Path, data: dict[str, object]) -> LogRotation:
    size = data.get("containerLogMaxSize", DEFAULT_MAX_SIZE)
    files = data.get("containerLogMaxFiles", DEFAULT_MAX_FILES)
    try:
        max_size = int(parse_quantity(size))  # type: ignore[arg-type]
    except ValueError:
        raise ConfigError(f'{path}: containerLogMaxSize: invalid quantity "{size}"') from None
    # kubelet's validation wording (pkg/kubelet/apis/config/validation).
    if not isinstance(files, int) or isinstance(files, bool) or files <= 1:
        raise ConfigError(
            f"{path}: invalid configuration: containerLogMaxFiles ({files}) must be greater than 1"
        )
    if max_size <= 0:
        raise ConfigError(f'{path}: containerLogMaxSize: must be positive, got "{size}"')
    return LogRotation(max_size=max_size, max_files=files)


def _pod_pids_limit(path: Path, value: object) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(f"{path}: podPidsLimit: expected an integer, got {value!r}")
    # kubelet's validation: -1 (or any negative) means no limit; 0 would forbid every process.
    if value == 0:
        raise ConfigError(f"{path}: podPidsLimit: must be -1 (unlimited) or greater than 0, got 0")
    return None if value < 0 else value
