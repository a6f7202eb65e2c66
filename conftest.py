"""Fixtures every app's tests share: the personas (see kam/testing.py)."""

import pytest
from django.test import Client

from kam.testing import PASSWORD, build_org


@pytest.fixture
def org(db):
    return build_org()


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as that persona and returns the client."""

    def _login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture
def sign_in():
    """A client of its own per person (the shared ``login`` signs one client in again)."""

    def _sign_in(user):
        client = Client()
        client.force_login(user)
        return client

    return _sign_in
