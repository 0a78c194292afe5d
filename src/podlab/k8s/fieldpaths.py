"""Field sets of structured-merge-diff (sigs.k8s.io/structured-merge-diff, `fieldpath` and
`typed`): what server-side apply and managedFields are made of.

A path is a tuple of elements: `("f", name)` a struct field or map key, `("k", '{"name":"x"}')`
an associative-list item by its keys, `("v", '"x"')` a set-list item by its value, `("i", "0")`
an atomic-list position (never produced for tracked lists). The key and value texts are compact
JSON with sorted keys, exactly as `fieldsV1` spells them (`k:{"containerPort":80,"protocol":"TCP"}`).

Types come from schema.yaml (the table strict validation and strategic merge use). Where server-side
apply keys a list differently from strategic merge (container ports by containerPort+protocol,
service ports by port+protocol) `_LIST_KEYS` says so (k8s.io/api `+listMapKey` markers); structs
upstream marks `+structType=atomic` are leaves (`_ATOMIC`). Fields typed `any` are leaves.

What each walk does mirrors `typed/tofieldset.go` (the set an applier owns: scalars, atomic
lists/maps and every list item; empty maps own nothing), `typed/compare.go` with the
`Compare` rules of `typed/typed.go` (leaves added/modified/removed; non-leaf nodes added or removed),
`typed/merge.go` (an applied config merged over the live object, list order included) and
`typed/remove.go` (maps and lists emptied by a removal disappear).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.schema import SCALARS, FieldType, root_type, schema

PathElement = tuple[str, str]
Path = tuple[PathElement, ...]

# `+structType=atomic` in k8s.io/api and apimachinery (owned as one value).
_ATOMIC = frozenset(
    {
        "LabelSelector",
        "LocalObjectReference",
        "ObjectReference",
        "KeySelector",
        "ObjectFieldSelector",
        "ResourceFieldSelector",
    }
)
# `+listMapKey` where it differs from the strategic merge key (`patchMergeKey`).
_LIST_KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Container", "ports"): ("containerPort", "protocol"),
    ("ServiceSpec", "ports"): ("port", "protocol"),
    ("PodSpec", "topologySpreadConstraints"): ("topologyKey", "whenUnsatisfiable"),
}
# Key fields with a default in the OpenAPI schema: an item may omit them (listMapKey defaults).
_KEY_DEFAULTS: dict[str, Any] = {"protocol": "TCP"}


class FieldPathError(ValueError):
    """An associative list item without its key: the applied config cannot be tracked."""


@dataclass(frozen=True)
class _Desc:
    """How server-side apply sees one value: leaf, struct, granular map, keyed list or set."""

    kind: str  # "leaf" | "struct" | "map" | "assoc" | "set"
    name: str = ""  # struct name (struct), element type name (map, assoc)
    keys: tuple[str, ...] = ()


_LEAF = _Desc("leaf")


def _describe(ftype: FieldType | None, owner: str = "", field_name: str = "") -> _Desc:
    if ftype is None:
        return _LEAF
    if ftype.is_list:
        if ftype.merge_key is None:
            return _LEAF
        if ftype.merge_key == "":
            return _Desc("set")
        keys = _LIST_KEYS.get((owner, field_name), (ftype.merge_key,))
        return _Desc("assoc", ftype.name, keys)
    if ftype.is_map:
        return _Desc("map", ftype.name)
    if ftype.name == "map":
        return _Desc("map", "string")
    if ftype.name in SCALARS or ftype.name in _ATOMIC:
        return _LEAF
    return _Desc("struct", ftype.name)


@cache
def _child(desc: _Desc, key: str) -> _Desc:
    if desc.kind == "map":
        return _describe(FieldType(desc.name))
    fields = schema().struct(desc.name) or {}
    return _describe(fields.get(key), desc.name, key)


@cache
def _item_desc(desc: _Desc) -> _Desc:
    if desc.name == "any":
        # Keyed items schema.yaml leaves untyped (Service ports): one level of fields, so a
        # server-set field (nodePort) survives an apply that does not name it.
        return _Desc("map", "any")
    return _describe(FieldType(desc.name))


def root(kind: str) -> _Desc:
    name = root_type(kind)
    return _Desc("struct", name) if name else _LEAF


def _compact(value: Any) -> str:
    # default=str: a YAML body may hold dates, which JSON would have sent as strings.
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def item_element(desc: _Desc, item: Any, where: Path, index: int = 0) -> PathElement:
    """The path element of one list item: its keys (associative) or its value (set)."""
    if desc.kind == "set":
        return ("v", _compact(item))
    if not isinstance(item, dict):
        raise FieldPathError(
            f"{path_string(where)}: element {index}: associative list with keys has an element that is not a map"
        )
    keys: dict[str, Any] = {}
    for key in desc.keys:
        if key in item:
            keys[key] = item[key]
        elif key in _KEY_DEFAULTS:
            keys[key] = _KEY_DEFAULTS[key]
        else:
            raise FieldPathError(
                f"{path_string(where)}: element {index}: associative list with keys has an element that omits "
                f'key field "{key}" (and doesn\'t have default value)'
            )
    return ("k", _compact(keys))


@dataclass
class Flat:
    """One object walked: its leaves with their values, its non-leaf nodes, and its member set
    (what `ToFieldSet` gives)."""

    leaves: dict[Path, Any] = field(default_factory=dict)
    nodes: set[Path] = field(default_factory=set)
    members: set[Path] = field(default_factory=set)

    @property
    def present(self) -> set[Path]:
        return set(self.leaves) | self.nodes


def flatten(value: Any, desc: _Desc, *, strict: bool = False) -> Flat:
    """`strict` (an applied config): a list item repeated is an error, not the first one kept."""
    flat = Flat()
    _walk(value, desc, (), flat, strict)
    return flat


def _walk(value: Any, desc: _Desc, path: Path, flat: Flat, strict: bool = False) -> None:
    if desc.kind in ("struct", "map") and isinstance(value, dict):
        if not value:
            flat.leaves[path] = value  # empty: a leaf to compare, but owns nothing
            return
        flat.nodes.add(path)
        for key, child in value.items():
            _walk(child, _child(desc, key), (*path, ("f", key)), flat, strict)
        return
    if desc.kind in ("assoc", "set") and isinstance(value, list):
        if not value:
            flat.leaves[path] = value
            return
        flat.nodes.add(path)
        elem = _item_desc(desc)
        seen: set[PathElement] = set()
        for index, item in enumerate(value):
            element = item_element(desc, item, path, index)
            if element in seen:
                if strict:
                    raise FieldPathError(
                        f"{path_string(path)}: duplicate entries for key {path_string((element,))}"
                    )
                continue
            seen.add(element)
            item_path = (*path, element)
            if desc.kind == "set":
                flat.leaves[item_path] = item
            else:
                _walk(item, elem, item_path, flat, strict)
            flat.members.add(item_path)
        return
    flat.leaves[path] = value
    if path:
        flat.members.add(path)


@dataclass
class Comparison:
    added: set[Path]
    modified: set[Path]
    removed: set[Path]


def compare(lhs: Flat, rhs: Flat) -> Comparison:
    left, right = lhs.present, rhs.present
    modified = {p for p in set(lhs.leaves) & set(rhs.leaves) if not _same(lhs.leaves[p], rhs.leaves[p])}
    return Comparison(added=right - left, modified=modified, removed=left - right)


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 and True differ, 1 and 1.0 do not.
    return (type(a) is type(b) and a == b) or (_number(a) and _number(b) and a == b)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


# ---- merge (apply) ----------------------------------------------------------------------------


def merge(live: Any, config: Any, desc: _Desc, path: Path = ()) -> Any:
    """The applied config over the live value: config wins on leaves, maps merge, keyed lists
    merge item by item in the order `typed/merge.go` gives. The result shares unchanged values
    with both inputs (copy it before changing it in place)."""
    if desc.kind in ("struct", "map") and isinstance(config, dict):
        result = dict(live) if isinstance(live, dict) else {}
        for key, value in config.items():
            if value is None:
                result.pop(key, None)
                continue
            result[key] = merge(result.get(key), value, _child(desc, key), (*path, ("f", key)))
        return result
    if desc.kind in ("assoc", "set") and isinstance(config, list):
        return _merge_list(live if isinstance(live, list) else [], config, desc, path)
    return config


def _index(items: list[Any], desc: _Desc, path: Path) -> tuple[list[PathElement], dict[PathElement, Any]]:
    order: list[PathElement] = []
    seen: dict[PathElement, Any] = {}
    for index, item in enumerate(items):
        element = item_element(desc, item, path, index)
        if element not in seen:
            seen[element] = item
            order.append(element)
    return order, seen


def _merge_list(live: list[Any], config: list[Any], desc: _Desc, path: Path) -> list[Any]:
    l_order, l_items = _index(live, desc, path)
    r_order, r_items = _index(config, desc, path)
    elem = _item_desc(desc)
    shared = [e for e in r_order if e in l_items]
    out: list[Any] = []

    merged: set[PathElement] = set()

    def take(element: PathElement) -> None:
        if element in r_items:
            merged.add(element)
            out.append(merge(l_items.get(element), r_items[element], elem, (*path, element)))
        else:
            out.append(l_items[element])

    li = ri = 0
    next_shared = shared.pop(0) if shared else None
    while li < len(l_order) or ri < len(r_order):
        if li < len(l_order) and ri < len(r_order):
            element = l_order[li]
            if element == r_order[ri]:
                take(element)
                li, ri = li + 1, ri + 1
                next_shared = shared.pop(0) if shared else None
                continue
            if element in r_items and next_shared is not None and next_shared != element:
                li += 1  # a shared item, placed when the config reaches it
                continue
        if li < len(l_order):
            if l_order[li] not in r_items:
                take(l_order[li])  # only on the server: keeps its place
                li += 1
                continue
            if l_order[li] in merged:
                li += 1  # placed already, where the config put it
        if ri < len(r_order):
            element = r_order[ri]
            take(element)
            ri += 1
            if next_shared is not None and next_shared == element:
                next_shared = shared.pop(0) if shared else None
    return out


# ---- removal ----------------------------------------------------------------------------------


def remove(obj: Obj, paths: set[Path], desc: _Desc) -> Obj:
    """The object without these paths; maps and lists a removal empties go too."""
    result = copy.deepcopy(obj)
    for path in sorted(paths, key=len, reverse=True):
        _remove_path(result, path, desc)
    return result


def _remove_path(value: Any, path: Path, desc: _Desc) -> bool:
    """Removes path below value; True when value is left empty by it."""
    if not path:
        return False
    kind, text = path[0]
    if kind == "f" and isinstance(value, dict):
        if text not in value:
            return False
        if len(path) == 1 or _remove_path(value[text], path[1:], _child(desc, text)):
            del value[text]
        return not value
    if kind in ("k", "v") and isinstance(value, list) and desc.kind in ("assoc", "set"):
        for i, item in enumerate(value):
            try:
                element = item_element(desc, item, ())
            except FieldPathError:
                continue
            if element != path[0]:
                continue
            if len(path) == 1 or _remove_path(item, path[1:], _item_desc(desc)):
                del value[i]
            break
        return not value
    return False


# ---- encoding ---------------------------------------------------------------------------------

_ORDER = {"f": 0, "k": 1, "v": 2, "i": 3}


def to_fields_v1(paths: set[Path]) -> Obj:
    """The `fieldsV1` tree: `f:`/`k:`/`v:`/`i:` keys, `.` marking a member that has children."""
    tree: Obj = {}
    for path in paths:
        node = tree
        for kind, text in path:
            node = node.setdefault(f"{kind}:{text}", {})
    out = _sorted_tree(tree, (), paths)
    return out


def _sorted_tree(node: Obj, prefix: Path, members: set[Path]) -> Obj:
    out: Obj = {}
    if prefix and node and prefix in members:
        out["."] = {}
    for key in sorted(node, key=lambda k: (_ORDER.get(k[0], 9), k[2:])):
        kind, text = key.split(":", 1)
        out[key] = _sorted_tree(node[key], (*prefix, (kind, text)), members)
    return out


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(tree, dict):
        return out
    if prefix and (not tree or "." in tree):
        out.add(prefix)
    for key, child in tree.items():
        if key == "." or ":" not in key:
            continue
        kind, text = key.split(":", 1)
        out |= from_fields_v1(child, (*prefix, (kind, text)))
    return out


def path_string(path: Path) -> str:
    """As `fieldpath.Path.String()`: `.spec.containers[name="app"].image`."""
    parts: list[str] = []
    for kind, text in path:
        if kind == "f":
            parts.append(f".{text}")
        elif kind == "k":
            keys = json.loads(text)
            parts.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(keys.items())) + "]")
        elif kind == "v":
            parts.append(f"[={text}]")
        else:
            parts.append(f"[{text}]")
    return "".join(parts)


def sort_key(path: Path) -> tuple[tuple[int, str], ...]:
    return tuple((_ORDER.get(kind, 9), text) for kind, text in path)
