"""One error shape for every error the API answers:

    {"detail": "<sentence>", "errors": [{"field": "<name>", "message": "<text>"}]}

`errors` names the fields at fault (nested fields as "guardians.0.phone"; "" for the
request as a whole) and is empty when no field is at fault (401, 404, …).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cleftmission.core.forms import errors_by_field

logger = logging.getLogger(__name__)

# Where ninja found a bad value; the client only cares about the field.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# Every router names its JSON body parameter `payload`.
BODY_PARAM = "payload"

FieldErrors = list[dict[str, str]]


class ApiError(Exception):
    """An answer other than success, in the API's error shape."""

    def __init__(self, status: int, detail: str, errors: FieldErrors | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


def invalid(errors: FieldErrors) -> ApiError:
    return ApiError(422, _("The data sent is not valid: see the errors for each field."), errors)


def invalid_form(form: forms.BaseForm, prefix: str = "") -> ApiError:
    return invalid(prefixed(errors_by_field(form), prefix))


def prefixed(errors: FieldErrors, prefix: str) -> FieldErrors:
    """Name the fields of a nested form, e.g. "guardians.0.phone"."""
    if not prefix:
        return errors
    return [{"field": f"{prefix}.{e['field']}" if e["field"] else prefix, "message": e["message"]} for e in errors]


def form_errors(form: forms.BaseForm, prefix: str = "") -> FieldErrors:
    return [] if form.is_valid() else prefixed(errors_by_field(form), prefix)


def forbidden_fields(names: Iterable[str]) -> ApiError:
    names = sorted(names)
    return ApiError(
        403,
        _("Your role may not change these fields: %(fields)s.") % {"fields": ", ".join(names)},
        [{"field": name, "message": _("Your role may not change this field.")} for name in names],
    )


def field_from_loc(loc: Iterable[Any]) -> str:
    """("body", "payload", "guardians", 0, "phone") -> "guardians.0.phone"; ("query", "limit") -> "limit"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(str(p) for p in parts)


def django_validation_errors(exc: DjangoValidationError) -> FieldErrors:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


def install(api: NinjaAPI) -> None:
    """Answer every exception in the one error shape."""

    def respond(request: HttpRequest, status: int, detail: str, errors: FieldErrors | None = None) -> HttpResponse:
        return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.detail, exc.errors)

    def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": field_from_loc(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors]
        return respond(request, 422, _("The data sent is not valid: see the errors for each field."), errors)

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, exc.message)
        response["WWW-Authenticate"] = 'Bearer realm="CleftMission API"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # ninja could not parse the body
            return respond(request, 400, _("The request body could not be read as JSON."))
        return respond(request, exc.status_code, exc.message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, _("Not found."))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or _("Your role may not do this."))

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(
            request, 422, _("The data sent is not valid: see the errors for each field."), django_validation_errors(exc)
        )

    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A constraint the forms could not see coming, usually a concurrent write: nothing was saved.
        logger.warning("API write refused by the database: %s", exc)
        return respond(request, 409, _("This conflicts with data saved at the same time; nothing was saved."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, _("Something went wrong on the server; nothing was saved."))

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ApiError, on_api_error),
        (NinjaValidationError, on_schema_error),
        (AuthenticationError, on_authentication),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (PermissionDenied, on_permission_denied),
        (DjangoValidationError, on_django_validation),
        (IntegrityError, on_integrity),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


# Mounted last: any other path under the API answers 404 in the error shape, not an HTML page.
not_found_router = Router(auth=None)


@not_found_router.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False)
def no_such_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404
