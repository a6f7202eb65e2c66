"""One open ownership row per client that has an owner, and PostgreSQL's ``unaccent``.

The backfilled row starts on the company's history start, as a client's first row does in
``services.ownership_record_change``: its current owner is the only one known, and the plans
issue must credit the client's past sales to someone.

``UnaccentExtension`` does nothing on SQLite, where ``kam_unaccent`` is registered on each
connection instead (kam.core.apps). On PostgreSQL 13+ ``unaccent`` is a trusted extension: the
database's owner may create it without superuser rights.
"""

import datetime

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

DEFAULT_HISTORY_START = datetime.date(2000, 1, 1)


def backfill(apps, schema_editor):
    Account = apps.get_model("clients", "Account")
    AccountOwnership = apps.get_model("clients", "AccountOwnership")
    CompanySettings = apps.get_model("core", "CompanySettings")
    company = CompanySettings.objects.order_by("pk").first()
    started = company.history_starts_on if company else DEFAULT_HISTORY_START
    open_ids = set(
        AccountOwnership.objects.filter(ended_on__isnull=True).values_list("account_id", flat=True)
    )
    accounts = Account.objects.filter(owner__isnull=False).values_list(
        "pk", "owner_id", "department_id"
    )
    rows = []
    for pk, owner_id, department_id in accounts.iterator(chunk_size=2000):
        if pk not in open_ids:
            rows.append(
                AccountOwnership(
                    account_id=pk,
                    owner_id=owner_id,
                    department_id=department_id,
                    started_on=started,
                )
            )
        if len(rows) >= 2000:
            AccountOwnership.objects.bulk_create(rows)
            rows = []
    AccountOwnership.objects.bulk_create(rows)


def unbackfill(apps, schema_editor):
    apps.get_model("clients", "AccountOwnership").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_account_archive_and_ownership_history"),
        ("core", "0003_company_history_start"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(backfill, unbackfill, elidable=True),
    ]
