"""REST semantics of the resource endpoints: get, list, create, update, patch, delete.

Each handler is a plain function of the route, the request and the store, returning a
Response; watch, logs and port-forward (which stream or take the socket over) live in their
own modules. Wording of errors follows the apiserver's handlers (`staging/src/k8s.io/apiserver/
pkg/endpoints/handlers/`), because kubectl prints them verbatim.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from podlab.httpcore import Request, Response
from podlab.k8s import managed_fields
from podlab.k8s.admission import admit_pod
from podlab.k8s.ephemeral import ephemeral_update
from podlab.k8s.fieldpaths import FieldPathError
from podlab.k8s.names import generate_name
from podlab.k8s.namespace_lifecycle import admit_create, admit_namespace_delete
from podlab.k8s.resources import RESOURCES
from podlab.k8s.storage_classes import STORAGECLASSES, add_protection, admit_claim
from podlab.k8s.timestamps import format_time
from podlab.store import (
    AlreadyExists,
    BadRequest,
    Conflict,
    NotFound,
    PageInfo,
    Store,
    StoreError,
)
from podlab.store.paging import decode_continue

from . import k8sapi
from .bodies import (
    APPLY_PATCH,
    JSON_PATCH,
    MERGE_PATCH,
    PATCH_TYPES,
    RequestError,
    bad_request,
    decode_body,
    decode_object,
    dry_run,
    media_type,
)
from .eviction import evict
from .field_labels import check_field_selector
from .field_validation import check_fields, warning_header
from .negotiation import (
    TABLE_CONTENT_TYPE,
    error_response,
    json_response,
    method_not_allowed,
    not_found_response,
    query_params,
    status_body,
    status_response,
    wants_table,
)
from .routes import Route
from .scale import scale_response
from .services import ServiceAllocations
from .views import convert_response, from_storage, is_view, to_storage, version_errors

Obj = dict[str, Any]
log = logging.getLogger("podlab.apiserver.rest")


class Rest:
    """Resource handlers bound to one store and a wall clock (for Table ages and dry runs)."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        services: ServiceAllocations | None = None,
        fill_secret: Callable[[Obj], None] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        # ClusterIP/nodePort allocation; None serves Services as stored (no service network).
        self.services = services
        # The tokens controller's work on a new service-account-token Secret (legacy_tokens.py).
        self.fill_secret = fill_secret

    # -- dispatch ------------------------------------------------------------------------
    def handle(self, route: Route, request: Request) -> Response:
        response = self._handle(route, request)
        if is_view(route.resource):
            response = convert_response(route.resource, response)
        if route.resource.deprecation_warning:
            response.headers.append(warning_header(route.resource.deprecation_warning))
        written = request.method in ("POST", "PUT", "PATCH") and route.subresource is None
        if route.resource.write_warning and written and response.status < 300:
            response.headers.append(warning_header(route.resource.write_warning))
        return response

    def _handle(self, route: Route, request: Request) -> Response:
        params = query_params(request.query)
        method = request.method
        sub = route.subresource
        if sub is not None and route.resource.subresource(sub) is None:
            return not_found_response()
        try:
            if route.name is None:
                if method == "GET":
                    return self.list_objects(route, request, params)
                if method == "POST":
                    return self.create(route, request, params)
                if method == "DELETE":
                    return self.delete_collection(route, request, params)
                return method_not_allowed()
            if sub == "scale":
                return scale_response(self.store, route, request, params, format_time(self.clock()))
            if sub == "eviction":
                if method != "POST":
                    return method_not_allowed()
                return evict(self.store, route, request, params, self.clock)
            if method == "GET" and sub in (None, "status", "ephemeralcontainers"):
                return self.get(route, request, params)
            if method == "PUT" and sub in (None, "status", "ephemeralcontainers", "finalize"):
                return self.update(route, request, params)
            if method == "PATCH" and sub in (None, "status", "ephemeralcontainers"):
                return self.patch(route, request, params)
            if method == "DELETE" and sub is None:
                return self.delete(route, request, params)
            return method_not_allowed()
        except RequestError as err:
            return err.response
        except StoreError as err:
            return error_response(err)

    # -- reads ---------------------------------------------------------------------------
    def render(
        self,
        route: Route,
        request: Request,
        params: dict[str, str],
        objs: list[Obj],
        rv: str | PageInfo,
        *,
        single: bool,
    ) -> Response:
        info = rv if isinstance(rv, PageInfo) else PageInfo(rv)
        if wants_table(request.header("Accept")):
            table = k8sapi.to_table(route.resource.kind, objs, self.clock())
            table.setdefault("metadata", {}).update(info.list_meta())
            if params.get("includeObject") == "Object":
                for row, obj in zip(table.get("rows", []), objs, strict=False):
                    row["object"] = obj
            elif params.get("includeObject") == "None":
                for row in table.get("rows", []):
                    row.pop("object", None)
            return json_response(200, table, content_type=TABLE_CONTENT_TYPE)
        if single:
            return json_response(200, objs[0])
        return _list_response(route, objs, info)

    def get(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        assert route.name is not None
        obj = self.store.get(route.key, route.namespace, route.name)
        return self.render(route, request, params, [obj], obj["metadata"]["resourceVersion"], single=True)

    def list_objects(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        check_field_selector(route.resource, params.get("fieldSelector"))
        continue_token = params.get("continue") or None
        if continue_token and params.get("resourceVersion", "0") not in ("", "0"):
            decode_continue(continue_token)  # storage.ValidateListOptions: the token first
            raise BadRequest("specifying resource version is not allowed when using continue")
        page = self.store.list_page(
            route.key,
            route.namespace,
            label_selector=params.get("labelSelector"),
            field_selector=params.get("fieldSelector"),
            limit=_limit(params),
            continue_token=continue_token,
            # render() only reads the items and serializes them before returning: copying every
            # object first was a sixth of the node's CPU while 100 pods started and a client
            # polled the list (docs/PERFORMANCE.md).
            copies=False,
        )
        return self.render(route, request, params, page.items, page.info, single=False)

    # -- object checks shared by create, update and patch -------------------------------
    def _check_identity(self, route: Route, obj: Any) -> Obj:
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be a JSON object")
        resource = route.resource
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        if api_version and api_version != resource.api_version:
            raise bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({resource.api_version})"
            )
        if kind and kind != resource.kind:
            raise bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({resource.kind})"
            )
        obj["apiVersion"] = resource.api_version
        obj["kind"] = resource.kind
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        if resource.namespaced and route.namespace is not None:
            if meta.get("namespace") and meta["namespace"] != route.namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = route.namespace
        if route.name is not None and meta.get("name") and meta["name"] != route.name:
            raise bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({route.name})"
            )
        if route.name is not None:
            meta["name"] = route.name
        return to_storage(resource, obj)

    def _prepare(self, obj: Obj, old: Obj | None, route: Route | None = None) -> Obj:
        """Defaulting then validation, as the apiserver orders them."""
        defaulted = k8sapi.apply_defaults(obj)
        errors = k8sapi.validation_errors(defaulted, old)
        if route is not None and is_view(route.resource):
            errors.extend(version_errors(route.resource, defaulted, old))
            if errors:
                # The Status names the kind as the request's version does (Event.events.k8s.io).
                named = {**defaulted, "apiVersion": route.resource.api_version}
                raise _Invalid(k8sapi.invalid_status(named, errors))
        if not errors and self.services is not None and defaulted.get("kind") == "Service":
            errors = self.services.admit(defaulted, old)
        if errors:
            raise _Invalid(k8sapi.invalid_status(defaulted, errors))
        return defaulted

    def _prepare_sub(self, route: Route, obj: Obj, old: Obj) -> Obj:
        """What an update or patch writes: /status as sent, /ephemeralcontainers only its list,
        /finalize (namespaces) only spec.finalizers."""
        if route.subresource in ("status", "finalize"):
            return obj
        if route.subresource == "ephemeralcontainers":
            pod, errors = ephemeral_update(old, obj)
            if errors:
                raise _Invalid(k8sapi.invalid_status(pod, errors))
            return pod
        return self._prepare(obj, old, route)

    # -- writes --------------------------------------------------------------------------
    def create(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        try:
            body = decode_object(request)
            obj = self._check_identity(route, body.obj)
            warnings = check_fields(route, obj, params, body.strict_errors, apply=False)
            uid = k8sapi.prepare_for_create(obj)
            prepared = self._prepare(obj, None, route)
        except _Invalid as inv:
            return json_response(422, inv.status)
        # The field manager runs before admission (create.go): what admission adds is nobody's.
        prepared = self._track(route, request, params, None, prepared, sent=obj)
        self._admit_create(route, prepared)
        if route.resource.kind == "Secret" and self.fill_secret is not None:
            self.fill_secret(prepared)
        if route.resource.kind == "Pod":
            refusal = admit_pod(prepared, self._service_account)
            if refusal is not None:
                return status_response(403, "Forbidden", refusal.message, refusal.status_details())
        if dry_run(params):
            return json_response(201, self._dry_run_create(route, prepared), headers=warnings)
        return json_response(201, self.store.create(route.key, prepared, uid=uid), headers=warnings)

    def _admit_create(self, route: Route, obj: Obj) -> None:
        """NamespaceLifecycle admission: nothing new in a namespace being terminated;
        DefaultStorageClass: a claim naming no class gets the default one; and
        StorageObjectInUseProtection: claims and volumes get their protection finalizers."""
        if route.resource.kind == "PersistentVolumeClaim":
            admit_claim(obj, self.store.list(STORAGECLASSES)[0])
        add_protection(obj)
        namespace = obj["metadata"].get("namespace")
        if not route.resource.namespaced or not namespace:
            return
        try:
            ns = self.store.get(("", "namespaces"), None, namespace)
        except NotFound:
            return  # the store answers `namespaces "x" not found`
        refusal = admit_create(route.resource.group, route.resource.plural, obj, ns)
        if refusal is not None:
            raise refusal

    def _service_account(self, namespace: str, name: str) -> Obj | None:
        try:
            return self.store.get(("", "serviceaccounts"), namespace, name)
        except NotFound:
            return None

    def _dry_run_create(self, route: Route, obj: Obj) -> Obj:
        out = copy.deepcopy(obj)
        meta = out["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = generate_name(meta["generateName"])
        if meta.get("name"):
            try:
                self.store.get(route.key, route.namespace, meta["name"])
            except NotFound:
                pass
            else:
                raise AlreadyExists(route.resource.group, route.resource.plural, meta["name"])
        meta["uid"] = meta.get("uid") or str(uuid.uuid4())  # a Job's was given by prepare_for_create
        meta["creationTimestamp"] = format_time(self.clock())
        if route.resource.generation:
            meta["generation"] = 1
        return out

    def update(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        assert route.name is not None
        body = decode_object(request)
        obj = self._check_identity(route, body.obj)
        old = self.store.get(route.key, route.namespace, route.name)
        try:
            warnings = check_fields(route, obj, params, body.strict_errors, apply=False)
            new = self._prepare_sub(route, obj, old)
        except _Invalid as inv:
            return json_response(422, inv.status)
        new = self._track(route, request, params, old, new)
        return self._write(route, params, new, old, 200, warnings)

    def _track(
        self,
        route: Route,
        request: Request,
        params: dict[str, str],
        old: Obj | None,
        new: Obj,
        sent: Obj | None = None,
    ) -> Obj:
        """managedFields after an Update (create, PUT, non-apply PATCH) by this client."""
        if route.subresource == "finalize":
            return new
        try:
            return self._record_update(route, request, params, old, new, sent)
        except (ValueError, TypeError, KeyError) as exc:
            # Bookkeeping must never fail a write the API server accepted: keep the old entries.
            log.warning("managedFields not updated for %s: %s", route.resource.kind, exc)
            new["metadata"]["managedFields"] = (old or {}).get("metadata", {}).get("managedFields")
            if new["metadata"]["managedFields"] is None:
                del new["metadata"]["managedFields"]
            return new

    def _record_update(
        self,
        route: Route,
        request: Request,
        params: dict[str, str],
        old: Obj | None,
        new: Obj,
        sent: Obj | None,
    ) -> Obj:
        return managed_fields.record_update(
            old,
            new,
            kind=route.resource.kind,
            api_version=route.resource.api_version,
            manager=managed_fields.manager_name(params.get("fieldManager"), request.header("User-Agent")),
            subresource=route.subresource,
            now=format_time(self.clock()),
            sent=sent,
        )

    def _write(
        self,
        route: Route,
        params: dict[str, str],
        new: Obj,
        old: Obj,
        code: int,
        warnings: list[tuple[str, str]],
    ) -> Response:
        if dry_run(params):
            sent_rv = new["metadata"].get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise Conflict(route.resource.group, route.resource.plural, old["metadata"]["name"])
            # What the store would do, so `kubectl diff` shows the real outcome.
            generation = old["metadata"].get("generation")
            if generation is not None:
                spec_changed = route.subresource is None and new.get("spec") != old.get("spec")
                new["metadata"]["generation"] = generation + 1 if spec_changed else generation
            return json_response(code, new, headers=warnings)
        # A tracked subresource write brings the entries it computed (none left: none kept).
        tracked = route.subresource in ("status", "ephemeralcontainers")
        managed = new["metadata"].get("managedFields", []) if tracked else None
        return json_response(
            code,
            self.store.update(route.key, new, subresource=route.subresource, managed_fields=managed),
            headers=warnings,
        )

    def patch(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        assert route.name is not None
        media = media_type(request)
        if media not in PATCH_TYPES:
            return status_response(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types include: {', '.join(PATCH_TYPES)}",
            )
        decoded = decode_object(request)
        body = decoded.obj
        if media == APPLY_PATCH and not params.get("fieldManager"):
            raise RequestError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
            )
        if media != APPLY_PATCH and "force" in params:
            raise RequestError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
            )
        try:
            old: Obj | None = self.store.get(route.key, route.namespace, route.name)
        except NotFound:
            if media != APPLY_PATCH or route.subresource is not None:
                raise
            old = None
        try:
            if media == APPLY_PATCH and route.subresource in (None, "status"):
                return self._server_side_apply(route, params, decoded.strict_errors, old, body)
            # A view's patch applies to the object as that version shows it.
            patched = self._apply_patch(
                route, media, from_storage(route.resource, old) if old is not None else {}, body
            )
            patched = self._check_identity(route, patched)
            warnings = check_fields(route, patched, params, decoded.strict_errors, apply=media == APPLY_PATCH)
            new = self._prepare_sub(route, patched, old or {})
        except _Invalid as inv:
            return json_response(422, inv.status)
        assert old is not None
        new = self._track(route, request, params, old, new)
        return self._write(route, params, new, old, 200, warnings)

    def _server_side_apply(
        self, route: Route, params: dict[str, str], strict_errors: tuple[str, ...], old: Obj | None, body: Any
    ) -> Response:
        """Server-side apply: the config merged over the live object by field ownership
        (k8s/managed_fields.py); an absent object is created."""
        config = self._check_identity(route, body)
        if config["metadata"].get("managedFields") is not None:
            raise bad_request("metadata.managedFields must be nil")
        warnings = check_fields(route, config, params, strict_errors, apply=True)
        try:
            merged = managed_fields.apply(
                old,
                config,
                kind=route.resource.kind,
                api_version=route.resource.api_version,
                manager=params["fieldManager"],
                force=params.get("force", "").lower() == "true",
                now=format_time(self.clock()),
                subresource=route.subresource or "",
            )
        except managed_fields.ApplyConflict as conflict:
            return json_response(
                409, status_body(409, "Conflict", str(conflict), {"causes": conflict.causes()})
            )
        except FieldPathError as exc:
            # The field manager's plain error: a 500 Status without a reason, as kube-apiserver sends.
            meta = config["metadata"]
            where = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
            gvk = f"{route.resource.api_version}, Kind={route.resource.kind}"
            if "/" not in route.resource.api_version:
                gvk = "/" + gvk
            body = status_body(500, "", f"failed to create typed patch object ({where}; {gvk}): {exc}")
            del body["reason"]
            return json_response(500, body)
        if old is None:
            uid = k8sapi.prepare_for_create(merged)
            prepared = self._prepare(merged, None)
            self._admit_create(route, prepared)
            if dry_run(params):
                return json_response(201, self._dry_run_create(route, prepared), headers=warnings)
            return json_response(201, self.store.create(route.key, prepared, uid=uid), headers=warnings)
        new = self._prepare_sub(route, merged, old)
        return self._write(route, params, new, old, 200, warnings)

    def _apply_patch(self, route: Route, media: str, old: Obj, body: Any) -> Obj:
        try:
            if media == JSON_PATCH:
                if not isinstance(body, list):
                    raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
                return k8sapi.json_patch(old, body)
            if not isinstance(body, dict):
                raise bad_request("the body of the request must be a JSON object")
            if media == MERGE_PATCH:
                return k8sapi.json_merge_patch(old, body)
            # Strategic merge (and an apply to /ephemeralcontainers, treated as one).
            return k8sapi.strategic_merge_patch(old, body, route.resource.kind)
        except RequestError:
            raise
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise RequestError(422, "Invalid", str(exc)) from None

    def delete(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        assert route.name is not None
        if route.key == ("", "namespaces"):
            refusal = admit_namespace_delete(route.name)
            if refusal is not None:
                raise refusal
        options = self._delete_options(request, params)
        grace = options.get("gracePeriodSeconds")
        preconditions = options.get("preconditions") or {}
        obj = self.store.get(route.key, route.namespace, route.name)
        if dry_run(params, options):
            return json_response(200, obj)
        if options.get("propagationPolicy") == "Orphan" or options.get("orphanDependents") is True:
            self._orphan_dependents(obj)
        result = self.store.delete(
            route.key,
            route.namespace,
            route.name,
            grace_period_seconds=None if grace is None else int(grace),
            preconditions_uid=preconditions.get("uid"),
            preconditions_resource_version=preconditions.get("resourceVersion"),
        )
        still_there = bool(result["metadata"].get("deletionTimestamp")) and self._exists(route)
        if still_there or route.resource.returns_deleted_object:
            return json_response(200, result)
        details: Obj = {"name": route.name, "kind": route.resource.plural, "uid": result["metadata"]["uid"]}
        if route.resource.group:
            details["group"] = route.resource.group
        body = status_body(200, "", "", details)
        body.update(status="Success")
        for key in ("message", "reason", "code"):
            body.pop(key)
        return json_response(200, body)

    def _exists(self, route: Route) -> bool:
        assert route.name is not None
        try:
            self.store.get(route.key, route.namespace, route.name)
        except NotFound:
            return False
        return True

    def delete_collection(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        if "deletecollection" not in route.resource.verbs:
            return method_not_allowed()
        options = self._delete_options(request, params)
        grace = options.get("gracePeriodSeconds")
        if dry_run(params, options):
            items, rv = self.store.list(
                route.key,
                route.namespace,
                label_selector=params.get("labelSelector"),
                field_selector=params.get("fieldSelector"),
            )
        else:
            items = self.store.delete_collection(
                route.key,
                route.namespace,
                label_selector=params.get("labelSelector"),
                field_selector=params.get("fieldSelector"),
                grace_period_seconds=None if grace is None else int(grace),
            )
            rv = self.store.resource_version
        return _list_response(route, items, rv)

    @staticmethod
    def _delete_options(request: Request, params: dict[str, str]) -> Obj:
        options: Obj = {}
        if request.body.strip():
            decoded = decode_body(request)
            if not isinstance(decoded, dict):
                raise bad_request("DeleteOptions must be a JSON object")
            options = decoded
        for name in ("gracePeriodSeconds", "propagationPolicy", "orphanDependents"):
            if name in params and name not in options:
                value: Any = params[name]
                if name == "gracePeriodSeconds":
                    try:
                        value = int(value)
                    except ValueError:
                        raise bad_request(f'invalid gracePeriodSeconds "{value}"') from None
                if name == "orphanDependents":
                    value = value.lower() == "true"
                options[name] = value
        policy = options.get("propagationPolicy")
        if policy not in (None, "Orphan", "Background", "Foreground"):
            raise RequestError(
                422,
                "Invalid",
                f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "{policy}": '
                'supported values: "Foreground", "Background", "Orphan", "nil"',
            )
        return options

    def _orphan_dependents(self, owner: Obj) -> None:
        """propagationPolicy=Orphan: dependents lose their ownerReference to the owner."""
        uid = owner["metadata"]["uid"]
        namespace = owner["metadata"].get("namespace")
        for resource in RESOURCES:
            if not resource.namespaced:
                continue
            items, _ = self.store.list(resource.key, namespace)
            for item in items:
                refs = item["metadata"].get("ownerReferences") or []
                kept = [r for r in refs if r.get("uid") != uid]
                if len(kept) != len(refs):
                    item["metadata"]["ownerReferences"] = kept
                    self.store.update(resource.key, item)


def _list_response(route: Route, items: list[Obj], rv: str | PageInfo) -> Response:
    """`<Kind>List`, as list and deletecollection both answer."""
    info = rv if isinstance(rv, PageInfo) else PageInfo(rv)
    body = {
        "kind": route.resource.list_kind,
        "apiVersion": route.resource.api_version,
        "metadata": info.list_meta(),
        "items": items,
    }
    return json_response(200, body)


def _limit(params: dict[str, str]) -> int:
    """`limit`: at most that many items; absent, zero or negative: all of them."""
    try:
        return max(0, int(params.get("limit") or 0))
    except ValueError:
        return 0


class _Invalid(Exception):
    def __init__(self, status: Obj) -> None:
        super().__init__(status.get("message", "invalid"))
        self.status = status


__all__ = ["BadRequest", "RequestError", "Rest"]
