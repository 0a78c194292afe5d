"""Store errors that carry their Kubernetes `Status` body.

The wording follows apimachinery `pkg/api/errors/errors.go` (NewNotFound, NewAlreadyExists,
NewConflict, NewInvalid, NewGone, NewBadRequest), because users search for these sentences.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def qualified_resource(group: str, plural: str) -> str:
    """`pods` for the core group, `deployments.apps` otherwise (schema.GroupResource.String)."""
    return f"{plural}.{group}" if group else plural


class StoreError(Exception):
    """Base of every store failure; `status()` is the Status body the API server returns."""

    code: int = 500
    reason: str = "InternalError"

    def __init__(self, message: str, *, details: Obj | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def status(self) -> Obj:
        body: Obj = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(group: str, plural: str, name: str | None) -> Obj:
    details: Obj = {"group": group, "kind": plural} if group else {"kind": plural}
    if name is not None:
        details = {"name": name, **details}
    return details


class NotFound(StoreError):
    """Raised when the named object does not exist."""

    code = 404
    reason = "NotFound"

    def __init__(self, group: str, plural: str, name: str) -> None:
        super().__init__(
            f'{qualified_resource(group, plural)} "{name}" not found', details=_details(group, plural, name)
        )


class AlreadyExists(StoreError):
    """Raised by create when the name is taken."""

    code = 409
    reason = "AlreadyExists"

    def __init__(self, group: str, plural: str, name: str) -> None:
        super().__init__(
            f'{qualified_resource(group, plural)} "{name}" already exists',
            details=_details(group, plural, name),
        )


_MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


class Conflict(StoreError):
    """Raised by update when metadata.resourceVersion is stale."""

    code = 409
    reason = "Conflict"

    def __init__(self, group: str, plural: str, name: str, why: str = _MODIFIED) -> None:
        super().__init__(
            f'Operation cannot be fulfilled on {qualified_resource(group, plural)} "{name}": {why}',
            details=_details(group, plural, name),
        )


class Invalid(StoreError):
    """Raised when an object is malformed (missing name, wrong namespace, validation failures)."""

    code = 422
    reason = "Invalid"

    def __init__(self, message: str, *, details: Obj | None = None) -> None:
        super().__init__(message, details=details)


class Forbidden(StoreError):
    """Raised when admission refuses a request (apierrors.NewForbidden): `<resource> "<name>" is
    forbidden: <why>`."""

    code = 403
    reason = "Forbidden"

    def __init__(
        self, group: str, plural: str, name: str, why: str, *, causes: list[Obj] | None = None
    ) -> None:
        resource = qualified_resource(group, plural)
        message = f'{resource} "{name}" is forbidden: {why}' if name else f"{resource} is forbidden: {why}"
        details = _details(group, plural, name or None)
        if causes:
            details["causes"] = causes
        super().__init__(message, details=details)


class BadRequest(StoreError):
    """Raised for malformed selectors and similar caller mistakes."""

    code = 400
    reason = "BadRequest"


class Gone(StoreError):
    """Raised when a watch asks for history that was compacted away, or a watcher fell behind."""

    code = 410
    reason = "Expired"

    def __init__(self, message: str, *, continue_token: str | None = None) -> None:
        super().__init__(message)
        self.continue_token = continue_token

    def status(self) -> Obj:
        body = super().status()
        if self.continue_token is not None:
            body["metadata"] = {"continue": self.continue_token}  # a token to go on inconsistently
        return body
