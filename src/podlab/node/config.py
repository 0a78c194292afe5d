"""`podlab.yaml`: the user's node settings: what unknown images run as, and log rotation.

```yaml
images:
  registry.k8s.io/goproxy:0.1: python3 -m http.server 8080   # image (with or without tag) -> command
containerLogMaxSize: 10Mi   # kubelet's KubeletConfiguration fields and defaults
containerLogMaxFiles: 5
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from podlab.k8s.quantity import parse_quantity
from podlab.runtime.logfiles import DEFAULT_MAX_FILES, DEFAULT_MAX_SIZE, LogRotation

KNOWN_FIELDS = ("images", "containerLogMaxSize", "containerLogMaxFiles")


class ConfigError(Exception):
    """podlab.yaml is unreadable or malformed; the message names the file and the field."""


@dataclass
class NodeConfig:
    images: dict[str, str] = field(default_factory=dict)
    log_rotation: LogRotation = field(default_factory=LogRotation)


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
        images={str(k): str(v) for k, v in images.items()}, log_rotation=_log_rotation(path, data)
    )


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
