"""Managing clients through the services (issue 7 §6): who may (two users each), what is
refused, the ownership history across reassignments, the audit with names."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from kam.clients import services
from kam.clients.models import Account, AccountOwnership
from kam.clients.selectors import (
    account_owner_on,
    account_ownership_history,
    owners_between,
)
from kam.clients.services import (
    account_archive,
    account_create,
    account_reassign,
    account_restore,
    account_update,
)
from kam.core.bounds import history_start
from kam.core.models import AuditEntry
from kam.org.services import deputyship_create
from kam.testing import make_account

pytestmark = pytest.mark.django_db


def last_audit(account) -> AuditEntry:
    return AuditEntry.objects.filter(entity="clients.account", entity_id=str(account.pk)).latest(
        "pk"
    )


def open_rows(account):
    return list(AccountOwnership.objects.filter(account=account, ended_on__isnull=True))


# --- create -----------------------------------------------------------------------------


def test_a_kam_creates_a_client_for_themselves_a_credit_controller_may_not(org):
    account = account_create(actor=org.kam_anna, legal_name="Rīgas Piens", owner=org.kam_anna)
    assert account.department == org.north
    with pytest.raises(PermissionDenied):
        account_create(actor=org.credit, legal_name="Credit Ltd")
    assert not Account.objects.filter(legal_name="Credit Ltd").exists()


def test_a_kam_may_not_give_a_new_client_to_another_kam(org):
    with pytest.raises(ValidationError) as exc:
        account_create(actor=org.kam_anna, legal_name="Pushed SIA", owner=org.kam_sigrid)
    assert "owner" in exc.value.message_dict
    assert not Account.objects.filter(legal_name="Pushed SIA").exists()


def test_a_head_gives_new_clients_only_inside_their_department(org):
    inside = account_create(actor=org.head_north, legal_name="Inside SIA", owner=org.kam_boris)
    assert inside.owner == org.kam_boris and inside.department == org.north_pharma
    with pytest.raises(ValidationError) as exc:
        account_create(actor=org.head_north, legal_name="Outside SIA", owner=org.kam_sigrid)
    assert "Sigrid Kam" in exc.value.message_dict["owner"][0]


def test_only_active_kams_hold_clients(org):
    with pytest.raises(ValidationError) as exc:
        account_create(actor=org.director, legal_name="Boss SIA", owner=org.head_south)
    assert "not an active key account manager" in exc.value.message_dict["owner"][0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("legal_name", "   ", "legal name"),
        ("legal_name", "Bad\x00Name", "Control characters"),
        ("city", "Rīga\x07", "Control characters"),
        ("website", "not a url", "valid URL"),
        ("country", "LVA", "at most 2"),
    ],
)
def test_create_refuses_bad_fields_naming_them(org, field, value, message):
    data = {"legal_name": "Good SIA", field: value}
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        account_create(actor=org.director, **data)
    assert message in " ".join(exc.value.message_dict[field])


def test_registration_number_is_unique_with_a_clear_message(org):
    make_account(owner=org.kam_sigrid, legal_name="Secret South", registration_number="40001")
    with pytest.raises(ValidationError) as exc:
        account_create(actor=org.kam_anna, legal_name="Copy", registration_number="40001")
    message = exc.value.message_dict["registration_number"][0]
    assert "40001" in message
    assert "Secret South" not in message  # SE-1: not Anna's client


# --- edit -------------------------------------------------------------------------------


def test_the_sales_team_edits_a_client_the_credit_controller_may_not(org):
    account = make_account(owner=org.kam_anna, city="Rīga")
    account_update(actor=org.support_north, account=account, city="Jelgava")
    with pytest.raises(PermissionDenied):
        account_update(actor=org.credit, account=account, city="Ogre")
    with pytest.raises(Http404):
        account_update(actor=org.kam_sigrid, account=account, city="Ogre")
    account.refresh_from_db()
    assert account.city == "Jelgava"


def test_edit_audit_names_the_related_record_not_its_id(org):
    from kam.org.services import territory_get_or_create

    segment = territory_get_or_create(name="Hospitals", kind="segment")
    account = make_account(owner=org.kam_anna)
    account_update(actor=org.kam_anna, account=account, segment=segment, city="Rīga")
    entry = last_audit(account)
    assert entry.actor == org.kam_anna
    assert entry.changes["segment"] == [None, "Hospitals"]
    assert entry.changes["city"] == ["", "Rīga"]


def test_edit_may_not_change_the_owner_without_the_right_to_reassign(org):
    account = make_account(owner=org.kam_anna)
    with pytest.raises(PermissionDenied):
        account_update(actor=org.kam_anna, account=account, owner=org.kam_boris)
    account.refresh_from_db()
    assert account.owner == org.kam_anna


# --- reassign ---------------------------------------------------------------------------


def test_the_head_reassigns_a_kam_may_not(org):
    account = make_account(owner=org.kam_anna)
    with pytest.raises(PermissionDenied) as exc:
        account_reassign(actor=org.kam_anna, account=account, owner=org.kam_boris)
    assert "head of the department" in str(exc.value)
    account_reassign(actor=org.head_north, account=account, owner=org.kam_boris)
    account.refresh_from_db()
    assert account.owner == org.kam_boris
    assert account.department == org.north_pharma  # follows the KAM


def test_a_head_may_not_reassign_another_departments_client_nor_give_one_away(org):
    south = make_account(owner=org.kam_sigrid)
    north = make_account(owner=org.kam_anna)
    with pytest.raises(Http404):
        account_reassign(actor=org.head_north, account=south, owner=org.kam_anna)
    with pytest.raises(ValidationError) as exc:
        account_reassign(actor=org.head_north, account=north, owner=org.kam_sigrid)
    assert "owner" in exc.value.message_dict
    # The director may do both.
    account_reassign(actor=org.director, account=north, owner=org.kam_sigrid)
    assert Account.objects.get(pk=north.pk).owner == org.kam_sigrid


def test_a_deputy_of_the_head_may_reassign_while_the_order_lasts(org):
    account = make_account(owner=org.kam_anna)
    with pytest.raises(PermissionDenied):
        account_reassign(actor=org.regional_north, account=account, owner=org.kam_boris)
    deputyship_create(
        actor=org.director,
        absent=org.head_north,
        deputy=org.regional_north,
        starts_on=date.today() - timedelta(days=1),
        ends_on=date.today() + timedelta(days=1),
        order_ref="Order 7",
    )
    account_reassign(actor=org.regional_north, account=account, owner=org.kam_boris)
    assert Account.objects.get(pk=account.pk).owner == org.kam_boris


def test_reassign_audit_keeps_old_and_new_names(org):
    account = make_account(owner=org.kam_anna)
    account_reassign(actor=org.head_north, account=account, owner=org.kam_boris)
    entry = last_audit(account)
    assert entry.actor == org.head_north
    assert entry.changes["owner"] == ["Anna Kam", "Boris Kam"]
    assert entry.changes["department"] == ["North", "North-Pharma"]


def test_reassign_to_the_same_kam_or_in_the_future_is_refused(org):
    account = make_account(owner=org.kam_anna)
    with pytest.raises(ValidationError) as exc:
        account_reassign(actor=org.head_north, account=account, owner=org.kam_anna)
    assert "already holds" in exc.value.message_dict["owner"][0]
    with pytest.raises(ValidationError) as exc:
        account_reassign(
            actor=org.head_north,
            account=account,
            owner=org.kam_boris,
            on=date.today() + timedelta(days=3),
        )
    assert "on" in exc.value.message_dict


def test_ownership_rows_follow_the_reassignments(org, monkeypatch):
    account = make_account(owner=org.kam_anna)
    (first,) = open_rows(account)
    assert first.owner == org.kam_anna and first.started_on == history_start()

    monkeypatch.setattr(services, "today", lambda: date(2026, 3, 10))
    account_reassign(actor=org.head_north, account=account, owner=org.kam_boris)
    monkeypatch.setattr(services, "today", lambda: date(2026, 6, 1))
    account_reassign(
        actor=org.director, account=account, owner=org.kam_sigrid, on=date(2026, 5, 15)
    )

    history = account_ownership_history(account=account)
    assert [(r.owner, r.started_on, r.ended_on) for r in history] == [
        (org.kam_sigrid, date(2026, 5, 15), None),
        (org.kam_boris, date(2026, 3, 10), date(2026, 5, 15)),
        (org.kam_anna, history_start(), date(2026, 3, 10)),
    ]
    assert len(open_rows(account)) == 1
    # The KAM credited with a sale is the one who held the client that day.
    assert account_owner_on(account=account, day=date(2026, 3, 9)) == org.kam_anna
    assert account_owner_on(account=account, day=date(2026, 3, 10)) == org.kam_boris
    assert account_owner_on(account=account, day=date(2026, 5, 14)) == org.kam_boris
    assert account_owner_on(account=account, day=date(2026, 5, 15)) == org.kam_sigrid
    rows = owners_between(user=org.director, first=date(2026, 4, 1), last=date(2026, 5, 31))
    assert [r.owner for r in rows] == [org.kam_boris, org.kam_sigrid]
    # Scoped: Hugo (North) does not see a client that is now Sigrid's (South).
    assert (
        list(owners_between(user=org.head_north, first=date(2026, 1, 1), last=date(2026, 12, 31)))
        == []
    )


def test_two_handovers_on_one_day_leave_one_open_row_and_credit_the_last(org):
    account = make_account(owner=org.kam_anna)
    account_reassign(actor=org.head_north, account=account, owner=org.kam_boris)
    account_reassign(actor=org.head_north, account=account, owner=org.kam_anna)
    assert [r.owner for r in open_rows(account)] == [org.kam_anna]
    assert account_owner_on(account=account, day=date.today()) == org.kam_anna


def test_a_handover_may_not_be_dated_before_the_current_owner_took_over(org, monkeypatch):
    account = make_account(owner=org.kam_anna)
    monkeypatch.setattr(services, "today", lambda: date(2026, 3, 10))
    account_reassign(actor=org.head_north, account=account, owner=org.kam_boris)
    with pytest.raises(ValidationError) as exc:
        account_reassign(
            actor=org.head_north, account=account, owner=org.kam_anna, on=date(2026, 3, 1)
        )
    assert "on" in exc.value.message_dict


def test_account_update_with_a_new_owner_writes_the_history_too(org):
    account = make_account(owner=org.kam_anna)
    account_update(actor=org.director, account=account, owner=org.kam_sigrid)
    assert [r.owner for r in open_rows(account)] == [org.kam_sigrid]
    assert AccountOwnership.objects.filter(account=account).count() == 2


def test_a_client_created_without_an_owner_has_no_history_until_it_gets_one(org):
    account = account_create(actor=org.director, legal_name="Orphan SIA")
    assert account_ownership_history(account=account) == []
    account_reassign(actor=org.director, account=account, owner=org.kam_anna)
    (row,) = open_rows(account)
    assert row.owner == org.kam_anna and row.started_on == date.today()


# --- archive ----------------------------------------------------------------------------


def test_the_head_archives_and_restores_a_kam_may_not(org):
    account = make_account(owner=org.kam_anna)
    with pytest.raises(PermissionDenied):
        account_archive(actor=org.kam_anna, account=account)
    with pytest.raises(PermissionDenied):
        account_archive(actor=org.credit, account=account)
    account_archive(actor=org.head_north, account=account)
    account.refresh_from_db()
    assert account.archived_at is not None
    with pytest.raises(PermissionDenied):
        account_restore(actor=org.kam_anna, account=account)
    account_restore(actor=org.director, account=account)
    account.refresh_from_db()
    assert account.archived_at is None
    actions = [e.changes for e in AuditEntry.objects.filter(entity_id=str(account.pk))]
    assert sum("archived_at" in c for c in actions) == 2


def test_an_archived_client_keeps_its_owner_and_refuses_edits_until_restored(org):
    account = make_account(owner=org.kam_anna)
    account_archive(actor=org.head_north, account=account)
    assert [r.owner for r in open_rows(account)] == [org.kam_anna]
    with pytest.raises(ValidationError):
        account_update(actor=org.kam_anna, account=account, city="Ogre")
    with pytest.raises(ValidationError):
        account_archive(actor=org.head_north, account=account)


def test_the_backfill_migration_gives_each_owned_client_one_open_row(org):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "kam.clients.migrations.0004_ownership_backfill_and_unaccent"
    )
    # As the demo's bulk path and every client before this change: no history at all.
    owned, unowned = Account.objects.bulk_create(
        [Account(legal_name="Owned", owner=org.kam_anna), Account(legal_name="Unowned")]
    )
    kept = make_account(owner=org.kam_boris)
    migration.backfill(apps, None)
    migration.backfill(apps, None)  # twice: still one row each
    assert [(r.owner, r.started_on) for r in open_rows(owned)] == [(org.kam_anna, history_start())]
    assert open_rows(unowned) == []
    assert len(open_rows(kept)) == 1


def test_a_head_may_not_put_a_client_in_another_departments_sight(org):
    account = make_account(owner=org.kam_anna)
    with pytest.raises(ValidationError) as exc:
        account_reassign(
            actor=org.head_north, account=account, owner=org.kam_boris, department=org.south
        )
    assert "South" in exc.value.message_dict["department"][0]
    # Inside Hugo's subtree it is his choice; the director may choose any.
    account_reassign(
        actor=org.head_north, account=account, owner=org.kam_boris, department=org.north
    )
    assert Account.objects.get(pk=account.pk).department == org.north
    account_reassign(actor=org.director, account=account, owner=org.kam_anna, department=org.south)
    assert Account.objects.get(pk=account.pk).department == org.south


def test_a_client_its_author_could_not_see_is_refused(org):
    # A KAM's client with no owner: only the director would ever see it.
    with pytest.raises(ValidationError) as exc:
        account_create(actor=org.kam_anna, legal_name="Lost SIA")
    assert "owner" in exc.value.message_dict
    assert not Account.objects.filter(legal_name="Lost SIA").exists()
    # A head may leave the owner open in their own department.
    account = account_create(actor=org.head_north, legal_name="Open SIA", department=org.north)
    assert account.owner is None


def test_edit_names_every_bad_field_at_once(org):
    account = make_account(owner=org.kam_anna)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        account_update(actor=org.kam_anna, account=account, city="Ri\x00ga", website="nope")
    assert set(exc.value.message_dict) == {"city", "website"}
    account.refresh_from_db()
    assert account.city == ""


def test_ownership_backfill_covers_bulk_created_clients_once(org):
    from kam.clients.services import ownership_backfill

    bulk = Account.objects.bulk_create(
        [
            Account(legal_name=f"Bulk {n}", owner=org.kam_anna, department=org.north)
            for n in range(3)
        ]
    )
    made_by_service = make_account(owner=org.kam_boris)
    assert ownership_backfill() == 3
    assert ownership_backfill() == 0
    for account in [*bulk, made_by_service]:
        assert len(open_rows(account)) == 1
    assert account_owner_on(account=bulk[0], day=date(2020, 5, 1)) == org.kam_anna


def test_contacts_are_changed_by_the_clients_team_not_by_credit_nor_another_kam(org):
    """CLIENT_EDIT guards contact people too: the credit controller sees the client (403, not
    written); a KAM of another client does not (404); the client's KAM may."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from kam.clients.models import Contact
    from kam.clients.services import contact_create, contact_update

    account = make_account(owner=org.kam_anna)
    with pytest.raises(PermissionDenied):
        contact_create(actor=org.credit, account=account, first_name="Ilze", last_name="Ozola")
    with pytest.raises(Http404):
        contact_create(actor=org.kam_sigrid, account=account, first_name="Ilze", last_name="Ozola")
    assert not Contact.objects.exists()
    contact = contact_create(
        actor=org.kam_anna, account=account, first_name="Ilze", last_name="Ozola"
    )
    with pytest.raises(PermissionDenied):
        contact_update(actor=org.credit, contact=contact, position="Buyer")
    contact.refresh_from_db()
    assert contact.position == ""
    contact_update(actor=org.kam_anna, contact=contact, position="Buyer")
    contact.refresh_from_db()
    assert contact.position == "Buyer"
