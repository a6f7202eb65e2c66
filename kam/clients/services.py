"""Writes of clients and contacts; each one audited (SE-3)."""

from typing import Any

from django.db import transaction

from kam.clients.models import Account, Contact
from kam.core.models import AuditEntry
from kam.core.services import audit_record, model_changes

ACCOUNT_FIELDS = {
    "legal_name",
    "registration_number",
    "vat_number",
    "industry",
    "segment",
    "territory",
    "owner",
    "department",
    "status",
    "city",
    "country",
    "website",
    "notes",
}


def _check_fields(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")


@transaction.atomic
def account_create(*, actor, legal_name: str, **data: Any) -> Account:
    _check_fields(data, ACCOUNT_FIELDS)
    if data.get("owner") is not None and data.get("department") is None:
        data["department"] = data["owner"].department
    account = Account(legal_name=legal_name, **data)
    account.full_clean()
    account.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=account,
        summary=legal_name,
        changes={k: v for k, v in data.items() if v not in (None, "")},
    )
    return account


@transaction.atomic
def account_update(*, actor, account: Account, **data: Any) -> Account:
    _check_fields(data, ACCOUNT_FIELDS)
    account = Account.objects.select_for_update().get(pk=account.pk)
    changes = model_changes(account, data)
    if changes:
        account.full_clean()
        account.save()
        audit_record(
            actor=actor, action=AuditEntry.Action.UPDATE, instance=account, changes=changes
        )
    return account


CONTACT_FIELDS = {
    "first_name",
    "last_name",
    "position",
    "decision_role",
    "email",
    "phone",
    "notes",
}


@transaction.atomic
def contact_create(*, actor, account: Account, **data: Any) -> Contact:
    _check_fields(data, CONTACT_FIELDS)
    contact = Contact(account=account, **data)
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=contact,
        summary=f"{contact} at {account}",
    )
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, **data: Any) -> Contact:
    _check_fields(data, CONTACT_FIELDS)
    changes = model_changes(contact, data)
    if changes:
        contact.full_clean()
        contact.save()
        audit_record(
            actor=actor, action=AuditEntry.Action.UPDATE, instance=contact, changes=changes
        )
    return contact
