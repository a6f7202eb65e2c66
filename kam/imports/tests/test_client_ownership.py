"""An import that creates a client with an owner, or hands it to another KAM, writes the same
ownership history as the pages and the API (kam.clients, issue 7 §6)."""

from kam.clients.models import AccountOwnership
from kam.clients.selectors import account_ownership_history
from kam.imports.services import import_clients
from kam.testing import make_account

HEADER = ["registration_number", "legal_name", "owner"]


def test_import_writes_the_ownership_history(org, csv_file):
    make_account(owner=org.kam_anna, legal_name="Moving SIA", registration_number="40003000001")
    path = csv_file(
        [
            HEADER,
            ["40003000001", "Moving SIA", "kam_sigrid"],
            ["40003000002", "New SIA", "kam_boris"],
            ["40003000003", "Nobody's SIA", ""],
        ]
    )
    result = import_clients(source=path, actor=org.director)
    assert result.ok, result.errors
    moved = result.created + result.updated
    assert moved == 3 - result.unchanged
    rows = {
        a.legal_name: [
            (r.owner.username, r.ended_on is None) for r in account_ownership_history(account=a)
        ]
        for a in {r.account for r in AccountOwnership.objects.select_related("account")}
    }
    assert rows["Moving SIA"] == [("kam_sigrid", True), ("kam_anna", False)]
    assert rows["New SIA"] == [("kam_boris", True)]
    assert "Nobody's SIA" not in rows
    # The same file again changes no owner and adds no row.
    assert import_clients(source=path, actor=org.director).ok
    assert AccountOwnership.objects.count() == 3


def test_sales_support_may_import_owners_outside_their_department(org, csv_file):
    # The import is allowed as a whole (IMPORT_RUN); the ERP says who owns a client.
    path = csv_file([HEADER, ["40003000009", "South SIA", "kam_sigrid"]])
    result = import_clients(source=path, actor=org.support_north)
    assert result.ok, result.errors
    (row,) = AccountOwnership.objects.all()
    assert row.owner == org.kam_sigrid
