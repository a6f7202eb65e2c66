"""A refusal and a missing page speak the reader's language, like every other page: Django's
built-in 403 and 404 pages are English-only, and the 403 hid the policy's sentence."""

import pytest
from django.urls import reverse

from kam.testing import make_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "refusal", "missing"),
    [
        ("lv", "Kredītkontrolieris nedrīkst izveidot klientus.", "Nav atrasts."),
        ("ru", "Кредитный контролёр не может создавать клиентов.", "Не найдено."),  # noqa: RUF001 - Russian
    ],
    ids=["lv", "ru"],
)
def test_403_and_404_pages_in_the_readers_language(org, login, client, language, refusal, missing):
    client.cookies["django_language"] = language
    sigrids = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")

    # The credit controller may see clients but not create one: the policy says why.
    refused = login(org.credit).get(reverse("clients:create"))
    assert refused.status_code == 403
    assert refusal in refused.content.decode()
    assert "Forbidden" not in refused.content.decode()

    # Anna (North) may not see Sigrid's client (South): alike to a client that does not exist.
    client.logout()  # which drops the cookies too
    client.cookies["django_language"] = language
    absent = login(org.kam_anna).get(reverse("clients:detail", args=[sigrids.pk]))
    assert absent.status_code == 404
    page = absent.content.decode()
    assert missing in page
    assert "Not Found" not in page and "requested resource" not in page
    assert "Southern Star" not in page


def test_403_page_in_english_names_the_rule(org, login):
    refused = login(org.credit).get(reverse("clients:create"))
    assert refused.status_code == 403
    assert "A credit controller may not create clients." in refused.content.decode()
