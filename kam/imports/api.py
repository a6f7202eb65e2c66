"""HTTP API of imports (issue 8 §5), mounted at /api/imports in kam/api.py.

``POST /api/imports/{kind}`` is for an ERP's nightly job: a multipart upload answered when the
import is done (it runs in the request, whatever ``KAM_IMPORT_RUNNER`` says), 200 with the
result when every row was right, 422 with the same shape and the errors when not (nothing is
written then). Re-sending a file changes nothing that is already there (sales are keyed by
document and line, invoices and payments by document number: issue 9 §7). Every upload is a run, listed with the page's runs.

Who may import (``Action.IMPORT_RUN``) may do all of it; for anyone else an upload is 403, the
lists are empty and a run or mapping is 404, the same as a missing one.
"""

import json

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from kam.core.schemas import ErrorOut, Pages
from kam.imports.mapping import FIELDS, Mapping, MappingError
from kam.imports.models import ImportRun
from kam.imports.schemas import (
    ImportResultOut,
    MappingIn,
    MappingOut,
    RunDetailOut,
    RunOut,
)
from kam.imports.selectors.mappings import mapping_get, mappings_for
from kam.imports.selectors.runs import run_get, runs_for
from kam.imports.services.mappings import mapping_delete, mapping_save
from kam.imports.services.runs import run_create, run_start

router = Router()


def _json_field(name: str, raw: str):
    """A form field holding JSON (``mapping``, ``options``): an object, or a 422 naming it."""
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValidationError({name: _("not valid JSON: %(error)s") % {"error": exc}}) from exc
    if not isinstance(value, dict):
        raise ValidationError({name: _("must be a JSON object")})
    return value


def _mapping_error(exc: MappingError) -> ValidationError:
    return ValidationError({f"mapping.{exc.entry}": exc.message})


def _with_detail(error: dict) -> dict:
    """A row error as the API's error detail as well (``field``, ``in``)."""
    where = []
    if error.get("line") is not None:
        where.append(_("line %s") % error["line"])
    if error.get("column"):
        where.append(str(error["column"]))
    return {**error, "field": ", ".join(where), "in": "file"}


def _answer(run: ImportRun) -> dict:
    result = dict(run.result or {})
    if "ok" not in result:  # it crashed: the same shape, the reason as the one error
        message = result.get("message") or _("The import did not finish.")
        result = {
            "kind": run.kind,
            "source": run.file_name,
            "ok": False,
            "checksum": run.checksum,
            "error_count": 1,
            "errors": [{"line": None, "column": None, "message": message}],
            "summary": message,
        }
    result["errors"] = [_with_detail(e) for e in result.get("errors") or []]
    return {**result, "run": str(run.uuid)}


@router.get("/runs", response=list[RunOut], summary="List import runs")
@paginate(Pages)
def run_list(request):
    return runs_for(request.auth)


@router.get("/runs/{uuid:run_uuid}", response=RunDetailOut, summary="One import run")
def run_detail(request, run_uuid):
    return run_get(request.auth, run_uuid)


@router.get("/mappings", response=list[MappingOut], summary="List saved column mappings")
def mapping_list(request):
    return list(mappings_for(request.auth))


@router.get("/mappings/{name}", response=MappingOut, summary="One saved column mapping")
def mapping_detail(request, name: str):
    return mapping_get(request.auth, name)


@router.put(
    "/mappings/{name}",
    response=MappingOut,
    summary="Save a column mapping under a name (create or replace)",
)
def mapping_put(request, name: str, payload: MappingIn):
    try:
        parsed = Mapping.from_dict(payload.model_dump())
    except MappingError as exc:
        raise ValidationError({exc.entry: exc.message}) from exc
    return mapping_save(actor=request.auth, name=name, mapping=parsed)


@router.delete("/mappings/{name}", response={204: None}, summary="Delete a saved column mapping")
def mapping_remove(request, name: str):
    mapping_delete(actor=request.auth, name=name)
    return Status(204, None)


# Last: "/{kind}" would otherwise take /runs and /mappings for a kind.
@router.post(
    "/{kind}",
    response={200: ImportResultOut, 422: ErrorOut},
    summary="Import a file (clients, products, sales, invoices or payments)",
    description="Multipart: `file` (.csv or .xlsx), optional `mapping_name` (a saved mapping) "
    "or `mapping` (its JSON), `options` (JSON, sales: create_missing, cancellation_prefix, "
    "service_skus, service_lines), `check` (true: check only, write nothing). Answers when "
    "done: 200 and the result when the file was right, 422 with the same shape listing every "
    'error (line, column, reason) when not, nothing written: `code` "rows_refused" and the '
    'result\'s fields beside `message` and `errors`. A bad field: 422 `code` "invalid".',
)
def import_file(
    request,
    kind: str,
    file: File[UploadedFile],
    mapping_name: Form[str] = "",
    mapping: Form[str] = "",
    options: Form[str] = "",
    check: Form[bool] = False,
):
    spec = _json_field("mapping", mapping)
    chosen = _json_field("options", options) or {}
    if spec is not None and mapping_name.strip():
        raise ValidationError({"mapping": _("give mapping_name or mapping, not both")})
    parsed = saved = None
    if spec is not None:
        try:
            parsed = Mapping.from_dict(spec, kind=kind if kind in FIELDS else None)
        except MappingError as exc:
            raise _mapping_error(exc) from exc
    elif mapping_name.strip():
        try:
            saved = mapping_get(request.auth, mapping_name.strip())
        except Http404 as exc:
            raise ValidationError(
                {"mapping_name": _('no saved mapping named "%(name)s"') % {"name": mapping_name}}
            ) from exc
    run = run_create(
        actor=request.auth,
        kind=kind,
        upload=file,
        file_name=file.name or "",
        via=ImportRun.Via.API,
        mapping=parsed,
        mapping_obj=saved,
        options=chosen,
        check_only=check,
    )
    # The nightly job waits for its answer: in this request, whatever the page's runner.
    run = run_start(run, runner="inline")
    answer = _answer(run)
    if answer["ok"]:
        return answer
    # Every 422 of the API is an ErrorOut (code, message, errors); this one carries the
    # result's fields beside them, so the job reads the same shape either way.
    body = {"code": "rows_refused", "message": answer.get("summary") or "", **answer}
    return JsonResponse(body, status=422)
