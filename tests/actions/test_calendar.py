"""The personal calendar feed: its settings page with a resettable secret address,
and the feed itself (RFC 5545), which calendar apps fetch without logging in."""

import datetime
import re
from itertools import takewhile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import ActionPoint, Preferences
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TalkFactory,
)
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/follow-ups/calendar/"
OPEN, IN_PROGRESS = ActionPoint.Status.OPEN, ActionPoint.Status.IN_PROGRESS
DONE, DROPPED = ActionPoint.Status.DONE, ActionPoint.Status.DROPPED


def ics_date(day: datetime.date) -> str:
    return f"{day:%Y%m%d}"


def feed_url(user) -> str:
    return reverse("actions:calendar-feed", args=[Preferences.for_user(user).calendar_token])


def fetch(url: str) -> str:
    """The feed as a calendar app gets it: no login, no cookies."""
    response = Client().get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode("utf-8")


# A small RFC 5545 reader, strict about what the feed must get right.


def physical_lines(body: str) -> list[str]:
    """Lines split on CRLF, checking that every line ends so and none is too long."""
    assert body.endswith("\r\n")
    lines = body.removesuffix("\r\n").split("\r\n")
    for line in lines:
        assert "\n" not in line and "\r" not in line, repr(line)
        assert len(line.encode("utf-8")) <= 75, repr(line)
    return lines


def unfold(lines: list[str]) -> list[str]:
    logical: list[str] = []
    for line in lines:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def parse(body: str) -> tuple[dict, list[dict]]:
    """The calendar's properties and its events', each as {name;params: value}."""
    stack: list[str] = []
    calendar: dict = {}
    events: list[dict] = []
    for line in unfold(physical_lines(body)):
        name, value = line.split(":", 1)
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack == ["VCALENDAR", "VEVENT"]:
            assert name not in events[-1], f"{name} twice"
            events[-1][name] = value
        else:
            assert stack == ["VCALENDAR"], line
            calendar[name] = value
    assert stack == []
    return calendar, events


def summaries(body: str) -> list[str]:
    return [unescape(event["SUMMARY"]) for event in parse(body)[1]]


# --- The settings page -----------------------------------------------------------------


def test_page_shows_my_feed_address_to_subscribe_and_copy(attendee_client, attendee):
    page = attendee_client.get(SETTINGS_URL).content.decode()
    token = Preferences.objects.get(user=attendee).calendar_token
    assert f'href="webcal://testserver/calendar/{token}.ics"' in page
    assert f'value="http://testserver/calendar/{token}.ics"' in page
    assert f'<a href="http://testserver/calendar/{token}.ics">' in page
    assert "open and in-progress follow-ups that have a due date" in page
    assert "<title>Your follow-ups in your calendar · Notesite</title>" in page


