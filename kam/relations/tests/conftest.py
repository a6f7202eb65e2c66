"""Two territories' worth of people: Anna's hospital (North, Latvia) with a head, her deputy
and a nurse; Boris's clinic in Latvia too; Sigrid's pharmacy in Estonia. The sides of every
scope test: Anna and her managers see the personal part, support_north sees the client but
not the personal part, Sigrid (and Boris, for Anna's client) sees nothing."""

from dataclasses import dataclass

import pytest

from kam.clients.models import Account, Contact
from kam.clients.services import contact_create
from kam.org.models import Territory
from kam.org.services import territory_get_or_create
from kam.testing import make_account


@dataclass
class World:
    latvia: Territory
    estonia: Territory
    anna: Account  # Anna's client
    boris: Account
    sigrid: Account
    head: Contact  # at Anna's client: the head (decision maker)
    deputy: Contact
    nurse: Contact
    doctor: Contact  # at Boris's client
    buyer: Contact  # at Sigrid's client


def person(account, first, last, role="other", position=""):
    return contact_create(
        actor=None,
        account=account,
        first_name=first,
        last_name=last,
        decision_role=role,
        position=position,
    )


@pytest.fixture
def world(org):
    latvia = territory_get_or_create(name="Latvia")
    estonia = territory_get_or_create(name="Estonia")
    anna = make_account(owner=org.kam_anna, legal_name="Aurora Hospital SIA", territory=latvia)
    boris = make_account(owner=org.kam_boris, legal_name="Bora Clinic SIA", territory=latvia)
    sigrid = make_account(owner=org.kam_sigrid, legal_name="Sud Apteek OÜ", territory=estonia)
    return World(
        latvia=latvia,
        estonia=estonia,
        anna=anna,
        boris=boris,
        sigrid=sigrid,
        head=person(anna, "Ilze", "Head", "decision_maker", "Head of department"),
        deputy=person(anna, "Juris", "Deputy", "influencer", "Deputy head"),
        nurse=person(anna, "Nora", "Nurse", "user", "Head nurse"),
        doctor=person(boris, "Dins", "Doctor", "influencer"),
        buyer=person(sigrid, "Berit", "Buyer", "decision_maker"),
    )
