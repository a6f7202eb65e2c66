"""The import page (issue 8 §4): upload a CSV/XLSX file, map its columns to KAM's fields with
the first rows previewed as KAM will read them, check it (every error with line, column and
reason, downloadable as CSV), import it; the run's page polls its progress, so it can be left
and come back to; the list of runs shows who brought in which file when.

Who may import (``Action.IMPORT_RUN``: a director, an administrator, sales support) uses the
pages; anyone else gets 403 for them, and 404 for a run's address, the same as for a run that
does not exist (the selectors give them no runs)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kam.core.bounds import clamp_page
from kam.imports.forms import MappingForm, UploadForm
from kam.imports.mapping import FIELDS, TIMES, Mapping, MappingError
from kam.imports.models import ImportRun
from kam.imports.readers import ReadError, open_table
from kam.imports.selectors.mappings import mapping_get, mappings_for
from kam.imports.selectors.runs import run_get, runs_for
from kam.imports.services.mappings import mapping_save
from kam.imports.services.preview import preview
from kam.imports.services.runs import (
    STARTABLE,
    run_create,
    run_prepare,
    run_start,
    stored_path,
)
from kam.imports.validators import escape_controls, shown, text
from kam.org.policy import Action, require

RUNS_PER_PAGE = 50
# Errors listed on the run's page; the CSV download has every error the run kept.
ERRORS_SHOWN = 200


def _wants_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _page(request, template: str, context: dict, *, status: int = 200):
    response = render(request, template, {"nav": "imports", **context}, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


# A service's name for a field, where the form calls it otherwise (mapping_save's "name").
_FORM_FIELDS = {"name": "save_as", "mapping": "mapping_name"}


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            field = name if name in form.fields else _FORM_FIELDS.get(name)
            field = field if field in form.fields else None
            for message in problems:
                form.add_error(field, message if field else f"{name}: {message}")
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def upload_view(request):
    """Step 1: the file and what it holds (and a saved mapping, if one fits)."""
    require(request.user, Action.IMPORT_RUN)
    mappings = list(mappings_for(request.user))
    form = UploadForm(request.POST or None, request.FILES or None, mappings=mappings)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                mapping_obj = None
                if data["mapping_name"]:
                    mapping_obj = mapping_get(request.user, data["mapping_name"])
                run = run_create(
                    actor=request.user,
                    kind=data["kind"],
                    upload=upload,
                    file_name=upload.name,
                    via=ImportRun.Via.WEB,
                    mapping_obj=mapping_obj,
                )
            except ValidationError as error:
                _add_errors(form, error)
            except Http404:
                form.add_error("mapping_name", _("No saved mapping of that name."))
            else:
                return redirect("imports:run", run_uuid=run.uuid)
    recent = list(runs_for(request.user)[:5])
    return _page(request, "imports/upload.html", {"form": form, "recent": recent}, status=status)


def _header(run: ImportRun) -> tuple[list[str], str]:
    """The file's column names as written, or why the file cannot be read."""
    path = stored_path(run)
    if path is None:
        return [], _("The uploaded file is no longer kept; upload it again.")
    try:
        rows = open_table(path, name=run.file_name).rows()
        try:
            first = next(rows, None)
        finally:
            rows.close()
    except ReadError as exc:
        return [], exc.message
    if first is None:
        return [], _("the file is empty; its first row must be the header")
    return [text(c).lstrip("\ufeff").strip() for c in first[1]], ""


def _samples(run: ImportRun) -> list[str]:
    """The first data row's cells as text, shown under each column's drop-down (the file's
    own values help to say which column is which); empty when there is none to read."""
    path = stored_path(run)
    if path is None:
        return []
    try:
        rows = open_table(path, name=run.file_name).rows()
        try:
            next(rows, None)
            first = next(rows, None)
        finally:
            rows.close()
    except ReadError:
        return []
    return [escape_controls(shown(c)) for c in first[1]] if first else []


