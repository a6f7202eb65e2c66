"""Request guards every page and the API share (issue 7 §2).

``RequestGuardMiddleware``, before any view runs:

- refuses a NUL or other control character (``kam.core.bounds.control_character``) in the query
  string, and a NUL in a form-encoded body, with 400 naming the parameter: such a byte can mean
  nothing to KAM, and PostgreSQL cannot even compare a text column with a NUL (other control
  characters in a form reach its service, which names them beside the field);
- refuses a NUL in any string of a JSON body under /api/ with 422 naming the field's path
  (a net: the services validate their text with ``check_text``, other control characters
  included);
- answers 413 when the body is over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django raises
  ``RequestDataTooBig`` wherever the body is first read, which became a 400 or a 500);

and, after the view, turns a 404 or 405 under /api/ that did not come from the API's own
handlers (a path no route matches, ``/api/clients/-1`` with its ``int`` converter, a method the
route does not take) into the API's JSON error, so everything under /api/ answers JSON.

Answers under /api/ are ``{"code", "message", "errors"?}`` like kam/api.py's; elsewhere a plain
text page (text, so that the echoed parameter name can never become markup).
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from kam.core.bounds import control_character

API_PREFIX = "/api/"
# API endpoints that take files (issue 8 §5): their multipart bodies stream like a page's form.
UPLOAD_PREFIX = "/api/imports/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _error(request, status: int, code: str, message: str, errors=None):
    if _is_api(request):
        body = {"code": code, "message": message}
        if errors is not None:
            body["errors"] = errors
        return JsonResponse(body, status=status)
    lines = [message] + [f"{e['field']}: {e['message']}" for e in errors or []]
    return HttpResponse(
        "\n".join(lines) + "\n", status=status, content_type="text/plain; charset=utf-8"
    )


def _control_message(ch: str) -> str:
    # The same sentence as kam.core.bounds.check_text, which the services raise.
    return _("Control characters are not allowed (found U+%(code)04X).") % {"code": ord(ch)}


def _nul(text: str) -> str | None:
    return "\x00" if "\x00" in text else None


def _bad_parameters(data, where: str, *, find=control_character) -> list[dict]:
    """One error per parameter of a QueryDict whose name or a value holds a control character
    (or what ``find`` looks for)."""
    errors = []
    for key, values in data.lists():
        for text in (key, *values):
            ch = find(text) if isinstance(text, str) else None
            if ch is not None:
                errors.append({"field": key, "in": where, "message": _control_message(ch)})
                break
    return errors


def _bad_json_strings(value, path=()) -> list[dict]:
    """Every string (key or value) in a parsed JSON document that holds a NUL: the database
    cannot store one. Other control characters reach the services, which name them beside
    every other bad field of the request."""
    errors = []
    if isinstance(value, dict):
        for key, item in value.items():
            ch = _nul(key)
            if ch is not None:
                errors.append({"path": (*path, key), "ch": ch})
            errors += _bad_json_strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            errors += _bad_json_strings(item, (*path, i))
    elif isinstance(value, str):
        ch = _nul(value)
        if ch is not None:
            errors.append({"path": path, "ch": ch})
    return errors


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refuse(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if _is_api(request) and response.status_code in (404, 405):
            return self.as_json(request, response)
        return response

    def refuse(self, request):
        errors = _bad_parameters(request.GET, "query")
        if errors:
            return self.invalid(request, 400, errors)
        try:
            if (
                request.path_info.startswith(UPLOAD_PREFIX)
                and request.content_type == "multipart/form-data"
            ):
                # An upload (POST /api/imports/{kind}): parsed as the pages' forms are, files
                # streamed to temporary files and kept out of the size limit; ninja reads the
                # parsed request.POST / request.FILES, not the stream.
                if request.method == "POST":
                    errors = _bad_parameters(request.POST, "form", find=_nul)
                    if errors:
                        return self.invalid(request, 422, errors)
            elif _is_api(request):
                # The API reads every body as JSON, whatever its content type; reading it here
                # first is also where Django enforces its size limit. (Parsing a multipart body
                # as a form here would consume the stream the API's parser then reads.)
                if request.body:
                    return self.check_json(request)
            elif request.content_type in FORM_TYPES and request.method == "POST":
                # Form fields only: Django keeps uploaded files out of the size limit, and they
                # are parsed as they would be for the view, at most to temporary files.
                # NUL only: no person types one, and PostgreSQL cannot store or compare it.
                # Other control characters (a vertical tab pasted from a document) reach the
                # form, whose service refuses them beside the field, keeping what was typed.
                errors = _bad_parameters(request.POST, "form", find=_nul)
                if errors:
                    return self.invalid(request, 400, errors)
            else:
                request.body  # noqa: B018 -- where Django enforces its size limit
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return _error(
                request,
                413,
                "too_large",
                _("The request body is larger than the %(limit)s bytes allowed.")
                % {"limit": f"{limit:,}"},
            )
        except (TooManyFieldsSent, TooManyFilesSent) as exc:
            return _error(request, 400, "bad_request", str(exc))
        return None

    def check_json(self, request):
        try:
            data = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the API's parser answers 400 for it
        bad = _bad_json_strings(data)
        if not bad:
            return None
        errors = [
            {
                "field": ".".join(str(p) for p in e["path"]),
                "in": "body",
                "message": _control_message(e["ch"]),
            }
            for e in bad
        ]
        return self.invalid(request, 422, errors)

    def invalid(self, request, status, errors):
        return _error(request, status, "invalid", _("The request has invalid fields."), errors)

    def as_json(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # the API answered it already
        if response.status_code == 404:
            return _error(request, 404, "not_found", _("Not found."))
        allowed = response.get("Allow", "")
        json_response = _error(
            request,
            405,
            "method_not_allowed",
            _("%(method)s is not allowed here; use %(allowed)s.")
            % {"method": request.method, "allowed": allowed or "-"},
        )
        if allowed:
            json_response["Allow"] = allowed
        return json_response
