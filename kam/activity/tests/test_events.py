"""Events and trainings' services and selectors (AC-6, AC-8), each with the user allowed and
the one who must not: a contact out of scope (404, nothing written), attendance before the
event (refused naming ``status``), a training without a client (``client``), dates and text
refused naming the field, the scoped list and invitations, the timelines' rows."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from kam.activity import selectors_events as sel
from kam.activity import services_events as svc
from kam.activity.models import Event, Invitation, Presentation
from kam.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def make(actor, *, days=-1, kind="industry", account=None, **kw):
    return svc.event_create(
        actor=actor,
        kind=kind,
        title=kw.pop("title", "Pharma congress"),
        starts_on=today() + timedelta(days=days),
        account=account,
        **kw,
    )


def pdf(name="deck.pdf", body=b"%PDF-1.4 hello"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_create_audited_one_day_by_default_and_training_needs_a_client(org, book):
    e = make(org.kam_anna, place="Riga")
    day = today() - timedelta(days=1)
    assert (e.starts_on, e.ends_on, e.organiser, e.place) == (day, day, org.kam_anna, "Riga")
    assert AuditEntry.objects.filter(entity="activity.event", entity_id=str(e.pk)).count() == 1
    with pytest.raises(ValidationError) as exc:
        make(org.kam_anna, kind="training")
    assert "client" in exc.value.message_dict
    t = make(org.kam_anna, kind="training", account=book.aurora)
    assert t.account == book.aurora
    assert Event.objects.count() == 2


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"ends_on": date(2000, 1, 1)}, "ends_on"),
        ({"title": " "}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"place": "x" * 201}, "place"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_create_refusals_name_the_field(org, book, kw, field):
    with pytest.raises(ValidationError) as exc:
        make(org.kam_anna, **kw)
    assert field in exc.value.message_dict
    assert not Event.objects.exists()


def test_create_far_dates_refused(org, book):
    with pytest.raises(ValidationError) as exc:
        svc.event_create(
            actor=org.kam_anna, kind="corporate", title="x", starts_on=date(1900, 1, 1)
        )
    assert "starts_on" in exc.value.message_dict


def test_create_for_a_client_out_of_scope_404(org, book):
    with pytest.raises(Http404):
        make(org.kam_anna, kind="training", account=book.sud)
    assert not Event.objects.exists()


def test_invite_out_of_scope_404_and_nothing_written(org, book):
    e = make(org.kam_anna)
    with pytest.raises(Http404):
        svc.event_invite(actor=org.kam_anna, event=e, contacts=[book.ilze.pk, book.sud_contact.pk])
    assert not Invitation.objects.exists()
    new = svc.event_invite(actor=org.kam_anna, event=e, contacts=[book.ilze, book.juris.pk])
    assert sorted(i.contact_id for i in new) == sorted([book.ilze.pk, book.juris.pk])
    # inviting again keeps the one invited already
    assert svc.event_invite(actor=org.kam_anna, event=e, contacts=[book.ilze]) == []
    assert Invitation.objects.filter(event=e).count() == 2
    assert AuditEntry.objects.filter(entity="activity.invitation").count() == 2


def test_training_invites_its_clients_staff_only(org, book):
    birch_contact = book.birch.contacts.create(first_name="Bea", last_name="Birch")
    t = make(org.kam_anna, kind="training", account=book.aurora)
    with pytest.raises(ValidationError) as exc:
        svc.event_invite(actor=org.kam_anna, event=t, contacts=[book.ilze, birch_contact])
    assert "contacts" in exc.value.message_dict
    assert not Invitation.objects.exists()


def test_only_the_organiser_or_the_clients_people_change_it(org, book):
    e = make(org.kam_anna)
    with pytest.raises(PermissionDenied):
        svc.event_update(actor=org.kam_boris, event=e, title="Mine now")
    e = svc.event_update(actor=org.kam_anna, event=e, title="Congress 2", place="Tartu")
    assert (e.title, e.place) == ("Congress 2", "Tartu")
    with pytest.raises(ValidationError) as exc:
        svc.event_update(actor=org.kam_anna, event=e, ends_on=e.starts_on - timedelta(days=1))
    assert "ends_on" in exc.value.message_dict
    e.refresh_from_db()
    assert e.ends_on == e.starts_on


def test_attendance_only_after_the_start_declined_any_time(org, book):
    e = make(org.kam_anna, days=5)
    (inv,) = svc.event_invite(actor=org.kam_anna, event=e, contacts=[book.ilze])
    with pytest.raises(ValidationError) as exc:
        svc.attendance_record(actor=org.kam_anna, invitation=inv, status="came")
    assert "status" in exc.value.message_dict
    inv.refresh_from_db()
    assert inv.status == "invited"
    svc.attendance_record(actor=org.kam_anna, invitation=inv, status="declined")
    inv.refresh_from_db()
    assert inv.status == "declined"
    with pytest.raises(ValidationError):
        svc.attendance_record(actor=org.kam_anna, invitation=inv, status="invited")
    # on the first day who came is known
    svc.attendance_record(
        actor=org.kam_anna, invitation=inv, status="came", as_of=today() + timedelta(days=5)
    )
    inv.refresh_from_db()
    assert inv.status == "came"
    with pytest.raises(Http404):
        svc.attendance_record(actor=org.kam_boris, invitation=inv, status="no_show")


def test_presentation_file_checked(org, book):
    e = make(org.kam_anna)
    with pytest.raises(ValidationError) as exc:
        svc.presentation_add(actor=org.kam_anna, event=e, title="Deck", upload=pdf("x.exe"))
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.presentation_add(
            actor=org.kam_anna, event=e, title="Deck", upload=pdf(body=b"MZ not a pdf")
        )
    assert "file" in exc.value.message_dict
    with pytest.raises(Http404):
        svc.presentation_add(
            actor=org.kam_anna,
            event=e,
            title="Deck",
            upload=pdf(),
            prepared_with=[book.sud_contact],
        )
    assert not Presentation.objects.exists()
    p = svc.presentation_add(
        actor=org.kam_anna, event=e, title="Deck", upload=pdf(), prepared_with=[book.ilze]
    )
    assert list(p.prepared_with.all()) == [book.ilze]
    assert p.file.read() == b"%PDF-1.4 hello"


def test_list_and_invitations_scoped(org, book):
    mine = make(org.kam_anna, title="Anna's")
    sigrids = make(org.kam_sigrid, title="Sigrid's")
    svc.event_invite(actor=org.kam_sigrid, event=sigrids, contacts=[book.sud_contact])
    assert list(sel.event_list(user=org.kam_anna)) == [mine]
    assert list(sel.event_list(user=org.kam_boris)) == []
    with pytest.raises(Http404):
        sel.event_get(user=org.kam_anna, pk=sigrids.pk)
    # Anna's event with Sigrid's client's person: Sigrid sees it, and only her person in it
    svc.event_invite(actor=org.kam_anna, event=mine, contacts=[book.ilze])
    both = make(org.director, title="Director's")
    svc.event_invite(actor=org.director, event=both, contacts=[book.ilze, book.sud_contact])
    # the same day: the newer first
    assert [e.title for e in sel.event_list(user=org.kam_sigrid)] == ["Director's", "Sigrid's"]
    seen = sel.event_invitations(user=org.kam_sigrid, event=both)
    assert [i.contact for i in seen] == [book.sud_contact]
    assert len(sel.event_invitations(user=org.director, event=both)) == 2


def test_timelines_rows(org, book):
    past = make(org.kam_anna, title="Congress", days=-3)
    coming = make(org.kam_anna, kind="training", account=book.aurora, title="Training", days=4)
    (inv,) = svc.event_invite(actor=org.kam_anna, event=past, contacts=[book.ilze])
    svc.attendance_record(actor=org.kam_anna, invitation=inv, status="came")
    svc.presentation_add(
        actor=org.kam_anna, event=coming, title="Deck", upload=pdf(), prepared_with=[book.ilze]
    )
    rows = sel.person_events(user=org.kam_anna, contact=book.ilze)
    assert [(r.date, r.kind, r.title, r.status) for r in rows] == [
        (coming.starts_on, "training", "Training", "presented"),
        (past.starts_on, "industry", "Congress", "came"),
    ]
    assert rows[1].url == f"/schedule/events/{past.pk}/"
    assert sel.person_events(user=org.kam_boris, contact=book.ilze) == []
    rows = sel.client_events(user=org.kam_anna, account=book.aurora)
    assert [(r.title, r.status) for r in rows] == [("Training", "planned"), ("Congress", "held")]
    assert sel.client_events(user=org.kam_boris, account=book.aurora) == []
