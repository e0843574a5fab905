"""The progress overview for managers and staff: its numbers on a known data set,
its chart, who may see it, and its query count."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import ActionPoint
from actions.overview import month_starts
from common.charts import Category, Series, bar_chart
from tests.factories import ActionPointFactory, EventFactory, UserFactory
from tests.helpers import count_queries, days_from_today

pytestmark = pytest.mark.django_db

URL = "/follow-ups/overview/"
DAY = datetime.timedelta(days=1)
Status = ActionPoint.Status


def month(n_back: int) -> datetime.date:
    """The first day of the month ``n_back`` months before this one."""
    return month_starts(timezone.localdate())[-1 - n_back]


def at(day: datetime.date, plus_days: float = 0) -> datetime.datetime:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return start + datetime.timedelta(days=plus_days)


def make(title, event, status=Status.OPEN, *, created, completed=None, **fields):
    action_point = ActionPointFactory(title=title, event=event, status=status, **fields)
    # created_at is set on insert and completed_at by the status: backdate both.
    ActionPoint.objects.filter(pk=action_point.pk).update(
        created_at=created, completed_at=completed
    )
    return action_point


@pytest.fixture
def known_data():
    """Two events, two assignees and the unassigned; times in months before now.
    Both events run until today, so every row was raised when it was entered."""
    ann, ben = UserFactory(username="ann"), UserFactory(username="ben")
    two_ago, one_ago = month(2), month(1)
    summit = EventFactory(name="Summit", starts_on=two_ago + DAY, ends_on=days_from_today(0))
    meetup = EventFactory(name="Meetup", starts_on=two_ago, ends_on=days_from_today(0))
    make("a1", summit, assignee=ann, due_on=days_from_today(-2), created=at(one_ago, 3))
    make(
        "a2",
        summit,
        Status.IN_PROGRESS,
        assignee=ben,
        due_on=days_from_today(5),
        created=at(one_ago, 5),
    )
    make(
        "a3", summit, Status.DONE, assignee=ann, created=at(two_ago, 1), completed=at(two_ago, 5)
    )  # 4 days
    make("a4", summit, Status.DROPPED, created=at(month(0)))
    make("b1", meetup, due_on=days_from_today(-10), created=at(two_ago, 2))
    make(
        "b2", meetup, Status.DONE, assignee=ben, created=at(one_ago, 2), completed=at(one_ago, 4)
    )  # 2 days
    make(
        "b3", meetup, Status.DONE, assignee=ben, created=at(one_ago, 10), completed=at(one_ago, 20)
    )  # 10 days
    make(
        "b4", meetup, Status.DONE, assignee=ben, created=at(two_ago, 3), completed=at(two_ago, 12)
    )  # 9 days
    # Done two years ago: counted as done, but not in the chart or the median.
    long_ago = month(11) - 400 * DAY
    make("c1", meetup, Status.DONE, assignee=ann, created=at(long_ago),
         completed=at(long_ago, 100))  # fmt: skip


def test_totals_and_median_days_to_done(known_data, staff_client):
    context = staff_client.get(URL).context
    totals = {k: v for k, v in context["totals"].items() if k != "median_to_done"}
    assert totals == {
        "open": 2,
        "in_progress": 1,
        "done": 5,
        "dropped": 1,
        "active": 3,
        "overdue": 2,
        "total": 9,
        "events": 2,
        "assignees": 2,
        "unassigned": 2,
        "done_recently": 4,
        "entered_done": 0,
    }
    # Durations 2, 4, 9 and 10 days: percentile_cont interpolates between 4 and 9.
    assert context["median_days"] == 6.5
    assert "6.5 days <span" in staff_client.get(URL).content.decode()


def test_counts_by_status_per_event_newest_event_first(known_data, staff_client):
    rows = staff_client.get(URL).context["events"]
    assert [
        (r["event__name"], r["open"], r["in_progress"], r["done"], r["dropped"], r["overdue"],
         r["total"])
        for r in rows
    ] == [
        ("Summit", 1, 1, 1, 1, 1, 4),
        ("Meetup", 1, 0, 4, 0, 1, 5),
    ]  # fmt: skip


def test_counts_by_status_per_assignee_most_to_do_first(known_data, staff_client):
    rows = staff_client.get(URL).context["assignees"]
    assert [
        (r["assignee__username"], r["open"], r["in_progress"], r["done"], r["dropped"],
         r["overdue"], r["total"])
        for r in rows
    ] == [
        ("ben", 0, 1, 3, 0, 0, 4),
        ("ann", 1, 0, 2, 0, 1, 3),
        (None, 1, 0, 0, 1, 1, 2),
    ]  # fmt: skip
    assert '<th scope="row">Unassigned</th>' in staff_client.get(URL).content.decode()


def test_per_assignee_counts_only_who_can_be_shown_and_breaks_ties_by_total(staff_client):
    event = EventFactory()

    def give(user, n, status=Status.OPEN):
        for _ in range(n):
            ActionPointFactory(event=event, assignee=user, status=status)

    for n in range(24):
        give(UserFactory(username=f"busy{n:02}"), 3)
    # Three more with one thing to do each, tied for the 25th place: most in all wins.
    x, y, z = UserFactory(username="x"), UserFactory(username="y"), UserFactory(username="z")
    for user, done in ((x, 2), (y, 0), (z, 1)):
        give(user, 1)
        give(user, done, Status.DONE)
    give(UserFactory(username="idle"), 10, Status.DONE)  # nothing to do: never shown
    response = staff_client.get(URL)
    rows = response.context["assignees"]
    assert [(r["assignee__username"], r["active"], r["done"], r["total"]) for r in rows[-3:]] == [
        ("busy22", 3, 0, 3),
        ("busy23", 3, 0, 3),
        ("x", 1, 2, 3),
    ]
    assert len(rows) == 25
    assert bool(response.context["more_assignees"]) is True


def test_per_assignee_counts_the_unassigned_among_who_can_be_shown(staff_client):
    event = EventFactory()
    for n in range(26):
        ActionPointFactory.create_batch(2, event=event, assignee=UserFactory(username=f"u{n:02}"))
    ActionPointFactory.create_batch(3, event=event, assignee=None, due_on=days_from_today(-1))
    rows = staff_client.get(URL).context["assignees"]
    assert [(r["assignee_id"], r["open"], r["overdue"], r["total"]) for r in rows[:1]] == [
        (None, 3, 3, 3)
    ]
    assert [r["assignee__username"] for r in rows[1:]] == [f"u{n:02}" for n in range(24)]


def test_overdue_list_is_longest_overdue_first(known_data, staff_client):
    response = staff_client.get(URL)
    assert [ap.title for ap in response.context["overdue"]] == ["b1", "a1"]
    assert response.content.decode().count('<tr class="is-overdue">') == 2


def test_raised_versus_done_per_month_of_the_last_twelve_that_have_any(known_data, staff_client):
    months = staff_client.get(URL).context["months"]
    assert [(m.start, m.raised, m.done) for m in months] == [
        (month(2), 3, 2),
        (month(1), 4, 2),
        (month(0), 1, 0),
    ]


def test_chart_is_an_svg_image_with_title_axes_legend_and_data_table(known_data, staff_client):
    html = staff_client.get(URL).content.decode()
    assert (
        '<svg class="chart" viewBox="0 0 720 320" role="img" '
        'aria-labelledby="raised-vs-done-title raised-vs-done-desc">'
    ) in html
    assert (
        '<title id="raised-vs-done-title">Action points raised and done per month</title>' in html
    )
    description = re.search(r'<desc id="raised-vs-done-desc">(.*?)</desc>', html).group(1)
    assert description == (
        f"Bar chart of the 3 months with any from {month(2):%B %Y} to {month(0):%B %Y}: "
        "8 raised and 4 done in all. "
        "The table after it lists each month."
    )
    axis_labels = re.findall(r'<text class="chart-axis-label"[^>]*>(.*?)</text>', html)
    assert axis_labels == ["Month", "Action points"]
    legend = re.findall(r'<text class="chart-legend"[^>]*>(.*?)</text>', html)
    assert legend == ["Raised", "Done"]
    table = re.search(r'<table class="visually-hidden" id="raised-vs-done-data">.*?</table>', html)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(\d+)</td><td>(\d+)</td></tr>',
                      table.group(0))  # fmt: skip
    assert rows[-3:] == [
        (f"{month(2):%B %Y}", "3", "2"),
        (f"{month(1):%B %Y}", "4", "2"),
        (f"{month(0):%B %Y}", "1", "0"),
    ]
    assert len(rows) == 3
    assert "<caption>Action points raised and done per month (data)</caption>" in table.group(0)
    assert "style=" not in html


def test_chart_escapes_its_text():
    svg = bar_chart(
        chart_id="c",
        title="<script>alert(1)</script>",
        description="a & b",
        categories=[Category("<b>May</b>", "<i>")],
        series=[Series("<Raised>", [1], "x", "#000")],
        x_label="<x>",
        y_label="<y>",
    )
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "a &amp; b" in svg
    assert "&lt;Raised&gt;" in svg


def test_manager_sees_the_overview_and_the_link_to_it(client, manager):
    client.force_login(manager)
    assert client.get(URL).status_code == 200
    assert b'href="/follow-ups/overview/"' in client.get("/follow-ups/").content


def test_attendee_gets_403_and_no_link(attendee_client):
    assert attendee_client.get(URL).status_code == 403
    assert b'href="/follow-ups/overview/"' not in attendee_client.get("/follow-ups/").content


def test_outsider_gets_403(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_empty_overview_says_what_to_do(staff_client):
    html = staff_client.get(URL).content.decode()
    assert "No action points yet." in html
    assert "Nothing is overdue." in html
    assert "No action points raised or marked done since" in html
    assert 'role="img"' not in html


def test_overview_runs_the_same_queries_for_3_and_30_action_points(staff_client):
    statuses = [Status.OPEN, Status.IN_PROGRESS, Status.DONE, Status.DROPPED]

    def add(n):
        for i in range(n):
            ActionPointFactory(
                event=EventFactory(),
                assignee=UserFactory(),
                status=statuses[i % 4],
                due_on=days_from_today(-1),
            )

    add(3)
    few = count_queries(staff_client, URL)
    add(27)
    assert count_queries(staff_client, URL) == few
