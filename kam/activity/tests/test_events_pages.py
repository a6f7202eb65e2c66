"""Events' pages and API (/schedule/events/, /schedule/trainings/, /api/activity/events),
each with the user allowed and the one who must not: the scoped list, the detail (404 for
the other), the create form (a training without a client refused, 400), inviting a person out
of scope (404, nothing written), attendance before the event (refused naming the field), the
presentation's file (downloaded by the allowed user, 404 for the other)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kam.activity import services_events as svc
from kam.activity.models import Event, Invitation, Presentation

pytestmark = pytest.mark.django_db

J = "application/json"


def make(actor, *, days=-1, **kw):
    return svc.event_create(
        actor=actor,
        kind=kw.pop("kind", "corporate"),
        title=kw.pop("title", "Spring reception"),
        starts_on=timezone.localdate() + timedelta(days=days),
        **kw,
    )


def test_list_detail_and_trainings_scoped(org, book, sign_in):
    e = make(org.kam_anna)
    t = make(org.kam_anna, kind="training", account=book.aurora, title="GMP training")
    anna, boris = sign_in(org.kam_anna), sign_in(org.kam_boris)
    r = anna.get("/schedule/events/")
    assert r.status_code == 200 and "Spring reception" in r.text and "GMP training" in r.text
    r = boris.get("/schedule/events/")
    assert r.status_code == 200 and "Spring reception" not in r.text
    r = anna.get("/schedule/trainings/")
    assert "GMP training" in r.text and "Spring reception" not in r.text
    assert anna.get(f"/schedule/events/{e.pk}/").status_code == 200
    assert boris.get(f"/schedule/events/{t.pk}/").status_code == 404
    assert boris.get(f"/schedule/events/{e.pk}/edit/").status_code == 404


def test_create_page_training_without_client_refused(org, book, sign_in):
    anna = sign_in(org.kam_anna)
    day = timezone.localdate().isoformat()
    r = anna.post("/schedule/events/new/", {"kind": "training", "title": "GMP", "starts_on": day})
    assert r.status_code == 400 and not Event.objects.exists()
    assert "choose the client" in r.text
    r = anna.post(
        "/schedule/events/new/",
        {"kind": "training", "title": "GMP", "starts_on": day, "client": book.aurora.pk},
    )
    assert r.status_code == 302
    assert Event.objects.get().account == book.aurora


def test_invite_page_and_attendance_page(org, book, sign_in):
    e = make(org.kam_anna, days=3)
    anna = sign_in(org.kam_anna)
    # Sigrid's person is not among the choices: refused, nothing written
    r = anna.post(f"/schedule/events/{e.pk}/invite/", {"contacts": [book.sud_contact.pk]})
    assert r.status_code == 400 and not Invitation.objects.exists()
    r = anna.post(f"/schedule/events/{e.pk}/invite/", {"contacts": [book.ilze.pk]})
    assert r.status_code == 302
    inv = Invitation.objects.get()
    r = anna.post(f"/schedule/events/{e.pk}/invitations/{inv.pk}/attendance/", {"status": "came"})
    assert r.status_code == 400 and "who came is known from then" in r.text
    inv.refresh_from_db()
    assert inv.status == "invited"
    boris = sign_in(org.kam_boris)
    url = f"/schedule/events/{e.pk}/invitations/{inv.pk}/attendance/"
    assert boris.post(url, {"status": "declined"}).status_code == 404


def test_presentation_download_allowed_user_only(org, book, sign_in):
    e = make(org.kam_anna, kind="training", account=book.aurora)
    anna, boris = sign_in(org.kam_anna), sign_in(org.kam_boris)
    upload = SimpleUploadedFile("deck.pdf", b"%PDF-1.4 deck", content_type="application/pdf")
    r = anna.post(
        f"/schedule/events/{e.pk}/presentations/",
        {"title": "Deck", "file": upload, "prepared_with": [book.ilze.pk]},
    )
    assert r.status_code == 302
    p = Presentation.objects.get()
    r = anna.get(f"/schedule/events/presentations/{p.pk}/file/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 deck"
    assert "attachment" in r["Content-Disposition"]
    assert boris.get(f"/schedule/events/presentations/{p.pk}/file/").status_code == 404
    bad = SimpleUploadedFile("deck.pdf", b"MZ program", content_type="application/pdf")
    r = anna.post(f"/schedule/events/{e.pk}/presentations/", {"title": "Bad", "file": bad})
    assert r.status_code == 400 and Presentation.objects.count() == 1


def post(client, path, data):
    return client.post(f"/api/activity/events{path}", data, content_type=J)


def test_api_create_invite_attendance(org, book, sign_in):
    anna, boris = sign_in(org.kam_anna), sign_in(org.kam_boris)
    day = timezone.localdate()
    r = post(anna, "", {"kind": "training", "title": "GMP", "starts_on": day.isoformat()})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "client"
    r = post(
        anna,
        "",
        {
            "kind": "industry",
            "title": "Congress",
            "starts_on": (day + timedelta(days=2)).isoformat(),
        },
    )
    assert r.status_code == 201
    eid = r.json()["id"]
    r = post(anna, f"/{eid}/invitations", {"contact_ids": [book.ilze.pk, book.sud_contact.pk]})
    assert r.status_code == 404 and not Invitation.objects.exists()
    r = post(anna, f"/{eid}/invitations", {"contact_ids": [book.ilze.pk]})
    assert r.status_code == 201 and [i["contact_id"] for i in r.json()] == [book.ilze.pk]
    iid = r.json()[0]["id"]
    r = post(anna, f"/{eid}/invitations/{iid}/attendance", {"status": "came"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    r = post(anna, f"/{eid}/invitations/{iid}/attendance", {"status": "declined"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert (
        post(boris, f"/{eid}/invitations/{iid}/attendance", {"status": "came"}).status_code == 404
    )
    r = anna.get(f"/api/activity/events/{eid}")
    assert r.status_code == 200 and [i["status"] for i in r.json()["invitations"]] == ["declined"]
    assert boris.get(f"/api/activity/events/{eid}").status_code == 404
    assert [e["id"] for e in anna.get("/api/activity/events").json()["items"]] == [eid]
    assert boris.get("/api/activity/events").json()["items"] == []
