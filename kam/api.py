"""The HTTP API root (django-ninja): auth, error format, and each app's router.

Auth: the browser's session (with CSRF on writes) or ``Authorization: Bearer <token>`` for
scripts (``kam token create USER``). Errors are JSON ``{"code": ..., "message": ...}`` with a
stable code; validation errors add ``"errors"`` naming each bad field.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from kam.org.services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session cookie; CSRF is checked on unsafe methods (ninja's csrf=True)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api = NinjaAPI(
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
    return error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return error(request, 401, "unauthorized", "Sign in or send a valid bearer token.")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or "You may not do this.")


@api.exception_handler(NinjaValidationError)
def invalid_request(request, exc):
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return error(request, 422, "invalid", "The request has invalid fields.", errors=errors)


@api.exception_handler(ValidationError)
def invalid_data(request, exc):
    if hasattr(exc, "message_dict"):
        errors = [{"field": f, "message": " ".join(m)} for f, m in exc.message_dict.items()]
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    return error(request, 422, "invalid", "The data is not valid.", errors=errors)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return error(request, exc.status_code, "error", str(exc))


def _register_routers() -> None:
    from kam.catalog.api import router as catalog_router
    from kam.clients.api import router as clients_router
    from kam.radar.api import router as radar_router
    from kam.sales.api import router as sales_router

    api.add_router("/clients", clients_router, tags=["clients"])
    api.add_router("/products", catalog_router, tags=["products"])
    api.add_router("/sales", sales_router, tags=["sales"])
    api.add_router("/radar", radar_router, tags=["key accounts"])


_register_routers()