def _initial_mapping(request, run: ImportRun) -> tuple[Mapping | None, str]:
    """A saved mapping chosen in the drop-down, else the run's own; a problem as text."""
    name = request.GET.get("mapping", "")
    try:
        if name:
            saved = mapping_get(request.user, name)
            return Mapping.from_dict(saved.spec, kind=run.kind), ""
        if run.mapping_spec:
            return Mapping.from_dict(run.mapping_spec, kind=run.kind), ""
    except Http404:
        return None, _('No saved mapping named "%(name)s".') % {"name": name}
    except MappingError as exc:
        return None, f"{exc.entry}: {exc.message}"
    return None, ""


def _form_mapping(form: MappingForm, *, with_options: bool) -> Mapping | None:
    """The mapping the bound form describes, or None with the problem added to the form
    (at the column's drop-down when the entry names a column)."""
    data = form.mapping_data()
    if with_options:
        data["options"] = form.options_data()
    try:
        return Mapping.from_dict(data, kind=form.kind)
    except MappingError as exc:
        field = None
        if exc.entry.startswith("columns.") and exc.entry[8:] in form.file_columns:
            field = f"column_{form.file_columns.index(exc.entry[8:])}"
        elif exc.entry == "computed.revenue":
            field = "revenue_a"
        elif exc.entry == "date_format":
            field = "date_format"
        form.add_error(field, exc.message if field else f"{exc.entry}: {exc.message}")
        return None


def _form_problem(form: MappingForm) -> str:
    """The form's errors in one line, each after the drop-down (file column) it belongs to."""
    parts = []
    for name, errors in form.errors.items():
        where = "" if name == "__all__" else f"{form[name].label}: "
        parts += [where + message for message in errors]
    return "; ".join(parts)


def _labels(mapping: Mapping | None) -> dict[str, str]:
    """What the user calls each field (the file's column), to find an error's cell."""
    if mapping is None:
        return {}
    labels = {field: column for column, field in mapping.columns.items() if field}
    for field, spec in mapping.computed.items():
        if "multiply" in spec:
            labels[field] = f" {TIMES} ".join(spec["multiply"])
    return labels


def _preview_table(run: ImportRun, mapping: Mapping | None, user) -> dict:
    """The preview as the template shows it: a header of field labels, and per row its
    cells, each with the errors found at it (the rest of a row's errors beside it)."""
    path = stored_path(run)
    if path is None:
        return {"error": _("The uploaded file is no longer kept; upload it again.")}
    found = preview(run.kind, path, name=run.file_name, mapping=mapping, actor=user).to_dict()
    names = {f.name: f.label for f in FIELDS[run.kind]}
    labels = _labels(mapping)
    fields = found["fields"]
    rows = []
    for row in found["rows"]:
        errors = list(row["errors"])
        cells = []
        for field in fields:
            at = {field, labels.get(field, field)}
            own = [e["message"] for e in errors if e.get("column") in at]
            cells.append({"text": row["cells"].get(field, ""), "errors": own})
        placed = {m for c in cells for m in c["errors"]}
        rest = [e for e in errors if e["message"] not in placed or e.get("column") is None]
        rows.append({"line": row["line"], "cells": cells, "errors": rest})
    return {
        "error": found["error"],
        "fields": [
            {"name": f, "label": names.get(f, f), "source": labels.get(f, "")} for f in fields
        ],
        "rows": rows,
        "ok": found["ok"],
    }


def _outcome(run: ImportRun) -> dict:
    result = run.result or {}
    errors = result.get("errors") or []
    return {
        "result": result,
        "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, run.error_count - min(len(errors), ERRORS_SHOWN)),
        "errors_kept": len(errors),
    }


