"""The import page (issue 8 §4): upload, map, preview, check, import, progress, errors as CSV,
the list of runs; who may not import gets 403 for the pages, 404 for a run, and no nav link."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.imports.models import ImportMapping, ImportRun

pytestmark = pytest.mark.django_db

EXPORT = (
    "Customer ID;Company;Town\n"
    "40001000001;Aurora SIA;Riga\n"
    "40001000002;Baltic AS;Tallinn\n"
    "40001000003;;Vilnius\n"
)


def csv_upload(text: str, name: str = "export.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def upload(client, text=EXPORT, *, kind="clients", name="export.csv", **extra):
    return client.post(
        reverse("imports:upload"), {"kind": kind, "file": csv_upload(text, name), **extra}
    )


def the_run() -> ImportRun:
    return ImportRun.objects.get()


def mapping_post(client, run, action, headers=None, **fields):
    data = {
        "column_0": "registration_number",
        "column_1": "legal_name",
        "column_2": "city",
        "date_format": "auto",
        "action": action,
        **fields,
    }
    return client.post(reverse("imports:run", args=[run.uuid]), data, headers=headers)


def test_upload_leads_to_the_mapping_with_a_guess_and_a_preview(org, login):
    client = login(org.support_north)
    response = upload(client, "registration_number,Legal name,Town\n40001000001,Aurora SIA,Riga\n")
    run = the_run()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:run", args=[run.uuid])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    form = page.context["form"]
    # Columns named like KAM's fields are chosen already; the others wait for the user.
    assert form.initial["column_0"] == "registration_number"
    assert form.initial["column_1"] == "legal_name"
    assert form.initial["column_2"] == ""
    assert run.checksum in html
    assert "Aurora SIA" in html  # the preview
    assert 'id="run-progress"' in html and "every 1s" not in html  # uploaded: nothing to poll


def test_check_lists_every_error_and_writes_nothing_then_the_fixed_mapping_imports(org, login):
    client = login(org.support_north)
    upload(client)
    run = the_run()
    response = mapping_post(client, run, "check")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED
    assert run.error_count == 1
    page = client.get(reverse("imports:run", args=[run.uuid]))
    html = page.content.decode()
    assert "nothing was written" in html
    error = run.result["errors"][0]
    assert error["line"] == 4 and error["column"] == "Company"  # the file's own column name
    assert not Account.objects.exists()

    download = client.get(reverse("imports:errors_csv", args=[run.uuid]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["line", "column", "reason"]
    assert rows[1] == ["4", "Company", "a value is required"]

    # The same upload, the faulty row left out by another file? No: map only what is right.
    fixed = "Customer ID;Company;Town\n40001000001;Aurora SIA;Riga\n40001000002;Baltic AS;Tallinn\n"
    upload(client, fixed, name="fixed.csv")
    run = ImportRun.objects.get(file_name="fixed.csv")
    assert mapping_post(client, run, "check").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED and run.result["ok"]
    assert not Account.objects.exists()
    assert mapping_post(client, run, "import").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.percent == 100
    assert Account.objects.get(registration_number="40001000002").city == "Tallinn"
    page = client.get(reverse("imports:run", args=[run.uuid]))
    assert page.context["form"] is None  # imported: nothing more to choose
    assert b'value="100"' in page.content


def test_preview_fragment_marks_the_bad_cell(org, login):
    client = login(org.support_north)
    upload(client)
    run = the_run()
    response = mapping_post(client, run, "preview", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="preview">')
    # Line 4 has no company: its legal-name cell is marked with the reason.
    bad_row = html.split("<td>4</td>")[1].split("</tr>")[0]
    assert 'aria-invalid="true"' in bad_row
    assert "a value is required" in bad_row
    assert "<td>40001000003</td>" in bad_row
    assert 'aria-invalid="true"' in html


def test_a_bad_mapping_is_named_and_nothing_runs(org, login):
    client = login(org.support_north)
    upload(client)
    run = the_run()
    # Two columns for one field.
    response = mapping_post(client, run, "check", column_2="legal_name")
    assert response.status_code == 422
    assert "already mapped" in response.content.decode()
    # A required field left out.
    response = mapping_post(client, run, "import", column_1="")
    assert response.status_code == 422
    assert "legal_name" in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED
    assert not Account.objects.exists()


def test_save_mapping_as_then_reuse_it_for_the_next_file(org, login):
    client = login(org.support_north)
    upload(client, EXPORT.replace("40001000003;;Vilnius\n", ""))
    run = the_run()
    assert mapping_post(client, run, "import", save_as="erp-clients").status_code == 302
    saved = ImportMapping.objects.get(name="erp-clients")
    assert saved.spec["columns"]["Customer ID"] == "registration_number"
    response = upload(
        client,
        "Customer ID;Company;Town\n40001000004;Ciema SIA;Cesis\n",
        name="next.csv",
        mapping_name="erp-clients",
    )
    run = ImportRun.objects.get(file_name="next.csv")
    assert run.mapping == saved
    page = client.get(response["Location"])
    assert page.context["form"].initial["column_1"] == "legal_name"
    # Choosing the saved mapping in the drop-down fills the form from it.
    page = client.get(response["Location"], {"mapping": "erp-clients"})
    assert page.context["form"].initial["column_2"] == "city"


def test_products_with_xlsx(org, login, xlsx_file):
    client = login(org.director)
    path = xlsx_file([["sku", "name"], ["P-1", "Plaster"]], name="products.xlsx")
    client.post(
        reverse("imports:upload"),
        {"kind": "products", "file": SimpleUploadedFile("products.xlsx", path.read_bytes())},
    )
    run = the_run()
    client.post(
        reverse("imports:run", args=[run.uuid]),
        {"column_0": "sku", "column_1": "name", "date_format": "auto", "action": "import"},
    )
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.result
    assert Product.objects.get(sku="P-1").name == "Plaster"


def test_progress_fragment_polls_until_finished_then_refreshes(org, login):
    client = login(org.support_north)
    upload(client)
    run = the_run()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.IMPORTING, progress_done=30, progress_total=60
    )
    url = reverse("imports:run", args=[run.uuid])
    response = client.get(url, {"part": "progress", "poll": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="50"' in html
    assert "HX-Refresh" not in response
    # The full page while it runs: the bar, no mapping form.
    page = client.get(url)
    assert page.context["form"] is None and b'hx-trigger="every 1s"' in page.content
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.DONE, progress_done=60, result={"ok": True, "summary": "done"}
    )
    response = client.get(url, {"part": "progress", "poll": "1"}, HTTP_HX_REQUEST="true")
    assert "every 1s" not in response.content.decode()  # polling stops
    assert response["HX-Refresh"] == "true"


def test_list_of_runs_shows_who_when_file_checksum_kind_status_counts(org, login):
    client = login(org.support_north)
    upload(client)
    run = the_run()
    mapping_post(client, run, "check")
    other = login(org.director)
    upload(other, "registration_number,legal_name\n40001000005,Delta SIA\n", name="d.csv")
    response = other.get(reverse("imports:runs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "export.csv" in html and "d.csv" in html  # imports are company-wide
    assert run.checksum in html
    assert "Sam Support" in html and "Dora Director" in html
    assert "checked" in html
    assert other.get(reverse("imports:runs"), {"page": "99999999999999999999"}).status_code == 200


def test_list_query_count_does_not_grow(org, login):
    client = login(org.support_north)
    upload(client, name="first.csv")
    client.get(reverse("imports:runs"))  # the company's settings are made on a first page

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("imports:runs")).status_code == 200
        return len(seen)

    one = queries()
    for i in range(12):
        upload(client, name=f"f{i}.csv")
    assert queries() == one


def test_a_kam_is_refused_sees_no_runs_no_nav_link_and_404_for_a_run(org, login):
    importer = login(org.support_north)
    assert b'href="/imports/"' in importer.get(reverse("home")).content
    upload(importer)
    run = the_run()
    kam = login(org.kam_anna)
    assert b'href="/imports/"' not in kam.get(reverse("home")).content
    assert kam.get(reverse("imports:upload")).status_code == 403
    assert upload(kam).status_code == 403
    assert kam.get(reverse("imports:runs")).status_code == 403
    for url in (
        reverse("imports:run", args=[run.uuid]),
        reverse("imports:errors_csv", args=[run.uuid]),
        reverse("imports:run", args=["00000000-0000-0000-0000-000000000000"]),
    ):
        assert kam.get(url).status_code == 404
    assert mapping_post(kam, run, "import").status_code == 404
    assert ImportRun.objects.count() == 1
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "clients"}, "Choose a file"),
        ({"kind": "clients", "file": csv_upload("a,b\n", "notes.txt")}, "Only .csv and .xlsx"),
        ({"kind": "nonsense", "file": csv_upload(EXPORT)}, "Select a valid choice"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_nothing_is_stored(org, login, data, message):
    client = login(org.support_north)
    response = client.post(reverse("imports:upload"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_too_large_upload(org, login):
    client = login(org.support_north)
    with override_settings(KAM_IMPORT_MAX_MB=0.00005):  # 52 bytes
        response = upload(client)
    assert response.status_code == 422
    assert "KAM_IMPORT_MAX_MB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_unknown_action_and_a_started_run(org, login):
    client = login(org.support_north)
    upload(client, EXPORT.replace("40001000003;;Vilnius\n", ""))
    run = the_run()
    assert mapping_post(client, run, "explode").status_code == 404
    mapping_post(client, run, "import")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    # Imported (and the upload removed): a second Import changes nothing.
    response = mapping_post(client, run, "import")
    assert response.status_code == 302
    assert Account.objects.count() == 2


RETAIL = """Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom
489434,79323P,PINK CHERRY LIGHTS,12,2009-12-01 07:45:00,6.75,13085.0,United Kingdom
489439,POST,POSTAGE,3,2009-12-01 09:28:00,18.0,12682.0,France
C489449,22087,PAPER BUNTING WHITE LACE,-12,2009-12-01 10:33:00,2.95,16321.0,Australia
"""
RETAIL_FORM = {
    "column_0": "document_number",
    "column_1": "sku",
    "column_2": "product_name",
    "column_3": "quantity",
    "column_4": "date",
    "column_5": "",
    "column_6": "client",
    "column_7": "client_country",
    "revenue_a": "Quantity",
    "revenue_b": "Price",
    "line_by_position": "on",
    "date_format": "iso",
    "cancellation_prefix": "C",
    "service_skus": "POST",
    "service_lines": "keep",
}


def test_a_real_world_sales_export_mapped_checked_and_imported_in_the_page(org, login):
    from kam.core.services import company_settings_update
    from kam.sales.models import SalesLine

    company_settings_update(actor=None, history_starts_on=date(2009, 1, 1))
    client = login(org.support_north)
    upload(client, RETAIL, kind="sales", name="online_retail.csv")
    run = the_run()
    url = reverse("imports:run", args=[run.uuid])
    page = client.get(url)
    assert "revenue_a" in page.context["form"].fields  # computed revenue for sales

    # Without "create missing", the unknown clients and products are errors by the file's names.
    client.post(url, {**RETAIL_FORM, "action": "check"})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED and run.error_count > 0
    assert {"Customer ID", "StockCode"} <= {e["column"] for e in run.result["errors"]}

    response = client.post(
        url, {**RETAIL_FORM, "create_missing": "on", "action": "import", "save_as": "retail"}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.result
    assert run.result["clients_created"] == 3
    assert run.options["create_missing"] is True
    line = SalesLine.objects.get(document_number="489434", line_number=1)
    assert str(line.revenue) == "83.40"  # 12 x 6.95
    saved = ImportMapping.objects.get(name="retail")
    assert saved.spec["computed"]["revenue"] == {"multiply": ["Quantity", "Price"]}
    assert saved.spec["options"]["cancellation_prefix"] == "C"


def test_a_bad_mapping_name_is_refused_at_its_field_and_nothing_runs(org, login):
    client = login(org.support_north)
    upload(client, EXPORT.replace("40001000003;;Vilnius\n", ""))
    run = the_run()
    response = mapping_post(client, run, "import", save_as="erp\x07nightly")
    assert response.status_code == 422
    assert response.context["form"].errors["save_as"]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED
    assert not ImportMapping.objects.exists() and not Account.objects.exists()


def test_each_column_shows_its_first_value_to_tell_which_is_which(org, login):
    """Odoo-like: under each drop-down the file's own first value ("e.g. 40001000001"), cut
    to 40 characters, control characters escaped."""
    client = login(org.support_north)
    long = "A" * 60
    upload(client, f"Customer ID;Company;Town\n40001000001;{long};Ri\x01ga\n")
    page = client.get(reverse("imports:run", args=[the_run().uuid]))
    form = page.context["form"]
    assert form["column_0"].help_text == "e.g. 40001000001"
    assert form["column_1"].help_text == f"e.g. {'A' * 40}…"
    assert form["column_2"].help_text == "e.g. Ri\\x01ga"
    assert "e.g. 40001000001" in page.content.decode()
