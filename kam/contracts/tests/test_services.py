"""Contracts (CT-1, CT-2): drafts, conclusion, renewal as a new version, termination, the
signed file; who may, and bad input refused naming the field with nothing changed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from kam.contracts import selectors, services
from kam.contracts.models import Contract
from kam.core.models import AuditEntry

PDF = b"%PDF-1.4\n%test\n"


def _draft(actor, account, column, **data):
    terms = {
        "number": "K-1",
        "starts_on": date(2025, 1, 1),
        "ends_on": date(2025, 12, 31),
        "payment_days": 45,
        "price_column": column,
        "credit_limit": "50000",
        "delivery_terms": "DAP Riga",
    }
    terms.update(data)
    return services.contract_create(actor=actor, account=account, **terms)


def _snapshot():
    return (
        list(
            Contract.objects.order_by("pk").values_list(
                "pk",
                "number",
                "version",
                "status",
                "starts_on",
                "ends_on",
                "credit_limit",
                "price_column_id",
                "attachment",
                "terminated_on",
            )
        ),
        AuditEntry.objects.count(),
    )


def test_a_kam_prepares_a_draft_for_their_client_audited(org, anna_client, column):
    contract = _draft(org.kam_anna, anna_client, column)
    assert contract.status == Contract.Status.DRAFT
    assert (contract.version, contract.currency, contract.payment_days) == (1, "EUR", 45)
    assert contract.created_by == org.kam_anna
    entry = AuditEntry.objects.get(entity="contracts.contract", entity_id=str(contract.pk))
    assert entry.actor == org.kam_anna and entry.changes["credit_limit"] == "50000"


def test_another_kams_client_is_not_found_and_support_is_refused(org, anna_client, column):
    before = _snapshot()
    with pytest.raises(Http404):
        _draft(org.kam_sigrid, anna_client, column)
    with pytest.raises(PermissionDenied, match="KAM and their managers"):
        _draft(org.support_north, anna_client, column)
    assert _snapshot() == before
    # The head of Anna's department may.
    assert _draft(org.head_north, anna_client, column).pk


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ends_on": date(2024, 12, 31)}, "ends_on"),
        ({"starts_on": date(1900, 1, 1)}, "starts_on"),
        ({"starts_on": None}, "starts_on"),
        ({"price_column": 999999}, "price_column"),
        ({"price_column": "key"}, "price_column"),
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"credit_limit": "1E+30"}, "credit_limit"),
        ({"payment_days": -5}, "payment_days"),
        ({"payment_days": 1000}, "payment_days"),
        ({"number": "  "}, "number"),
        ({"number": "K\x00"}, "number"),
        ({"currency": "euro"}, "currency"),
        ({"delivery_terms": "x\x07"}, "delivery_terms"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(org, anna_client, column, data, field):
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        _draft(org.kam_anna, anna_client, column, **data)
    assert field in err.value.message_dict
    assert _snapshot() == before


def test_every_bad_field_is_named_at_once(org, anna_client, column):
    with pytest.raises(ValidationError) as err:
        _draft(
            org.kam_anna, anna_client, column, credit_limit="-1", payment_days=-1, price_column=0
        )
    assert {"credit_limit", "payment_days", "price_column"} <= set(err.value.message_dict)


def test_a_number_is_used_once(org, anna_client, sigrid_client, column):
    _draft(org.kam_anna, anna_client, column)
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        _draft(org.kam_sigrid, sigrid_client, column)
    assert "already used" in err.value.message_dict["number"][0]
    assert "Anna" not in err.value.message_dict["number"][0]  # whose it is stays unsaid
    assert _snapshot() == before


def test_only_a_draft_can_be_changed(org, anna_client, column, column2):
    contract = _draft(org.kam_anna, anna_client, column)
    services.contract_update(
        actor=org.kam_anna, contract=contract, price_column=column2, payment_days=60
    )
    contract.refresh_from_db()
    assert (contract.price_column, contract.payment_days) == (column2, 60)
    services.contract_conclude(actor=org.head_north, contract=contract, on=date(2025, 1, 1))
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.contract_update(actor=org.kam_anna, contract=contract, payment_days=10)
    assert "Only a draft" in err.value.message_dict["status"][0]
    assert _snapshot() == before


def test_update_refuses_dates_out_of_order(org, anna_client, column):
    contract = _draft(org.kam_anna, anna_client, column)
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.contract_update(actor=org.kam_anna, contract=contract, ends_on=date(2024, 6, 1))
    assert "ends_on" in err.value.message_dict
    assert _snapshot() == before


def test_the_head_concludes_and_a_kam_may_not(org, anna_client, column):
    contract = _draft(org.kam_anna, anna_client, column)
    before = _snapshot()
    with pytest.raises(PermissionDenied, match="head of the department or the director"):
        services.contract_conclude(actor=org.kam_anna, contract=contract)
    with pytest.raises(Http404):
        services.contract_conclude(actor=org.head_south, contract=contract)
    assert _snapshot() == before
    services.contract_conclude(actor=org.head_north, contract=contract, on=date(2025, 1, 1))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert contract.concluded_by == org.head_north and contract.concluded_at
    active = selectors.contract_active(account_id=anna_client.pk, on=date(2025, 3, 1))
    assert active == contract
    assert active.price_column == column
    with pytest.raises(ValidationError):
        services.contract_conclude(actor=org.head_north, contract=contract)


def test_a_contract_concluded_near_its_end_is_expiring(org, anna_client, column):
    contract = _draft(org.kam_anna, anna_client, column)
    services.contract_conclude(actor=org.director, contract=contract, on=date(2025, 11, 15))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRING


def test_a_contract_past_its_end_is_not_concluded(org, anna_client, column):
    contract = _draft(org.kam_anna, anna_client, column)
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.contract_conclude(actor=org.director, contract=contract, on=date(2026, 1, 5))
    assert "ends_on" in err.value.message_dict
    assert _snapshot() == before


def _concluded(org, account, column, **data):
    contract = _draft(org.kam_anna, account, column, **data)
    return services.contract_conclude(actor=org.director, contract=contract, on=date(2025, 1, 1))


def test_renewal_is_a_new_version_and_concluding_it_renews_the_old(
    org, anna_client, column, column2
):
    old = _concluded(org, anna_client, column)
    new = services.contract_renew(
        actor=org.kam_anna,
        contract=old,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        credit_limit="60000",
    )
    assert (new.number, new.version, new.previous, new.status) == (
        "K-1",
        2,
        old,
        Contract.Status.DRAFT,
    )
    assert (new.payment_days, new.price_column, new.delivery_terms) == (45, column, "DAP Riga")
    assert new.credit_limit == Decimal("60000")
    # A draft renewal may change its terms, not its number.
    services.contract_update(actor=org.kam_anna, contract=new, price_column=column2.pk)
    with pytest.raises(ValidationError) as err:
        services.contract_update(actor=org.kam_anna, contract=new, number="K-2")
    assert "number" in err.value.message_dict
    services.contract_conclude(actor=org.head_north, contract=new, on=date(2025, 12, 1))
    old.refresh_from_db()
    assert old.status == Contract.Status.RENEWED
    assert [c.version for c in selectors.contract_versions(contract=new)] == [1, 2]
    assert selectors.contract_active(account_id=anna_client.pk, on=date(2026, 2, 1)) == new


def test_a_version_is_renewed_once_and_after_its_start(org, anna_client, column):
    old = _concluded(org, anna_client, column)
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.contract_renew(actor=org.kam_anna, contract=old, starts_on=date(2025, 1, 1))
    assert "starts_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.contract_renew(
            actor=org.kam_anna, contract=old, starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 1)
        )
    assert "ends_on" in err.value.message_dict
    assert _snapshot() == before
    services.contract_renew(actor=org.kam_anna, contract=old, starts_on=date(2026, 1, 1))
    before = _snapshot()
    with pytest.raises(ValidationError, match="already been renewed"):
        services.contract_renew(actor=org.kam_anna, contract=old, starts_on=date(2026, 1, 1))
    assert _snapshot() == before


def test_a_draft_is_not_renewed_and_another_kam_may_not(org, anna_client, column):
    draft = _draft(org.kam_anna, anna_client, column)
    with pytest.raises(ValidationError, match="Only a concluded"):
        services.contract_renew(actor=org.kam_anna, contract=draft, starts_on=date(2026, 1, 1))
    old = _concluded(org, anna_client, column, number="K-9")
    with pytest.raises(Http404):
        services.contract_renew(actor=org.kam_sigrid, contract=old, starts_on=date(2026, 1, 1))


def test_termination_ends_the_contract_with_a_reason(org, anna_client, column):
    contract = _concluded(org, anna_client, column)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.contract_terminate(
            actor=org.kam_anna, contract=contract, on=date(2025, 6, 30), reason="Bankrupt"
        )
    for on, reason, field in (
        (date(2024, 6, 30), "Bankrupt", "on"),
        (date(2026, 6, 30), "Bankrupt", "on"),
        (date(2025, 6, 30), "  ", "reason"),
        (None, "Bankrupt", "on"),
    ):
        with pytest.raises(ValidationError) as err:
            services.contract_terminate(actor=org.director, contract=contract, on=on, reason=reason)
        assert field in err.value.message_dict
    assert _snapshot() == before
    services.contract_terminate(
        actor=org.head_north,
        contract=contract,
        on=date(2025, 6, 30),
        reason="Bankrupt",
        as_of=date(2025, 8, 1),
    )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED
    assert (contract.ends_on, contract.termination_reason) == (date(2025, 6, 30), "Bankrupt")
    assert contract.terminated_by == org.head_north
    assert selectors.contract_active(account_id=anna_client.pk, on=date(2025, 6, 30)) is None


def test_a_termination_ahead_keeps_the_contract_until_its_last_day(org, anna_client, column):
    contract = _concluded(org, anna_client, column)
    services.contract_terminate(
        actor=org.director,
        contract=contract,
        on=date(2025, 9, 30),
        reason="Merged",
        as_of=date(2025, 6, 1),
    )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert selectors.contract_active(account_id=anna_client.pk, on=date(2025, 9, 30)) == contract
    assert selectors.contract_active(account_id=anna_client.pk, on=date(2025, 10, 1)) is None


def _upload(name, body):
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def test_the_signed_file_is_kept_and_replaced(org, anna_client, column, settings):
    contract = _draft(org.kam_anna, anna_client, column)
    services.contract_attach(actor=org.kam_anna, contract=contract, upload=_upload("s.pdf", PDF))
    contract.refresh_from_db()
    first = contract.attachment.name
    assert first.startswith("contracts/") and first.endswith(".pdf")
    assert contract.attachment.read() == PDF
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    services.contract_attach(actor=org.kam_anna, contract=contract, upload=_upload("s.PNG", png))
    contract.refresh_from_db()
    assert contract.attachment.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "body", "words"),
    [
        ("run.exe", b"MZ...", "PDF, PNG, JPEG or DOCX"),
        ("fake.pdf", b"MZ not a pdf", "not the PDF"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "over 10 MB"),
    ],
)
def test_a_bad_file_is_refused(org, anna_client, column, name, body, words):
    contract = _draft(org.kam_anna, anna_client, column)
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.contract_attach(actor=org.kam_anna, contract=contract, upload=_upload(name, body))
    assert words in err.value.message_dict["attachment"][0]
    assert _snapshot() == before


def test_another_kam_may_not_attach(org, anna_client, column):
    contract = _draft(org.kam_anna, anna_client, column)
    with pytest.raises(Http404):
        services.contract_attach(
            actor=org.kam_sigrid, contract=contract, upload=_upload("s.pdf", PDF)
        )
    with pytest.raises(PermissionDenied):
        services.contract_attach(
            actor=org.support_north, contract=contract, upload=_upload("s.pdf", PDF)
        )
    contract.refresh_from_db()
    assert not contract.attachment
