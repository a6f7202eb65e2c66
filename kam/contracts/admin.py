"""Contracts are read-only here: writes go through the services (the contract pages and the
API) so they are audited and scoped (SE-1, SE-3)."""

from django.contrib import admin

from kam.contracts.models import Contract
from kam.core.admin import ReadOnlyAdmin


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["number", "version", "account", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    search_fields = ["number", "account__legal_name"]