def test_page_uses_the_host_and_scheme_asked_for(attendee, settings):
    settings.ALLOWED_HOSTS = ["notes.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    client.force_login(attendee)
    response = client.get(
        SETTINGS_URL, HTTP_HOST="notes.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.context["feed_url"] == f"https://notes.example.org{feed_url(attendee)}"
    assert response.context["webcal_url"] == f"webcal://notes.example.org{feed_url(attendee)}"


def test_each_person_has_their_own_address(attendee, staff):
    assert feed_url(attendee) != feed_url(staff)


def test_reset_replaces_the_address_and_the_old_one_stops_working(attendee_client, attendee):
    old_url = feed_url(attendee)
    fetch(old_url)

    response = attendee_client.post(SETTINGS_URL, follow=True)

    assert response.redirect_chain == [(SETTINGS_URL, 302)]
    new_url = feed_url(attendee)
    assert new_url != old_url
    assert [str(m) for m in response.context["messages"]] == [
        "Your calendar link was reset: the old one no longer works. "
        "Subscribe again with the new link below."
    ]
    assert f"http://testserver{new_url}" in response.content.decode()
    assert Client().get(old_url).status_code == 404
    fetch(new_url)


def test_reset_needs_a_csrf_token(attendee):
    token = Preferences.for_user(attendee).calendar_token
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)
    assert client.post(SETTINGS_URL).status_code == 403
    assert Preferences.objects.get(user=attendee).calendar_token == token
    page = client.get(SETTINGS_URL).content.decode()
    assert re.search(
        r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )


def test_page_needs_login(client):
    response = client.get(SETTINGS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Preferences.objects.count() == 0


# --- The feed --------------------------------------------------------------------------


@pytest.fixture
def mine(attendee, staff):
    """Bob's action points in every state, with and without due dates, and alice's."""
    event = EventFactory(name="DevOpsDays Oslo")
    ActionPointFactory(title="Due soon", event=event, assignee=attendee, due_on=days_from_today(3))
    ActionPointFactory(
        title="Started",
        event=event,
        assignee=attendee,
        status=IN_PROGRESS,
        due_on=days_from_today(10),
    )
    ActionPointFactory(title="Late", event=event, assignee=attendee, due_on=days_from_today(-2))
    ActionPointFactory(title="Whenever", event=event, assignee=attendee)
    ActionPointFactory(
        title="Finished", event=event, assignee=attendee, status=DONE, due_on=days_from_today(1)
    )
    ActionPointFactory(
        title="Gave up", event=event, assignee=attendee, status=DROPPED, due_on=days_from_today(1)
    )
    ActionPointFactory(title="Alice's", event=event, assignee=staff, due_on=days_from_today(1))
    ActionPointFactory(title="Nobody's", event=event, due_on=days_from_today(1))


def test_feed_has_only_my_open_and_in_progress_items_with_due_dates(mine, attendee):
    assert summaries(fetch(feed_url(attendee))) == ["[overdue] Late", "Due soon", "Started"]


def test_feed_needs_no_login_and_sets_no_cookie(mine, attendee):
    response = Client().get(feed_url(attendee))
    assert response.status_code == 200
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_feed_asks_search_engines_not_to_list_it(mine, attendee):
    # Its address is the only credential: a search engine must not make it findable.
    response = Client().get(feed_url(attendee))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"


def test_feed_is_the_same_for_a_logged_in_client(mine, attendee, staff_client):
    # Whoever fetches it, the token decides whose follow-ups it holds.
    response = staff_client.get(feed_url(attendee))
    assert [unescape(e["SUMMARY"]) for e in parse(response.content.decode())[1]] == [
        "[overdue] Late",
        "Due soon",
        "Started",
    ]


def test_calendar_says_what_it_is(attendee):
    calendar, events = parse(fetch(feed_url(attendee)))
    assert calendar == {
        "VERSION": "2.0",
        "PRODID": "-//Notesite//Follow-ups//EN",
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
        "X-WR-CALNAME": "Follow-ups of bob (Notesite)",
        "X-WR-CALDESC": "Open and in-progress follow-ups on their due dates.",
        "REFRESH-INTERVAL;VALUE=DURATION": "PT1H",
        "X-PUBLISHED-TTL": "PT1H",
    }
    assert events == []


def test_each_item_is_an_all_day_event_on_its_due_date(attendee):
    talk = TalkFactory(title="Lean QA", event=EventFactory(name="DevOpsDays Oslo"))
    action_point = ActionPointFactory(
        title="Try contract tests",
        talk=talk,
        event=talk.event,
        assignee=attendee,
        status=IN_PROGRESS,
        due_on=days_from_today(5),
    )
    action_point.refresh_from_db()

    [event] = parse(fetch(feed_url(attendee)))[1]

    stamp = event.pop("DTSTAMP")
    assert re.fullmatch(r"\d{8}T\d{6}Z", stamp)
    url = f"http://testserver/follow-ups/{action_point.pk}/"
    assert event == {
        "UID": f"actionpoint-{action_point.pk}@testserver",
        "LAST-MODIFIED": f"{action_point.updated_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
        "SEQUENCE": "0",
        "DTSTART;VALUE=DATE": ics_date(days_from_today(5)),
        "DTEND;VALUE=DATE": ics_date(days_from_today(6)),
        "SUMMARY": "Try contract tests",
        "DESCRIPTION": (
            f"Status: In progress\\nRaised at: Lean QA (talk at DevOpsDays Oslo)\\n{url}"
        ),
        "URL": url,
        "STATUS": "CONFIRMED",
        "TRANSP": "TRANSPARENT",
    }


def test_description_names_an_open_space_or_the_event(attendee):
    event = EventFactory(name="PyCon Berlin")
    space = OpenSpaceFactory(topic="On-call health", event=event)
    ActionPointFactory(
        title="A", open_space=space, event=event, assignee=attendee, due_on=days_from_today(1)
    )
    ActionPointFactory(title="B", event=event, assignee=attendee, due_on=days_from_today(2))
    descriptions = [
        unescape(e["DESCRIPTION"]).splitlines()[:2] for e in parse(fetch(feed_url(attendee)))[1]
    ]
    assert descriptions == [
        ["Status: Open", "Raised at: On-call health (open space at PyCon Berlin)"],
        ["Status: Open", "Raised at: PyCon Berlin (event)"],
    ]


def test_uid_stays_the_same_and_sequence_grows_when_it_changes(attendee):
    action_point = ActionPointFactory(assignee=attendee, due_on=days_from_today(2))
    url = feed_url(attendee)
    [before] = parse(fetch(url))[1]
    ActionPoint.objects.filter(pk=action_point.pk).update(due_on=days_from_today(4), version=3)
    [after] = parse(fetch(url))[1]
    assert after["UID"] == before["UID"] == f"actionpoint-{action_point.pk}@testserver"
    assert (before["SEQUENCE"], after["SEQUENCE"]) == ("0", "2")
    assert after["DTSTART;VALUE=DATE"] == ics_date(days_from_today(4))


def test_special_characters_in_a_title_are_escaped(attendee):
    ActionPointFactory(
        title="Ship it; now, please\nthen \\ rest", assignee=attendee, due_on=days_from_today(1)
    )
    body = fetch(feed_url(attendee))
    [event] = parse(body)[1]
    assert event["SUMMARY"] == "Ship it\\; now\\, please\\nthen \\\\ rest"
    assert unescape(event["SUMMARY"]) == "Ship it; now, please\nthen \\ rest"
    assert "SUMMARY:Ship it\\; now\\, please\\nthen \\\\ rest\r\n" in body


def test_long_lines_are_folded_at_75_octets_without_splitting_characters(attendee):
    title = ("Évaluer l'observabilité — " * 10).strip()
    ActionPointFactory(title=title, assignee=attendee, due_on=days_from_today(1))
    # fetch() decodes the body as UTF-8, which fails if a fold split a character.
    lines = physical_lines(fetch(feed_url(attendee)))  # checks CRLF and ≤ 75 octets
    start = next(n for n, line in enumerate(lines) if line.startswith("SUMMARY:"))
    rest = takewhile(lambda line: line.startswith(" "), lines[start + 1 :])
    folded = [lines[start], *rest]
    # Folded only where the next character (up to 3 octets here) would not fit.
    assert len(folded) == 5
    assert all(73 <= len(line.encode()) <= 75 for line in folded[:-1])
    assert unescape("".join([folded[0], *(line[1:] for line in folded[1:])])) == f"SUMMARY:{title}"


def test_unknown_token_is_a_404_not_a_login_page():
    response = Client().get(reverse("actions:calendar-feed", args=["not-a-real-token"]))
    assert response.status_code == 404


def test_an_inactive_users_token_is_a_404(mine, attendee):
    url = feed_url(attendee)
    fetch(url)
    attendee.is_active = False
    attendee.save()
    assert Client().get(url).status_code == 404


def test_feed_takes_only_get_and_head(attendee):
    url = feed_url(attendee)
    assert Client().head(url).status_code == 200
    assert Client().post(url).status_code == 405


def feed_queries(url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch(url)
    return len(captured.captured_queries)


def test_feed_runs_the_same_queries_for_3_and_30_items(attendee):
    event = EventFactory()

    def add(count: int) -> None:
        for n in range(count):
            session = [
                {"talk": TalkFactory(event=event)},
                {"open_space": OpenSpaceFactory(event=event)},
                {},
            ][n % 3]
            ActionPointFactory(
                event=event, assignee=attendee, due_on=days_from_today(n - 2), **session
            )

    url = feed_url(attendee)
    add(3)
    few = feed_queries(url)
    add(27)
    assert len(parse(fetch(url))[1]) == 30
    assert feed_queries(url) == few == 2
