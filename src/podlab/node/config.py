"""`podlab.yaml`: the user's node settings. Today: `images:`, what unknown images run as.

```yaml
images:
  registry.k8s.io/goproxy:0.1: python3 -m http.server 8080   # image (with or without tag) -> command
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml


class ConfigError(Exception):
    """podlab.yaml is unreadable or malformed; the message names the file and the field."""


@dataclass
class NodeConfig:
    images: dict[str, str] = field(default_factory=dict)


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
    unknown = sorted(set(data) - {"images"})
    if unknown:
        raise ConfigError(f'{path}: unknown field "{unknown[0]}" (known fields: images)')
    images = data.get("images") or {}
    if not isinstance(images, dict):
        raise ConfigError(f"{path}: images: expected a mapping of image name to command")
    for image, command in images.items():
        if not isinstance(command, str) or not command.strip():
            raise ConfigError(f'{path}: images["{image}"]: expected a command line (a non-empty string)')
    return NodeConfig(images={str(k): str(v) for k, v in images.items()})
