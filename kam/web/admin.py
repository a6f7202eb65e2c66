from django.contrib import admin

from kam.web.models import SignInFailure


@admin.register(SignInFailure)
class SignInFailureAdmin(admin.ModelAdmin):
    """Failed sign-ins, read-only: deleting an account's rows lifts its lock at once."""

    list_display = ["account", "address", "at"]
    search_fields = ["account", "address"]
    list_filter = ["at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
