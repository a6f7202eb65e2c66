"""Fixtures every app's tests share: the personas (see kam/testing.py)."""

import pytest

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
