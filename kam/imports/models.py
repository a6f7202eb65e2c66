"""Saved column mappings and the record of every import run (issue 8 §1, §4).

A mapping says which column of a company's export is which KAM field; it is saved by name and
reused (``--mapping-name erp-nightly``, the import page's drop-down, the API). A run is one
file brought in from the page, the API or the command line: the stored upload, its checksum,
the mapping used, its progress while it runs in the background and its result afterwards.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import TimeStampedModel

KINDS = (
    ("clients", _("clients")),
    ("products", _("products")),
    ("sales", _("sales")),
    # The ERP's open items and payments, into the settlements (issue 9 §7).
    ("invoices", _("invoices")),
    ("payments", _("payments")),
)


class ImportMapping(TimeStampedModel):
    """A named mapping from an export's columns to KAM's fields (``kam.imports.mapping``)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=KINDS)
    # Mapping.to_dict(): {"kind", "columns", "computed", "date_format", "options"}.
    spec = models.JSONField(_("mapping"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportRun(TimeStampedModel):
    """One file brought in; the page polls it while it runs and lists it afterwards."""

    class Via(models.TextChoices):
        WEB = "web", _("import page")
        API = "api", _("API")
        CLI = "cli", _("command line")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        QUEUED = "queued", _("queued")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=KINDS)
    via = models.CharField(_("via"), max_length=8, choices=Via.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    # The upload, relative to settings.KAM_IMPORT_DIR ("" once removed).
    stored_as = models.CharField(max_length=255, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mapping = models.ForeignKey(
        ImportMapping,
        verbose_name=_("mapping"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
    )
    # The mapping as it was used (a saved one may change later); {} = KAM's own columns.
    mapping_spec = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED
    )
    check_only = models.BooleanField(_("check only"), default=False)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    # ImportResult.to_dict() once finished (errors capped), or {"message": ...} on a crash.
    result = models.JSONField(default=dict, blank=True)
    error_count = models.IntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="import_run_actor_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status in (self.Status.DONE, self.Status.CHECKED) else 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.CHECKED, self.Status.DONE, self.Status.FAILED)