def _run_page(request, run, *, form=None, table=None, problem="", status=200):
    columns, unreadable = _header(run) if run.status in STARTABLE else ([], "")
    mappings = list(mappings_for(request.user).filter(kind=run.kind))
    if form is None and run.status in STARTABLE and columns:
        mapping, problem = _initial_mapping(request, run)
        initial = MappingForm.initial_for(run.kind, columns, mapping, run.options)
        form = MappingForm(initial=initial, kind=run.kind, columns=columns, samples=_samples(run))
        # The preview of what the form shows, before anything is chosen.
        bound = MappingForm(initial, kind=run.kind, columns=columns)
        guessed = _form_mapping(bound, with_options=False) if bound.is_valid() else None
        if guessed is None:
            table = {"error": _form_problem(bound)}
        else:
            table = _preview_table(run, guessed, request.user)
    context = {
        "run": run,
        "form": form,
        "table": table,
        "problem": problem or unreadable,
        "mappings": mappings,
        "chosen_mapping": request.GET.get("mapping", run.mapping.name if run.mapping else ""),
        **_outcome(run),
    }
    return _page(request, "imports/run.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def run_view(request, run_uuid):
    """Step 2 and after: the run's mapping, preview, check and import, then its progress and
    result. htmx asks for the progress fragment every second while the run is not finished
    (``?part=progress``) and for a new preview when a drop-down changes (``action=preview``)."""
    run = run_get(request.user, run_uuid)
    if request.method == "GET":
        if _wants_fragment(request) and request.GET.get("part") == "progress":
            response = _page(request, "imports/run.html#progress", {"run": run, **_outcome(run)})
            if run.finished and request.GET.get("poll"):
                # It finished while the page polled: load it whole, with the result and the
                # mapping form back (a check is followed by the import).
                response["HX-Refresh"] = "true"
            return response
        return _run_page(request, run)

    action = request.POST.get("action", "")
    if action not in ("preview", "check", "import"):
        raise Http404(_("Unknown action."))
    columns, unreadable = _header(run)
    if unreadable or run.status not in STARTABLE:
        messages.error(request, unreadable or _("This run cannot be changed now."))
        return redirect("imports:run", run_uuid=run.uuid)
    form = MappingForm(request.POST, kind=run.kind, columns=columns, samples=_samples(run))
    mapping = _form_mapping(form, with_options=False) if form.is_valid() else None
    if action == "preview":
        if mapping is None:
            table = {"error": _form_problem(form)}
        else:
            table = _preview_table(run, mapping, request.user)
        if _wants_fragment(request):
            return _page(request, "imports/run.html#preview", {"run": run, "table": table})
        return _run_page(request, run, form=form, table=table)
    if mapping is None:
        return _run_page(request, run, form=form, status=422)
    options = form.options_data()
    try:
        mapping_obj = None
        save_as = form.cleaned_data.get("save_as", "").strip()
        if save_as:
            with_options = _form_mapping(form, with_options=True)
            if with_options is None:
                return _run_page(request, run, form=form, status=422)
            mapping_obj = mapping_save(actor=request.user, name=save_as, mapping=with_options)
        run_prepare(
            actor=request.user,
            run=run,
            mapping=mapping,
            mapping_obj=mapping_obj,
            options=options,
            check_only=action == "check",
        )
        run_start(run)
    except ValidationError as error:
        _add_errors(form, error)
        return _run_page(request, run, form=form, status=422)
    return redirect("imports:run", run_uuid=run.uuid)


@login_required
def run_errors_csv(request, run_uuid):
    """Every error the run kept (line, column, reason) as CSV, for a spreadsheet."""
    run = run_get(request.user, run_uuid)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="errors-{run.uuid.hex[:8]}.csv"'
    response.write("\ufeff")  # a spreadsheet then reads it as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("line"), _("column"), _("reason")])
    errors = (run.result or {}).get("errors") or []
    for error in errors:
        writer.writerow(
            [error.get("line") or "", error.get("column") or "", _csv_safe(error["message"])]
        )
    if run.result.get("message"):
        writer.writerow(["", "", _csv_safe(run.result["message"])])
    if run.error_count > len(errors):
        writer.writerow(
            ["", "", _("… and %(count)s more errors") % {"count": run.error_count - len(errors)}]
        )
    return response


def _csv_safe(value) -> str:
    # A reason quoting a cell that starts with = + - @ must not become a spreadsheet formula.
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
def run_list_view(request):
    """Every run, newest first: who, when, which file (and its SHA-256), kind, status, counts."""
    require(request.user, Action.IMPORT_RUN)
    try:
        number = clamp_page(int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        number = 1
    page = Paginator(runs_for(request.user), RUNS_PER_PAGE).get_page(number)
    return _page(request, "imports/runs.html", {"page": page})
