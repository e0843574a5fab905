import pytest

from tests.factories import UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(username="alice", role="staff")


@pytest.fixture
def attendee(db):
    return UserFactory(username="bob", role="attendee")


@pytest.fixture
def manager(db):
    return UserFactory(username="carol", role="manager")


@pytest.fixture
def outsider(db):
    """Logged in, but in no group."""
    return UserFactory(username="mallory")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def attendee_client(client, attendee):
    client.force_login(attendee)
    return client


from tests.browser import browser_page, chromium  # noqa: E402, F401  (fixtures)
