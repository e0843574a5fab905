"""The overview's "raised" dates, its median and its months, for history entered
after the event (imported) and for rows entered already done."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import ActionPoint
from actions.overview import month_starts
from tests.factories import ActionPointFactory, EventFactory
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

URL = "/follow-ups/overview/"
DAY = datetime.timedelta(days=1)
Status = ActionPoint.Status


def month(n_back: int) -> datetime.date:
    """The first day of the month ``n_back`` months before this one."""
    return month_starts(timezone.localdate())[-1 - n_back]


def midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def make(event, status=Status.OPEN, *, created, completed=None):
    action_point = ActionPointFactory(event=event, status=status)
    ActionPoint.objects.filter(pk=action_point.pk).update(
        created_at=created, completed_at=completed
    )
    return action_point


def months_shown(staff_client) -> list[tuple[datetime.date, int, int]]:
    return [(m.start, m.raised, m.done) for m in staff_client.get(URL).context["months"]]


def test_rows_entered_long_after_the_event_count_as_raised_on_its_first_day(staff_client):
    event = EventFactory(starts_on=month(5) + 3 * DAY, ends_on=month(5) + 4 * DAY)
    entered = timezone.now() - datetime.timedelta(hours=1)
    imported = [make(event, created=entered) for _ in range(3)]
    assert months_shown(staff_client) == [(month(5), 3, 0)]
    # The entry time stays as it was, for audit.
    assert [ActionPoint.objects.get(pk=ap.pk).created_at for ap in imported] == [entered] * 3


def test_a_row_entered_on_the_events_last_day_counts_then_and_one_day_later_at_the_start(
    staff_client,
):
    event = EventFactory(starts_on=month(4) + 20 * DAY, ends_on=month(2) + 2 * DAY)
    make(event, created=midnight(month(2) + 2 * DAY) + datetime.timedelta(hours=23))
    make(event, created=midnight(month(2) + 3 * DAY))
    assert months_shown(staff_client) == [(month(4), 1, 0), (month(2), 1, 0)]


def test_median_counts_from_the_events_first_day_for_rows_entered_after_it(staff_client):
    event = EventFactory(starts_on=month(3), ends_on=month(3) + DAY)
    entered = midnight(month(1))
    make(event, Status.DONE, created=entered, completed=midnight(month(3)) + 10 * DAY)
    # Entered after it was done, long after the event: still done 10 days after raised.
    context = staff_client.get(URL).context
    assert context["median_days"] == 10.0
    assert months_shown(staff_client) == [(month(3), 1, 1)]


def test_rows_entered_already_done_count_in_the_totals_but_not_the_median_or_done_bars(
    staff_client,
):
    live = EventFactory(starts_on=month(1), ends_on=days_from_today(0))
    # Saved done from the start: completed_at is stamped as it is entered.
    for _ in range(3):
        ActionPointFactory(event=live, status=Status.DONE)
    # Imported as done: both timestamps the same.
    now = timezone.now()
    make(live, Status.DONE, created=now, completed=now)
    # Done 2 minutes and 4 days after entry: real times to done.
    make(live, Status.DONE, created=now - 4 * DAY, completed=now - datetime.timedelta(minutes=1))
    make(live, Status.DONE, created=now - 4 * DAY, completed=now)
    response = staff_client.get(URL)
    totals = response.context["totals"]
    assert (totals["done"], totals["done_recently"], totals["entered_done"]) == (6, 2, 4)
    assert response.context["median_days"] == 4.0
    assert sum(m.done for m in response.context["months"]) == 2
    assert "4 entered already done left out" in response.content.decode()


def test_the_chart_leaves_out_quiet_months(staff_client):
    event = EventFactory(starts_on=month(11), ends_on=days_from_today(0))
    make(event, created=midnight(month(9)) + DAY)
    make(event, Status.DONE, created=midnight(month(9)) + DAY, completed=midnight(month(1)) + DAY)
    assert months_shown(staff_client) == [(month(9), 2, 0), (month(1), 0, 1)]
    html = staff_client.get(URL).content.decode()
    table = re.search(r'<table class="visually-hidden" id="raised-vs-done-data">.*?</table>', html)
    assert re.findall(r'<tr><th scope="row">(.*?)</th>', table.group(0)) == [
        f"{month(9):%B %Y}",
        f"{month(1):%B %Y}",
    ]
    assert (
        f"Bar chart of the 2 months with any from {month(9):%B %Y} to {month(1):%B %Y}: "
        "2 raised and 1 done in all."
    ) in html
