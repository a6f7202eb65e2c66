from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kam.org.models import ApiToken, Department, Deputyship, Territory, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "path"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        parent_path = obj.parent.path if obj.parent else "/"
        path = f"{parent_path}{obj.pk}/"
        if obj.path != path:
            Department.objects.filter(pk=obj.pk).update(path=path)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "department", "manager"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Place in the structure"), {"fields": ("role", "department", "manager", "territory")}),
    )


@admin.register(Deputyship)
class DeputyshipAdmin(admin.ModelAdmin):
    list_display = ["absent", "deputy", "starts_on", "ends_on", "order_ref"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are made with `kam token create`, which shows the key once
