"""Strategic merge patch, JSON merge patch (RFC 7386) and JSON patch (RFC 6902).

Strategic merge patch follows apimachinery `pkg/util/strategicpatch/patch.go`: lists with a merge
key merge element by element, `$patch: delete|replace|merge`, `$setElementOrder/<list>`,
`$deleteFromPrimitiveList/<list>`, `$retainKeys`, and null deletes a field. Merge keys and list
strategies come from schema.yaml. JSON patch is written here (about 80 lines) rather than taken
from the `jsonpatch` package, which is not among podlab's dependencies, and because its errors must
read as the API server's.
"""

from __future__ import annotations

import copy
from typing import Any

from podlab.k8s.errors import Obj
from podlab.k8s.schema import FieldType, root_type, schema

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
SET_ORDER = "$setElementOrder/"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"


class PatchError(ValueError):
    """A patch that cannot be applied; the API server answers 422 (SMP) or 422/400 (JSON patch)."""


def _field_type(type_name: str | None, key: str) -> FieldType | None:
    if type_name is None:
        return None
    fields = schema().struct(type_name)
    return fields.get(key) if fields else None


def _struct_name(ftype: FieldType | None) -> str | None:
    if ftype is None or not ftype.is_struct:
        return None
    return ftype.name


def _strip_directives(value: Any) -> Any:
    """A patch value added where the original has nothing: directives removed, deletions dropped."""
    if isinstance(value, dict):
        if value.get(DIRECTIVE) == "delete":
            return None
        return {k: _strip_directives(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        # `{"$patch": ...}` elements only make sense against an original list; drop them.
        return [_strip_directives(i) for i in value if not (isinstance(i, dict) and DIRECTIVE in i)]
    return value


def _merge_map(original: Obj, patch: Obj, type_name: str | None) -> Obj | None:
    directive = patch.get(DIRECTIVE)
    if directive == "delete":
        return None
    if directive == "replace":
        return _strip_directives({k: v for k, v in patch.items() if k != DIRECTIVE})
    if directive not in (None, "merge"):
        raise PatchError(f"Unknown patch type: {directive} in map: {patch}")
    result = copy.deepcopy(original)
    retain = patch.get(RETAIN_KEYS)
    if isinstance(retain, list):
        keep = set(map(str, retain))
        for key in list(result):
            if key not in keep:
                del result[key]
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key in (DIRECTIVE, RETAIN_KEYS):
            continue
        if key.startswith(SET_ORDER):
            orders[key[len(SET_ORDER) :]] = value if isinstance(value, list) else []
            continue
        if key.startswith(DELETE_PRIMITIVE):
            name = key[len(DELETE_PRIMITIVE) :]
            drop = value if isinstance(value, list) else []
            if isinstance(result.get(name), list):
                result[name] = [v for v in result[name] if v not in drop]
            continue
        ftype = _field_type(type_name, key)
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        if isinstance(value, dict) and (isinstance(current, dict) or current is None):
            base = current if isinstance(current, dict) else {}
            merged: Obj | None
            if ftype is not None and ftype.is_map and ftype.is_struct:
                merged = _merge_struct_map(base, value, ftype.name)
            else:
                elem = None if ftype is not None and ftype.is_map else _struct_name(ftype)
                merged = _merge_map(base, value, elem)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            result[key] = _merge_list(current if isinstance(current, list) else [], value, ftype)
        else:
            result[key] = _strip_directives(copy.deepcopy(value))
    for name, order in orders.items():
        if isinstance(result.get(name), list):
            ftype = _field_type(type_name, name)
            result[name] = _apply_order(result[name], order, ftype.merge_key if ftype else None)
    return result


def _merge_struct_map(current: Obj, patch: Obj, elem_type: str) -> Obj:
    result = copy.deepcopy(current)
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        elif isinstance(v, dict) and isinstance(result.get(k), dict):
            merged = _merge_map(result[k], v, elem_type)
            if merged is None:
                result.pop(k, None)
            else:
                result[k] = merged
        else:
            result[k] = _strip_directives(v)
    return result


def _merge_list(original: list[Any], patch: list[Any], ftype: FieldType | None) -> list[Any]:
    merge_key = ftype.merge_key if ftype is not None else None
    # A `{"$patch": "replace"}` element replaces the whole list with the other elements.
    if any(isinstance(p, dict) and p.get(DIRECTIVE) == "replace" for p in patch):
        return [_strip_directives(p) for p in patch if not (isinstance(p, dict) and DIRECTIVE in p)]
    if merge_key is None:
        return [_strip_directives(p) for p in patch]  # atomic list: replaced whole
    if merge_key == "":
        # Scalars merged as a set (finalizers): keep the original order, append new ones.
        out = list(original)
        for item in patch:
            if item not in out:
                out.append(item)
        return out
    elem_type = _struct_name(ftype)
    result = copy.deepcopy(original)
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"unable to find api field in struct for the merge key {merge_key!r}: {item!r}")
        if merge_key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {merge_key}")
        key_value = item[merge_key]
        index = next(
            (i for i, o in enumerate(result) if isinstance(o, dict) and o.get(merge_key) == key_value), None
        )
        if item.get(DIRECTIVE) == "delete":
            result = [o for o in result if not (isinstance(o, dict) and o.get(merge_key) == key_value)]
            continue
        if index is None:
            result.append(_strip_directives(item))
        else:
            merged = _merge_map(result[index], item, elem_type)
            if merged is None:
                del result[index]
            else:
                result[index] = merged
    return result


def _apply_order(items: list[Any], order: list[Any], merge_key: str | None) -> list[Any]:
    """$setElementOrder: listed elements take the listed order; elements only on the server keep
    their place relative to the others (patch.go normalizeElementOrder)."""

    def ident(item: Any) -> Any:
        if merge_key and isinstance(item, dict):
            return item.get(merge_key)
        return item

    wanted = [ident(o) for o in order]
    ordered = sorted((i for i in items if ident(i) in wanted), key=lambda i: wanted.index(ident(i)))
    result: list[Any] = []
    pending = list(ordered)
    for item in items:
        if ident(item) in wanted:
            if pending:
                result.append(pending.pop(0))
        else:
            result.append(item)
    result.extend(pending)
    return result


def strategic_merge_patch(original: Obj, patch: Obj, kind: str) -> Obj:
    """Apply a strategic merge patch to an object of `kind` (the kinds in schema.yaml).

    Raises PatchError for a malformed patch (a merge-key list element without its key, an
    unknown `$patch` value).
    """
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be a JSON object")
    result = _merge_map(original, patch, root_type(kind))
    return result if result is not None else {}


def json_merge_patch(original: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = json_merge_patch(result.get(key), value)
    return result


# ---- RFC 6902 ------------------------------------------------------------------------------------


def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise PatchError(f"invalid JSON pointer: {path!r}")
    if path == "":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _resolve(doc: Any, parts: list[str], path: str) -> Any:
    cur = doc
    for part in parts:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            raise PatchError(f"doc is missing path: {path!r}")
    return cur


def _add(doc: Any, parts: list[str], value: Any, path: str) -> Any:
    if not parts:
        return value
    parent = _resolve(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise PatchError(f"add operation index out of bounds: {path!r}")
    else:
        raise PatchError(f"doc is missing path: {path!r}")
    return doc


def _remove(doc: Any, parts: list[str], path: str) -> Any:
    if not parts:
        raise PatchError("cannot remove the whole document")
    parent = _resolve(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise PatchError(f"Unable to remove nonexistent key: {last}: missing value")


def json_patch(original: Any, ops: list[Obj]) -> Any:
    """RFC 6902 operations add, remove, replace, move, copy, test; all or nothing."""
    if not isinstance(ops, list):
        raise PatchError("json patch must be a list of operations")
    doc = copy.deepcopy(original)
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError(f"invalid operation: {op!r}")
        name, path = op.get("op"), op.get("path")
        parts = _pointer(path)
        if name == "add":
            if "value" not in op:
                raise PatchError("add operation does not apply: doc is missing value")
            doc = _add(doc, parts, copy.deepcopy(op["value"]), str(path))
        elif name == "remove":
            _remove(doc, parts, str(path))
        elif name == "replace":
            if "value" not in op:
                raise PatchError("replace operation does not apply: doc is missing value")
            if parts:
                _resolve(doc, parts, str(path))
                _remove(doc, parts, str(path))
            doc = _add(doc, parts, copy.deepcopy(op["value"]), str(path))
        elif name in ("move", "copy"):
            source = op.get("from")
            from_parts = _pointer(source)
            value = copy.deepcopy(_resolve(doc, from_parts, str(source)))
            if name == "move":
                _remove(doc, from_parts, str(source))
            doc = _add(doc, parts, value, str(path))
        elif name == "test":
            if _resolve(doc, parts, str(path)) != op.get("value"):
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"Unexpected kind: {name}")
    return doc
