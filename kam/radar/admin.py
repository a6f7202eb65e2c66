"""The radar is read-only here: writes go through the services so they are audited (SE-3)."""

from django.contrib import admin

from kam.core.admin import ReadOnlyAdmin
from kam.radar.models import (
    CompetenceConsultation,
    CompetitorShare,
    KeyFlag,
    KeyStatusSnapshot,
    PartnerDisclosure,
    RadarSettings,
    ReferenceCase,
    SnapshotRun,
    WalletEstimate,
)


@admin.register(RadarSettings)
class RadarSettingsAdmin(ReadOnlyAdmin):
    list_display = ["basis", "key_share_pct", "critical_pct", "mono_pct", "period"]


class CompetitorShareInline(admin.TabularInline):
    model = CompetitorShare
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WalletEstimate)
class WalletEstimateAdmin(ReadOnlyAdmin):
    list_display = ["account", "annual_budget", "currency", "recorded_at", "recorded_by"]
    list_select_related = ["account", "recorded_by"]
    raw_id_fields = ["account"]
    inlines = [CompetitorShareInline]


@admin.register(ReferenceCase)
class ReferenceCaseAdmin(ReadOnlyAdmin):
    list_display = ["account", "done_on", "what", "recorded_by"]
    list_select_related = ["account", "recorded_by"]
    raw_id_fields = ["account"]


@admin.register(PartnerDisclosure)
class PartnerDisclosureAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "disclosed_on", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["account", "recorded_by"]
    raw_id_fields = ["account"]


@admin.register(CompetenceConsultation)
class CompetenceConsultationAdmin(ReadOnlyAdmin):
    list_display = ["account", "topic", "consulted_on", "recorded_by"]
    list_select_related = ["account", "recorded_by"]
    raw_id_fields = ["account"]


@admin.register(KeyFlag)
class KeyFlagAdmin(ReadOnlyAdmin):
    list_display = ["account", "definition", "owner", "review_on", "active"]
    list_filter = ["definition", "active"]
    list_select_related = ["account", "owner"]
    raw_id_fields = ["account"]


@admin.register(SnapshotRun)
class SnapshotRunAdmin(ReadOnlyAdmin):
    list_display = ["period_end", "rows", "taken_at", "taken_by"]


@admin.register(KeyStatusSnapshot)
class KeyStatusSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["account", "level", "period_end", "share", "band"]
    list_filter = ["level", "band", "period_end"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]
