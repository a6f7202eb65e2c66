"""The HTTP API root (django-ninja): auth, error format, and each app's router.

Auth: the browser's session (with CSRF on writes) or ``Authorization: Bearer <token>`` for
scripts (``kam token create USER``). Errors are JSON ``{"code": ..., "message": ...}`` with a
stable code; validation errors add ``"errors"`` naming each bad field. The OpenAPI schema
documents that error body (``ErrorOut``) for every error status on every operation, so clients
and fuzzers agree with the server; kam/core/middleware.py answers the same JSON for what never
reaches a route (an unknown path, a NUL in the query, an over-size body).
"""

import copy
import decimal
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kam.core.schemas import ErrorOut
from kam.org.services import api_token_authenticate

logger = logging.getLogger("kam.api")


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class CsrfFailed(PermissionDenied):
    """A session-authenticated write without a valid CSRF token."""


class SessionAuth(APIKeyCookie):
    """Django's session cookie; CSRF is checked on unsafe methods (ninja's csrf=True)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        key = request.COOKIES.get(self.param_name)
        # Without a session cookie there is nothing a forged request could ride on, so the
        # caller gets 401 (sign in), not a CSRF 403 that would hide what is really missing.
        must_check = key and self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if must_check and check_csrf(request) is not None:
            raise CsrfFailed(
                _("CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.")
            )
        return key

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


# The error statuses any operation may answer, with the ErrorOut body (kam/core/schemas.py).
ERROR_RESPONSES = {
    400: "Bad request: the body is not JSON, or a parameter holds a control character.",
    401: "Not signed in: no session and no valid bearer token.",
    403: "Signed in, but not allowed (or a session write without a valid CSRF token).",
    404: "No such record, or not yours: the answer is the same.",
    409: "Conflict: the record changed since you read it.",
    413: "The request body is over the size limit.",
    422: "Invalid input: `errors` names each bad field and where it was.",
    429: "Too many requests: wait and try again.",
}


class KamAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


def document_errors(schema: dict) -> dict:
    """Add ErrorOut (and what it refers to) to the components and every error status to every
    operation that does not document it already: one place instead of each endpoint's
    ``response=`` naming eight codes."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}", by_alias=True
    )
    components.update(error_schema.pop("$defs", {}))
    components["ErrorOut"] = error_schema
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                # ninja keys responses by int; one an endpoint declares itself stays as it is.
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": description, "content": copy.deepcopy(body)}
    return schema


api = KamAPI(
    title="KAM API",
    version="1",
    description="Key-account management. Every list and detail is scoped to what the caller "
    "may see; a record outside that scope answers 404, the same as a missing one.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return error(request, 401, "unauthorized", _("Sign in or send a valid bearer token."))


@api.exception_handler(CsrfFailed)
def csrf_failed(request, exc):
    return error(request, 403, "csrf_failed", str(exc))


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or _("You may not do this."))


PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc) -> tuple[str, str]:
    """ninja's ("body", "payload", "email") as ("email", "body"): the name the caller sent."""
    parts = [str(p) for p in loc]
    source = parts.pop(0) if parts and parts[0] in PARAM_SOURCES else ""
    if source == "body" and parts:
        parts.pop(0)  # the view's parameter name, which the caller never sees
    return ".".join(parts), source


@api.exception_handler(NinjaValidationError)
def invalid_request(request, exc):
    errors = []
    for e in exc.errors:
        field, source = _field_name(e.get("loc", []))
        errors.append({"field": field, "in": source, "message": e.get("msg", "")})
    return error(request, 422, "invalid", _("The request has invalid fields."), errors=errors)


@api.exception_handler(ValidationError)
def invalid_data(request, exc):
    if hasattr(exc, "message_dict"):
        errors = [
            {"field": "" if f == "__all__" else f, "in": "body", "message": " ".join(m)}
            for f, m in exc.message_dict.items()
        ]
    else:
        errors = [{"field": "", "in": "body", "message": m} for m in exc.messages]
    return error(request, 422, "invalid", _("The data is not valid."), errors=errors)


@api.exception_handler(decimal.InvalidOperation)
@api.exception_handler(DataError)
@api.exception_handler(OverflowError)  # SQLite: an integer past 64 bits
def out_of_range(request, exc):
    # A number the database cannot store (a DecimalField's digits, an integer column) that got
    # past the service's checks: the caller's input, so 422, never a 500. Logged, since the
    # service should have said which field.
    logger.warning("API value out of range on %s %s: %s", request.method, request.path, exc)
    return error(
        request,
        422,
        "invalid",
        _("A value is outside what can be stored."),
        errors=[],
    )


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return error(request, 413, "too_large", _("The request body is over the size limit."))


HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "throttled",
}


@api.exception_handler(HttpError)
def http_error(request, exc):
    return error(request, exc.status_code, HTTP_ERROR_CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def server_error(request, exc):
    if settings.DEBUG:
        raise exc  # the debug page tells a developer more than a JSON line
    logger.exception("API error on %s %s", request.method, request.path)
    return error(request, 500, "server_error", _("Something went wrong on our side."))


def _register_routers() -> None:
    from kam.activity.api import router as activity_router
    from kam.catalog.api import router as catalog_router
    from kam.clients.api import router as clients_router
    from kam.contracts.api import router as contracts_router
    from kam.credit.api import router as credit_router
    from kam.imports.api import router as imports_router
    from kam.orders.api import router as orders_router
    from kam.orders.api_advice import router as advice_router
    from kam.orders.api_returns import router as returns_router
    from kam.pay.api import router as pay_router
    from kam.plans.api import router as plans_router
    from kam.pricing.api import router as pricing_router
    from kam.promotions.api import router as promotions_router
    from kam.radar.api import router as radar_router
    from kam.receivables.api import router as receivables_router
    from kam.receivables.api_collection import router as collection_router
    from kam.relations.api import router as relations_router
    from kam.sales.api import router as sales_router
    from kam.web.api_timeline import router as timeline_router

    api.add_router("/clients", clients_router, tags=["clients"])
    api.add_router("/products", catalog_router, tags=["products"])
    api.add_router("/sales", sales_router, tags=["sales"])
    api.add_router("/radar", radar_router, tags=["key accounts"])
    api.add_router("/imports", imports_router, tags=["imports"])
    api.add_router("/prices", pricing_router, tags=["prices"])
    api.add_router("/contracts", contracts_router, tags=["contracts"])
    api.add_router("/orders", orders_router, tags=["orders"])
    api.add_router("/advice", advice_router, tags=["orders"])
    api.add_router("/returns", returns_router, tags=["returns"])
    api.add_router("/credit", credit_router, tags=["credit"])
    api.add_router("/receivables", receivables_router, tags=["receivables"])
    api.add_router("/collection", collection_router, tags=["collection"])
    api.add_router("/plans", plans_router, tags=["plans"])
    api.add_router("/pay", pay_router, tags=["pay"])
    api.add_router("/promotions", promotions_router, tags=["promotions"])
    api.add_router("/activity", activity_router, tags=["activity"])
    api.add_router("/relations", relations_router, tags=["relations"])
    api.add_router("/timeline", timeline_router, tags=["timeline"])


_register_routers()
