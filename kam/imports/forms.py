"""Forms of the import page (issue 8 §4). They parse what was typed and chosen; the services
(``kam.imports.services.runs``, ``.mappings``) and ``Mapping.from_dict`` decide what is valid."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.imports.mapping import DATE_FORMATS, FIELDS, Mapping
from kam.imports.models import KINDS
from kam.imports.options import SERVICE_LINES

DATE_FORMAT_LABELS = {
    "auto": _("automatic (YYYY-MM-DD or DD.MM.YYYY)"),
    "iso": _("YYYY-MM-DD"),
    "day-first": _("day first (31.12.2024, 31/12/2024)"),
    "month-first": _("month first (12/31/2024)"),
}
SERVICE_LINE_LABELS = {
    "keep": _("keep: in revenue, not in product statistics"),
    "exclude": _("exclude: leave them out"),
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS, initial="sales")
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        error_messages={
            "required": _("Choose a file to import (.csv or .xlsx)."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    mapping_name = forms.ChoiceField(label=_("Saved mapping"), required=False)

    def __init__(self, *args, mappings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping_name"].choices = [("", _("none: choose the columns next"))] + [
            (m.name, f"{m.name} ({m.get_kind_display()})") for m in mappings
        ]


def _key(name: str) -> str:
    """A column name as the importers compare them: case-insensitive, space or dash = _."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def guess_columns(kind: str, columns: list[str]) -> dict[str, str]:
    """A first mapping for a file: a column named like a KAM field (or its label) is that
    field. What is left is "not imported" until the user chooses."""
    by_key = {}
    for info in FIELDS[kind]:
        by_key.setdefault(_key(info.name), info.name)
        by_key.setdefault(_key(str(info.label)), info.name)
    guessed, taken = {}, set()
    for column in columns:
        field = by_key.get(_key(column), "")
        if field in taken:
            field = ""
        taken.add(field)
        guessed[column] = field
    return guessed


class MappingForm(forms.Form):
    """One drop-down per file column (a KAM field or "not imported"), the computed fields,
    the date format, a sales import's options and "save mapping as"."""

    date_format = forms.ChoiceField(
        label=_("Dates in the file"),
        choices=[(f, DATE_FORMAT_LABELS[f]) for f in DATE_FORMATS],
        initial="auto",
    )
    save_as = forms.CharField(
        label=_("Save mapping as"),
        required=False,
        max_length=64,
        help_text=_("A name to reuse this mapping later (the page, the API, kam import)."),
    )

    def __init__(self, *args, kind: str, columns: list[str], samples=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.file_columns = list(columns)
        samples = list(samples)
        targets = [("", _("not imported"))] + [
            (f.name, f"{f.label}{' *' if f.required else ''}") for f in FIELDS[kind]
        ]
        for index, column in enumerate(self.file_columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column or _("(column %(number)s without a name)") % {"number": index + 1},
                choices=targets,
                required=False,
                help_text=(
                    _("e.g. %(value)s") % {"value": samples[index]}
                    if index < len(samples) and samples[index]
                    else ""
                ),
            )
        if kind == "sales":
            pick = [("", "—")] + [(c, c) for c in self.file_columns if c]
            self.fields["revenue_a"] = forms.ChoiceField(
                label=_("Revenue = this column"), choices=pick, required=False
            )
            self.fields["revenue_b"] = forms.ChoiceField(
                label=_("times this column"), choices=pick, required=False
            )
            self.fields["line_by_position"] = forms.BooleanField(
                label=_("Line number = the row's position within its document"), required=False
            )
            self.fields["create_missing"] = forms.BooleanField(
                label=_("Create the clients and products the file names but KAM does not know"),
                required=False,
            )
            self.fields["cancellation_prefix"] = forms.CharField(
                label=_("Cancellation documents start with"),
                required=False,
                max_length=16,
                help_text=_("e.g. C; such documents are imported as returns"),
            )
            self.fields["service_skus"] = forms.CharField(
                label=_("Service SKUs (postage, freight…)"),
                required=False,
                max_length=20_000,
                help_text=_("comma separated"),
            )
            self.fields["service_lines"] = forms.ChoiceField(
                label=_("Service lines"),
                choices=[(s, SERVICE_LINE_LABELS[s]) for s in SERVICE_LINES],
                initial="keep",
            )

    def column_fields(self):
        return [self[f"column_{i}"] for i in range(len(self.file_columns))]

    def option_fields(self):
        names = ("create_missing", "cancellation_prefix", "service_skus", "service_lines")
        return [self[n] for n in names if n in self.fields]

    @classmethod
    def initial_for(
        cls, kind: str, columns: list[str], mapping: Mapping | None, options: dict | None
    ) -> dict:
        """The form's initial values: ``mapping`` (a saved one, or the run's), else a guess
        from the column names; ``options`` (the run's) over the mapping's."""
        chosen = dict(mapping.columns) if mapping is not None else guess_columns(kind, columns)
        folded = {name.casefold(): field for name, field in chosen.items()}
        initial: dict = {
            f"column_{i}": chosen.get(c, folded.get(c.casefold(), ""))
            for i, c in enumerate(columns)
        }
        initial["date_format"] = "auto"
        if kind == "sales":
            initial["service_lines"] = "keep"
        if mapping is not None:
            initial["date_format"] = mapping.date_format
            revenue = mapping.computed.get("revenue", {}).get("multiply")
            if revenue:
                initial["revenue_a"], initial["revenue_b"] = revenue
            initial["line_by_position"] = "line_number" in mapping.computed
        merged = {**(mapping.options if mapping is not None else {}), **(options or {})}
        for name, value in merged.items():
            initial[name] = ", ".join(value) if name == "service_skus" else value
        return initial

    def mapping_data(self) -> dict:
        """The mapping as ``Mapping.from_dict`` reads it (call after ``is_valid``)."""
        data = self.cleaned_data
        columns = {
            column: data.get(f"column_{i}") or ""
            for i, column in enumerate(self.file_columns)
            if column
        }
        computed: dict = {}
        if self.kind == "sales":
            if data.get("revenue_a") or data.get("revenue_b"):
                computed["revenue"] = {
                    "multiply": [data.get("revenue_a") or "", data.get("revenue_b") or ""]
                }
            if data.get("line_by_position"):
                computed["line_number"] = {"position_in": "document_number"}
        return {
            "kind": self.kind,
            "columns": columns,
            "computed": computed,
            "date_format": data.get("date_format") or "auto",
        }

    def options_data(self) -> dict:
        """A sales import's options as ``SalesOptions.from_dict`` reads them."""
        if self.kind != "sales":
            return {}
        data = self.cleaned_data
        return {
            "create_missing": bool(data.get("create_missing")),
            "cancellation_prefix": data.get("cancellation_prefix") or "",
            "service_skus": data.get("service_skus") or "",
            "service_lines": data.get("service_lines") or "keep",
        }
