"""Clients are read-only here: writes go through the services so they are audited (SE-3)."""

from django.contrib import admin

from kam.clients.models import Account, AccountOwnership, Contact
from kam.core.admin import ReadOnlyAdmin


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "registration_number", "status", "owner", "department"]
    list_filter = ["status", "department"]
    search_fields = ["legal_name", "registration_number", "vat_number"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "account", "position", "decision_role"]
    search_fields = ["last_name", "account__legal_name"]


@admin.register(AccountOwnership)
class AccountOwnershipAdmin(ReadOnlyAdmin):
    list_display = ["account", "owner", "department", "started_on", "ended_on"]
    list_filter = ["owner"]
    search_fields = ["account__legal_name", "owner__username"]
