"""The calendar feed read back with icalendar, as calendar apps read it, including
action points whose stored due date is at the very edge of what a date can be."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from actions.models import ActionPoint, Preferences
from tests.factories import ActionPointFactory, EventFactory, TalkFactory
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db


def feed(user) -> icalendar.Calendar:
    token = Preferences.for_user(user).calendar_token
    response = Client().get(reverse("actions:calendar-feed", args=[token]))
    assert response.status_code == 200, response.status_code
    return icalendar.Calendar.from_ical(response.content)


def stored_due_date(action_point: ActionPoint, day: datetime.date) -> None:
    """Write ``day`` as a row written before due dates were checked would hold it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actions_actionpoint SET due_on = %s WHERE id = %s",
            [day, action_point.pk],
        )


def test_the_feed_reads_back_as_the_values_it_was_made_from(attendee):
    talk = TalkFactory(title="Lean QA, again", event=EventFactory(name="DevOpsDays; Oslo"))
    action_point = ActionPointFactory(
        title="Ship it; now, please\nthen \\ rest",
        talk=talk,
        event=talk.event,
        assignee=attendee,
        due_on=days_from_today(5),
    )

    calendar = feed(attendee)

    assert (str(calendar["X-WR-CALNAME"]), str(calendar["PRODID"])) == (
        "Follow-ups of bob (Notesite)",
        "-//Notesite//Follow-ups//EN",
    )
    [event] = calendar.walk("VEVENT")
    url = f"http://testserver/follow-ups/{action_point.pk}/"
    assert {
        "summary": str(event["SUMMARY"]),
        "description": str(event["DESCRIPTION"]),
        "start": event.decoded("DTSTART"),
        "end": event.decoded("DTEND"),
        "uid": str(event["UID"]),
        "url": str(event["URL"]),
    } == {
        "summary": "Ship it; now, please\nthen \\ rest",
        "description": (
            f"Status: Open\nRaised at: Lean QA, again (talk at DevOpsDays; Oslo)\n{url}"
        ),
        "start": days_from_today(5),
        "end": days_from_today(6),
        "uid": f"actionpoint-{action_point.pk}@testserver",
        "url": url,
    }
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_control_characters_a_text_value_may_not_hold_are_left_out(attendee):
    ActionPointFactory(
        title="Tabs\tstay, \x0bthe rest\x1b goes\x7f", assignee=attendee, due_on=days_from_today(1)
    )
    [event] = feed(attendee).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Tabs\tstay, the rest goes"


def test_due_dates_at_the_edges_of_the_calendar_do_not_break_the_feed(attendee):
    # Stored before due dates were checked: the feed still serves every row.
    last = ActionPointFactory(title="Someday", assignee=attendee, due_on=days_from_today(1))
    first = ActionPointFactory(title="Long ago", assignee=attendee, due_on=days_from_today(2))
    ActionPointFactory(title="Normal", assignee=attendee, due_on=days_from_today(3))
    stored_due_date(last, datetime.date.max)
    stored_due_date(first, datetime.date.min)

    events = feed(attendee).walk("VEVENT")

    assert [
        (str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND", None)) for e in events
    ] == [
        ("[overdue] Long ago", datetime.date(1, 1, 1), datetime.date(1, 1, 2)),
        ("Normal", days_from_today(3), days_from_today(4)),
        # The last date has no next day; an all-day event without an end lasts one day.
        ("Someday", datetime.date(9999, 12, 31), None),
    ]
