"""Contract pages: scoped list and detail (404 for another KAM's), exports, forms per role
(403 with the sentence for one who sees but may not), refusals shown on the field (422, nothing
changed), and the signed file served only to those who see the client."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kam.contracts import services
from kam.contracts.models import Contract
from kam.testing import make_contract

PDF = b"%PDF-1.4\nsigned\n"


@pytest.fixture
def mine(anna_client, column):
    return make_contract(account=anna_client, column=column, number="A-1", ends_on=date(2099, 1, 1))


@pytest.fixture
def theirs(sigrid_client, column):
    return make_contract(account=sigrid_client, column=column, number="S-1")


def test_the_list_shows_only_what_the_user_sees_and_filters(
    org, login, mine, theirs, django_assert_max_num_queries
):
    anna = login(org.kam_anna)
    with django_assert_max_num_queries(12):
        page = anna.get("/contracts/")
    html = page.content.decode()
    assert page.status_code == 200 and "A-1" in html and "S-1" not in html
    director = login(org.director).get("/contracts/").content.decode()
    assert "A-1" in director and "S-1" in director
    make_contract(account=mine.account, column=mine.price_column, number="A-2", status="draft")
    drafts = login(org.kam_anna).get("/contracts/", {"status": "draft"}).content.decode()
    assert "A-2" in drafts and "A-1 v1" not in drafts


def test_exports_are_scoped(org, login, mine, theirs):
    anna = login(org.kam_anna)
    csv = anna.get("/contracts/export.csv").content.decode("utf-8-sig")
    assert "A-1" in csv and "S-1" not in csv
    xlsx = anna.get("/contracts/export.xlsx")
    assert xlsx.status_code == 200
    import io

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A-1"]
    assert anna.get("/contracts/export.pdf").status_code == 404


def test_detail_is_404_for_another_kam(org, login, mine):
    assert login(org.kam_sigrid).get(f"/contracts/{mine.pk}/").status_code == 404
    page = login(org.kam_anna).get(f"/contracts/{mine.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "contract-versions" in html
    # A KAM renews (the contract is active) but may not terminate.
    assert f"/contracts/{mine.pk}/renew/" in html
    assert f"/contracts/{mine.pk}/terminate/" not in html
    head = login(org.head_north).get(f"/contracts/{mine.pk}/").content.decode()
    assert f"/contracts/{mine.pk}/terminate/" in head


def test_prepare_a_draft_through_the_form(org, login, anna_client, column):
    anna = login(org.kam_anna)
    assert anna.get(f"/contracts/new/?client={anna_client.pk}").status_code == 200
    data = {
        "account": anna_client.pk,
        "number": "F-1",
        "starts_on": "2025-01-01",
        "ends_on": "2024-01-01",
        "payment_days": "30",
        "price_column": column.pk,
        "credit_limit": "1000",
        "currency": "EUR",
    }
    refused = anna.post("/contracts/new/", data)
    assert refused.status_code == 422
    assert "The last day must not be before the first day." in refused.content.decode()
    assert not Contract.objects.exists()
    done = anna.post("/contracts/new/", {**data, "ends_on": "2025-12-31"})
    contract = Contract.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/contracts/{contract.pk}/"
    assert contract.created_by == org.kam_anna


def test_the_form_refuses_another_kams_client_and_support(org, login, sigrid_client, column):
    assert login(org.support_north).get("/contracts/new/").status_code == 403
    refused = login(org.kam_anna).post(
        "/contracts/new/",
        {
            "account": sigrid_client.pk,
            "number": "X",
            "starts_on": "2025-01-01",
            "price_column": column.pk,
            "credit_limit": "1",
            "payment_days": "30",
        },
    )
    assert refused.status_code == 422
    assert not Contract.objects.exists()
    assert login(org.kam_anna).get(f"/contracts/new/?client={sigrid_client.pk}").status_code == 404


def test_conclude_and_terminate_pages_by_role(org, login, anna_client, column):
    draft = make_contract(
        account=anna_client, column=column, status="draft", ends_on=date(2099, 1, 1)
    )
    assert login(org.kam_anna).post(f"/contracts/{draft.pk}/conclude/").status_code == 403
    assert login(org.head_south).post(f"/contracts/{draft.pk}/conclude/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    head = login(org.head_north)
    assert head.post(f"/contracts/{draft.pk}/conclude/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "active" and draft.concluded_by == org.head_north
    again = head.post(f"/contracts/{draft.pk}/conclude/")
    assert again.status_code == 422 and "Only a draft" in again.content.decode()
    bad = head.post(f"/contracts/{draft.pk}/terminate/", {"on": "2020-01-01", "reason": "x"})
    assert bad.status_code == 422 and "cannot end before" in bad.content.decode()
    ok = head.post(f"/contracts/{draft.pk}/terminate/", {"on": "2025-01-31", "reason": "Closed"})
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "terminated"


def test_edit_and_renew_pages(org, login, anna_client, column):
    draft = make_contract(account=anna_client, column=column, status="draft", number="E-1")
    assert login(org.kam_sigrid).get(f"/contracts/{draft.pk}/edit/").status_code == 404
    anna = login(org.kam_anna)  # the same test client, signed in again
    form = {
        "number": "E-1",
        "starts_on": "2024-01-01",
        "ends_on": "",
        "payment_days": "15",
        "price_column": column.pk,
        "credit_limit": "-3",
        "currency": "EUR",
    }
    refused = anna.post(f"/contracts/{draft.pk}/edit/", form)
    assert refused.status_code == 422 and "credit_limit-error" in refused.content.decode()
    assert (
        anna.post(f"/contracts/{draft.pk}/edit/", {**form, "credit_limit": "3"}).status_code == 302
    )
    draft.refresh_from_db()
    assert draft.payment_days == 15
    services.contract_conclude(actor=org.director, contract=draft)
    assert anna.get(f"/contracts/{draft.pk}/renew/").status_code == 200
    renewed = anna.post(
        f"/contracts/{draft.pk}/renew/", {**form, "credit_limit": "5", "starts_on": "2025-01-01"}
    )
    assert renewed.status_code == 302
    assert Contract.objects.get(previous=draft).version == 2


def test_the_signed_file_is_served_only_in_scope(org, login, mine):
    anna = login(org.kam_anna)
    upload = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    assert anna.post(f"/contracts/{mine.pk}/attach/", {"attachment": upload}).status_code == 302
    got = anna.get(f"/contracts/{mine.pk}/file/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert 'filename="A-1-v1.pdf"' in got["Content-Disposition"]
    assert login(org.kam_sigrid).get(f"/contracts/{mine.pk}/file/").status_code == 404
    bad = login(org.kam_anna).post(
        f"/contracts/{mine.pk}/attach/",
        {"attachment": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")},
    )
    assert bad.status_code == 422 and "PDF, PNG, JPEG or DOCX" in bad.content.decode()


def test_no_file_is_404(org, login, mine):
    assert login(org.kam_anna).get(f"/contracts/{mine.pk}/file/").status_code == 404
