from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.org.models import ApiToken, Department, Deputyship, Territory, User
from kam.org.services import department_paths_rebuild


class AuditedAdmin(admin.ModelAdmin):
    """Roles, places in the structure and deputyships decide who sees which clients (SE-1,
    SE-2), so a change made here is kept like any other (SE-3): who, when, old and new."""

    def save_model(self, request, obj, form, change):
        old = {}
        if change:
            before = type(obj).objects.get(pk=obj.pk)
            old = {f: getattr(before, f) for f in form.changed_data if hasattr(before, f)}
        super().save_model(request, obj, form, change)
        changes = {
            f: [old.get(f), getattr(obj, f)]
            for f in form.changed_data
            if f != "password" and hasattr(obj, f)
        }
        if "password" in form.changed_data:
            changes["password"] = "changed"  # noqa: S105 - a marker; the hash is never logged
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            instance=obj,
            summary=str(obj),
            changes=changes,
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user, action=AuditEntry.Action.DELETE, instance=obj, summary=str(obj)
        )
        super().delete_model(request, obj)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "parent", "path"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        department_paths_rebuild()  # a moved department moves its whole subtree


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "department", "manager"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Place in the structure"), {"fields": ("role", "department", "manager", "territory")}),
    )


@admin.register(Deputyship)
class DeputyshipAdmin(AuditedAdmin):
    list_display = ["absent", "deputy", "starts_on", "ends_on", "order_ref"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are made with `kam token create`, which shows the key once
