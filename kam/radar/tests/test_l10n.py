"""The radar's human texts follow the reader's language: figures with its decimal mark and
grouping, nouns after a count in its plural forms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kam.radar.selectors import radar_portfolio, why_key
from kam.radar.services import key_flag_set, reference_case_record
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\xa0"  # Latvian and Russian group thousands with a no-break space


@pytest.fixture
def aurora(org):
    """Aurora earns 43 019.32 of the company's 199 250.00 this month: 21.59 %, critical."""
    product = make_product()
    today = timezone.localdate()
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    other = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    for account, income in ((aurora, "43019.32"), (other, "156230.68")):
        make_sale(account=account, product=product, on=today, revenue=income, cost="0")
    return aurora


def share_summary(user, account) -> str:
    evidence = why_key(user=user, account=account)
    return next(e.summary for e in evidence if e.definition == "share" and e.level == "company")


def test_english_summaries_keep_the_point(org, aurora):
    """The director's; Anna's share leaves the company's amount out (issue 7 §5)."""
    summary = share_summary(org.director, aurora)
    assert "21.59 %" in summary
    assert "199,250.00" in summary


@pytest.mark.parametrize("language", ["lv", "ru"])
def test_summaries_use_the_active_languages_decimal_comma(org, aurora, language):
    with translation.override(language):
        summary = share_summary(org.director, aurora)
    assert "21,59 %" in summary
    assert f"199{NBSP}250,00" in summary
    assert "21.59" not in summary


@pytest.mark.parametrize("language", ["lv", "ru"])
def test_why_key_panel_built_in_the_request_speaks_the_readers_language(
    org, aurora, login, client, language
):
    """The texts are built while the view runs, with the language from the cookie active.
    (The director: the company's amount is shown only to who may see the whole company.)"""
    c = login(org.director)
    client.cookies["django_language"] = language
    html = c.get(reverse("radar:why", args=[aurora.pk]), **HX).content.decode()
    assert "21,59" in html
    assert f"199{NBSP}250,00" in html
    assert "21.59" not in html

    client.cookies["django_language"] = "en"
    html = c.get(reverse("radar:why", args=[aurora.pk]), **HX).content.decode()
    assert "21.59 %" in html
    assert "199,250.00" in html


def test_alert_message_follows_the_language(org, aurora):
    with translation.override("lv"):
        alerts = radar_portfolio(user=org.director).alerts
    critical = next(a for a in alerts if a.kind == "critical" and a.account_id == aurora.pk)
    assert "21,59" in critical.message


def test_record_counts_use_plural_forms(org, aurora):
    today = timezone.localdate()

    def suggestion() -> str:
        evidence = why_key(user=org.kam_anna, account=aurora)
        return next(e.summary for e in evidence if e.definition == "reference")

    reference_case_record(actor=org.kam_anna, account=aurora, what="Audit", done_on=today)
    assert suggestion().startswith("1 record, latest ")
    reference_case_record(actor=org.kam_anna, account=aurora, what="Training", done_on=today)
    assert suggestion().startswith("2 records, latest ")
    with translation.override("ru"):
        assert suggestion().startswith("2 записи, последняя ")

    key_flag_set(
        actor=org.kam_anna,
        account=aurora,
        definition="reference",
        note="Showcase client",
        owner=org.kam_anna,
        review_on=today + timedelta(days=90),
    )
    with translation.override("lv"):
        evidence = why_key(user=org.kam_anna, account=aurora)
    confirmed = next(e for e in evidence if e.definition == "reference")
    assert not confirmed.suggested
    assert confirmed.summary.startswith("Showcase client · 2 ieraksti, pēdējais ")
