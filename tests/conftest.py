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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Let browser tests restore the migrations' data (the role groups).

    Once Playwright's event loop runs, Django hands out new connection objects, which
    lack the serialized database that ``serialized_rollback`` restores from; keeping
    it on the class lets every connection object find it.
    """
    from django.db import connections

    connection = connections["default"]
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents is not None:
        type(connection)._test_serialized_contents = contents
