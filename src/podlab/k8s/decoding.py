"""JSON and YAML text to objects as kube-apiserver's decoders see it: duplicate keys and depth.

Two things a plain `json.loads` / `yaml.safe_load` gets wrong for an API server:

- **Duplicate keys.** Go's strict decoder (sigs.k8s.io/json `UnmarshalStrict`) reports every
  repeated key as `duplicate field "metadata.name"` (the full path: keys joined by ".", list
  indexes as "[0]"); the last value wins, as it does here. YAML bodies go through
  `yaml.YAMLToJSONStrict` (go-yaml v2) instead: `line 5: key "name" already set in map`. What to do
  with them (refuse, warn, ignore) is the caller's business (the fieldValidation directive).
- **Nesting depth.** Go's scanner refuses JSON nested deeper than 10,000 with `exceeded max
  depth`. Python cannot follow that far: the parser, `copy.deepcopy` and every recursive walk
  share one recursion limit of 1,000 frames, and a `RecursionError` half-way through a request
  is a crash, not an answer. So podlab refuses anything deeper than MAX_DEPTH, with Go's words.
  No real object comes close: a Deployment's deepest field (a node-affinity match expression
  value) is 14 levels down, its managedFields a few more.

Sans-IO: text in, values out; no knowledge of HTTP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

MAX_DEPTH = 100
DEPTH_MESSAGE = "exceeded max depth"

# libyaml's parser when PyYAML was built with it: about 10x faster on big manifests, and its
# parser is not recursive (it stops at 1,000 levels with "exceeded maximum nesting depth").
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DecodeError(Exception):
    """Text that is not an acceptable document; str() is the decoder's own wording."""


@dataclass(frozen=True, slots=True)
class YamlDuplicate:
    """A mapping key given twice in YAML: where, and where it was first defined (1-based lines)."""

    key: str  # as Go's %#v prints it: "name" quoted, true and 1 bare
    line: int
    first_line: int

    def v2_text(self) -> str:
        """go-yaml v2 strict (sigs.k8s.io/yaml YAMLToJSONStrict, what kube-apiserver runs)."""
        return f"line {self.line}: key {self.key} already set in map"

    def v3_text(self) -> str:
        """go-yaml v3 (kustomize and newer YAML tooling): names both lines."""
        return f"line {self.line}: mapping key {self.key} already defined at line {self.first_line}"


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded body and its strict-decoding errors (empty when the text was clean)."""

    obj: Any
    strict_errors: tuple[str, ...] = ()


def check_depth(obj: Any, limit: int = MAX_DEPTH) -> None:
    """DecodeError when `obj` nests deeper than `limit` containers (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise DecodeError(DEPTH_MESSAGE)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))


def _go_key(key: Any) -> str:
    return json.dumps(key) if isinstance(key, str | int | float | bool) or key is None else repr(key)


# ---- JSON ------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    # Python accepts NaN and Infinity; JSON (and Go) do not, and they would not survive a re-encode.
    raise DecodeError(f"invalid character '{name[0]}' looking for beginning of value")


def _duplicate_paths(obj: Any, marks: dict[int, list[str]]) -> list[str]:
    """`duplicate field "<path>"` for every marked dict, in document order (iterative walk)."""
    out: list[str] = []
    stack: list[tuple[Any, str]] = [(obj, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key in marks.get(id(node), ()):
                out.append(f'duplicate field "{path + "." + key if path else key}"')
            children = [(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        stack.extend(reversed([c for c in children if isinstance(c[0], dict | list)]))
    return out


def decode_json(text: str) -> Decoded:
    """Parse JSON text; DecodeError with Go's wording for what Go's decoder refuses."""
    marks: dict[int, list[str]] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        repeated: list[str] = []
        for key, value in items:
            if key in obj and key not in repeated:
                repeated.append(key)
            obj[key] = value  # the last one wins, as in Go
        if repeated:
            marks[id(obj)] = repeated
        return obj

    try:
        obj = json.loads(text, object_pairs_hook=pairs, parse_constant=_refuse_constant)
    except RecursionError:
        raise DecodeError(DEPTH_MESSAGE) from None
    except ValueError as exc:  # JSONDecodeError, and int strings past Python's digit limit
        raise DecodeError(str(exc)) from None
    check_depth(obj)
    # The marked dicts are all alive inside `obj`, so their ids cannot have been reused.
    return Decoded(obj, tuple(_duplicate_paths(obj, marks)) if marks else ())


# ---- YAML ------------------------------------------------------------------------------------


class _RecordingLoader(_BaseLoader):
    """SafeLoader that notes repeated mapping keys (the last value still wins)."""

    duplicates: list[YamlDuplicate]


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    first: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        try:
            seen_at = first.get(key)
        except TypeError:  # an unhashable key: construct_mapping reports it properly
            continue
        line = key_node.start_mark.line + 1
        if seen_at is None:
            first[key] = line
        else:
            loader.duplicates.append(YamlDuplicate(_go_key(key), line, seen_at))
    return loader.construct_mapping(node, deep=deep)


_RecordingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def yaml_documents(text: str) -> list[tuple[Any, list[YamlDuplicate]]]:
    """Every document of a YAML stream with the duplicate keys found in it.

    yaml.YAMLError propagates (the caller words it); RecursionError (the pure-Python parser on
    deep input) and documents deeper than MAX_DEPTH raise DecodeError.
    """
    loader = _RecordingLoader(text)
    loader.duplicates = []
    out: list[tuple[Any, list[YamlDuplicate]]] = []
    try:
        while loader.check_data():
            doc = loader.get_data()
            check_depth(doc)
            out.append((doc, loader.duplicates))
            loader.duplicates = []
    except RecursionError:
        raise DecodeError(DEPTH_MESSAGE) from None
    finally:
        loader.dispose()
    return out


def decode_yaml(text: str) -> Decoded:
    """One YAML document (a request body); duplicates worded as kube-apiserver's strict check."""
    docs = yaml_documents(text)
    if not docs:
        return Decoded(None)
    obj, duplicates = docs[0]
    if not duplicates:
        return Decoded(obj)
    lines = "".join(f"\n  {d.v2_text()}" for d in duplicates)
    return Decoded(obj, (f"yaml: unmarshal errors:{lines}",))
