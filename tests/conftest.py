"""Fixtures every test module shares: the people, their clients, and the clock.

Running with a moved clock: no test may depend on the day it runs, so the suite can be
run as if today were another day. Set ``NOTESITE_TEST_TODAY`` to a date
(``NOTESITE_TEST_TODAY=2025-12-03``) or to a number of days from the real today
(``NOTESITE_TEST_TODAY=-365``, ``NOTESITE_TEST_TODAY=+730``), e.g.
``NOTESITE_TEST_TODAY=+730 .venv/bin/python -m pytest -q``. The whole session, the live
server thread of the browser tests included, then runs on that day at the real time of
day, and the clock keeps ticking; pytest's header names the day. Unset or empty, tests
run at the real today. A test that needs a fixed moment still travels there itself
(``time_machine.travel``); it returns to the moved clock when it ends. Compute dates
inside tests and fixtures (``tests.helpers.days_from_today``), never at import time,
which runs before the clock moves.
"""

import datetime
import os
import time

import pytest
import time_machine

from tests.factories import UserFactory

TODAY_VARIABLE = "NOTESITE_TEST_TODAY"


def moved_by_days() -> int | None:
    """How many days ``NOTESITE_TEST_TODAY`` moves the clock, or None when it is unset."""
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return None
    if value.lstrip("+-").isdigit():
        return int(value)
    try:
        moved_to = datetime.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"{TODAY_VARIABLE}={value!r} is neither a date (2025-12-03) nor a number of "
            "days (-365, +730)."
        ) from None
    return (moved_to - real_today()).days


def real_today() -> datetime.date:
    """Today by the real clock, even while travelling, in the settings' time zone (which
    decides what "today" is for the code under test)."""
    from django.utils import timezone

    now = datetime.datetime.fromtimestamp(real_time(), datetime.UTC)
    return timezone.localdate(now)


def real_time() -> float:
    """``time.time()`` by the real clock, even while travelling."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def pytest_configure(config) -> None:
    moved_by_days()  # a bad value stops the run before it starts


def pytest_report_header(config) -> str | None:
    days = moved_by_days()
    if days is None:
        return None
    today = real_today() + datetime.timedelta(days=days)
    return f"clock moved {days:+d} days by {TODAY_VARIABLE}: today is {today}"


@pytest.fixture(scope="session", autouse=True)
def moved_clock():
    """Run the whole session on the day ``NOTESITE_TEST_TODAY`` names (see above).

    Session-wide, so that session and module fixtures (the live server, the database
    set-up) see the same day as the tests. A plain timestamp, not a datetime with a
    zone, so that time-machine leaves the process's TZ alone.
    """
    days = moved_by_days()
    if days is None:
        yield
        return
    with time_machine.travel(real_time() + days * 86_400, tick=True):
        yield


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
