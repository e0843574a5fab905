"""The suite runs on any day: NOTESITE_TEST_TODAY moves the whole session's clock (the
live server's thread included) to another day, and the tests' dates follow it."""

import datetime
import threading
import time

import pytest
from django.utils import timezone

from tests.conftest import TODAY_VARIABLE, moved_by_days, real_today
from tests.helpers import days_from_today


def test_an_unset_or_empty_variable_leaves_the_clock_alone(monkeypatch):
    monkeypatch.delenv(TODAY_VARIABLE, raising=False)
    assert moved_by_days() is None
    monkeypatch.setenv(TODAY_VARIABLE, " ")
    assert moved_by_days() is None


@pytest.mark.parametrize(("value", "days"), [("-365", -365), ("+730", 730), ("0", 0)])
def test_a_number_moves_the_clock_by_that_many_days(monkeypatch, value, days):
    monkeypatch.setenv(TODAY_VARIABLE, value)
    assert moved_by_days() == days


def test_a_date_moves_the_clock_to_that_day(monkeypatch):
    monkeypatch.setenv(TODAY_VARIABLE, (real_today() - datetime.timedelta(days=400)).isoformat())
    assert moved_by_days() == -400


def test_a_value_that_is_neither_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv(TODAY_VARIABLE, "next tuesday")
    with pytest.raises(pytest.UsageError, match=r"NOTESITE_TEST_TODAY='next tuesday' is neither"):
        moved_by_days()


def test_today_is_the_day_the_variable_names():
    assert timezone.localdate() == real_today() + datetime.timedelta(days=moved_by_days() or 0)
    assert days_from_today(0) == timezone.localdate()


def test_the_clock_is_moved_in_other_threads_too():
    """As in the browser tests' live server, which serves from a thread of its own."""
    seen = []
    thread = threading.Thread(target=lambda: seen.append(timezone.localdate()))
    thread.start()
    thread.join(10)
    assert seen == [timezone.localdate()]


def test_the_moved_clock_keeps_ticking():
    first = timezone.now()
    time.sleep(0.01)
    assert timezone.now() > first
