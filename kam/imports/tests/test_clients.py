"""Importing clients: created or updated by registration number, all or nothing (SE-3)."""

from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.imports.services import import_clients
from kam.org.models import Territory
from kam.testing import make_account

HEADER = [
    "registration_number",
    "legal_name",
    "vat_number",
    "industry",
    "segment",
    "territory",
    "owner",
    "department",
    "status",
    "city",
    "country",
]


def test_creates_clients_with_owner_segment_and_territory(org, csv_file):
    path = csv_file(
        [
            HEADER,
            [
                "40003000001",
                "Alfa SIA",
                "LV40003000001",
                "Retail",
                "Pharmacies",
                "Riga",
                "kam_anna",
                "",
                "active",
                "Riga",
                "lv",
            ],
            ["40003000002", "Beta AS", "", "", "", "", "kam_sigrid", "", "potential", "", ""],
        ]
    )
    result = import_clients(source=path, actor=org.director)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    alfa = Account.objects.get(registration_number="40003000001")
    assert alfa.owner == org.kam_anna
    # Without a department column the client goes to its KAM's department (SE-1).
    assert alfa.department == org.north
    assert alfa.segment.name == "Pharmacies"
    assert alfa.segment.kind == Territory.Kind.SEGMENT
    assert alfa.territory.kind == Territory.Kind.TERRITORY
    assert alfa.country == "LV"
    assert Account.objects.get(registration_number="40003000002").status == "potential"
    # Each client is audited by account_create, and the import as a whole once.
    assert AuditEntry.objects.filter(entity="clients.account", action="create").count() == 2
    entry = AuditEntry.objects.get(entity="clients.account", action="import")
    assert entry.actor == org.director
    assert entry.entity_id == "data.csv"


def test_reimport_updates_and_never_duplicates(org, csv_file):
    make_account(owner=org.kam_anna, legal_name="Old name", registration_number="40003000001")
    path = csv_file(
        [
            ["registration_number", "legal_name", "owner", "city"],
            ["40003000001", "New name", "kam_sigrid", ""],
            ["40003000002", "Gamma", "kam_anna", "Cēsis"],
        ]
    )
    first = import_clients(actor=None, source=path)
    assert (first.created, first.updated, first.unchanged) == (1, 1, 0)
    moved = Account.objects.get(registration_number="40003000001")
    assert moved.legal_name == "New name"
    assert moved.owner == org.kam_sigrid
    # Handed to a KAM of South, the client leaves North's department with its old KAM.
    assert moved.department == org.south
    update = AuditEntry.objects.filter(
        entity="clients.account", entity_id=str(moved.pk), action="update"
    ).get()
    assert update.changes["legal_name"] == ["Old name", "New name"]

    again = import_clients(actor=None, source=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Account.objects.filter(registration_number__startswith="4000300000").count() == 2


def test_empty_cell_keeps_the_stored_value(org, csv_file):
    make_account(owner=org.kam_anna, registration_number="40003000001", city="Rīga")
    path = csv_file([["registration_number", "legal_name", "city"], ["40003000001", "A", ""]])
    assert import_clients(actor=None, source=path).ok
    assert Account.objects.get(registration_number="40003000001").city == "Rīga"


def test_every_bad_row_reported_and_nothing_changed(org, csv_file):
    make_account(owner=org.kam_anna, legal_name="Keep me", registration_number="40003000001")
    before = (Account.objects.count(), Territory.objects.count(), AuditEntry.objects.count())
    path = csv_file(
        [
            HEADER,
            ["40003000001", "Changed", "", "", "New segment", "", "", "", "", "", ""],
            ["40003000009", "", "", "", "", "", "nobody", "", "", "", ""],
            ["40003000010", "Ok", "", "", "", "", "", "Atlantis", "sleeping", "", "Latvija"],
            ["40003000011", "Ok", "", "", "", "", "", "", "", "", "Atlantis"],
            ["40003000009", "Twice", "", "", "", "", "", "", "", "", ""],
            ["", "No number", "", "", "", "", "", "", "", "", ""],
        ]
    )
    result = import_clients(actor=None, source=path)
    assert not result.ok
    assert {str(e) for e in result.errors} == {
        'line 3, column "legal_name": a value is required',
        'line 3, column "owner": no user named "nobody"',
        'line 4, column "department": no department named "Atlantis"',
        'line 4, column "status": "sleeping" is not one of: potential, active, inactive, lost',
        'line 5, column "country": "Atlantis" is not a country: write its two-letter code '
        "(e.g. LV) or its name in English, Latvian or Russian",
        'line 6, column "registration_number": "40003000009" is already on line 3',
        'line 7, column "registration_number": a value is required',
    }
    assert result.error_count == 7
    assert (result.created, result.updated) == (0, 0)
    assert (
        Account.objects.count(),
        Territory.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    assert Account.objects.get(registration_number="40003000001").legal_name == "Keep me"


def test_header_problems_are_reported_before_rows(org, csv_file):
    path = csv_file([["registration", "legal_name", "colour"], ["1", "A", "red"]])
    result = import_clients(actor=None, source=path)
    texts = [str(e) for e in result.errors]
    assert any(t.startswith('line 1, column "registration": unknown column') for t in texts)
    assert any(t.startswith('line 1, column "colour": unknown column') for t in texts)
    assert 'line 1, column "registration_number": required column is missing' in texts
    assert Account.objects.count() == 0


def test_xlsx_with_numeric_registration_numbers(org, xlsx_file):
    path = xlsx_file(
        [["Registration number", "Legal name", "Owner"], [40003000001, "Alfa", "kam_boris"]]
    )
    result = import_clients(actor=None, source=path)
    assert result.ok, result.errors
    account = Account.objects.get(registration_number="40003000001")
    assert account.owner == org.kam_boris
    assert account.department == org.north_pharma


def test_ambiguous_department(org, csv_file):
    from kam.org.services import department_create

    department_create(actor=None, name="North", parent=org.south)
    path = csv_file([["registration_number", "legal_name", "department"], ["1", "A", "North"]])
    result = import_clients(actor=None, source=path)
    assert [str(e) for e in result.errors] == [
        'line 2, column "department": several departments are named "North"'
    ]


def test_same_owner_again_keeps_a_department_set_by_hand(org, csv_file):
    make_account(owner=org.kam_anna, registration_number="40003000001", department=org.north_pharma)
    path = csv_file(
        [["registration_number", "legal_name", "owner"], ["40003000001", "A", "kam_anna"]]
    )
    assert import_clients(actor=None, source=path).ok
    assert Account.objects.get(registration_number="40003000001").department == org.north_pharma


def test_a_refusal_while_writing_rolls_back_the_rows_before(org, csv_file, monkeypatch):
    from django.core.exceptions import ValidationError

    from kam.imports.services import clients as services

    original = services.account_create

    def refuse_second(**kw):
        if kw["registration_number"] == "2":
            raise ValidationError({"legal_name": ["refused by the database rules"]})
        return original(**kw)

    monkeypatch.setattr(services, "account_create", refuse_second)
    path = csv_file([["registration_number", "legal_name"], ["1", "A"], ["2", "B"]])
    result = import_clients(actor=None, source=path)
    assert [str(e) for e in result.errors] == [
        'line 3, column "legal_name": refused by the database rules'
    ]
    assert (result.created, result.updated) == (0, 0)
    assert Account.objects.count() == 0
    assert not AuditEntry.objects.filter(entity="clients.account").exists()
