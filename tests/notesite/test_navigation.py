"""Breadcrumbs: every page's trail starts at the dashboard, links the pages above it
and names the page itself as the current one (for screen readers too)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from taggit.models import Tag

from tests.factories import ActionPointFactory, EventFactory, NoteFactory, TalkFactory

pytestmark = pytest.mark.django_db

BERGEN_NOTES = """# Cloud Native Day Bergen
14 October 2025 · Bergen, Norway

## Platform teams as products: _Ola Nordmann_

Treat the platform like a product.
"""


class _Trail(HTMLParser):
    """The crumbs of a page: (text, link or None, marked current)."""

    def __init__(self) -> None:
        super().__init__()
        self.crumbs: list[tuple[str, str | None, bool]] = []
        self._in_trail = False
        self._crumb: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Breadcrumb":
            self._in_trail = True
        elif self._in_trail and tag == "li":
            self._crumb = ["", None, False]
        if self._crumb is not None:
            if tag == "a":
                self._crumb[1] = attrs.get("href")
            if attrs.get("aria-current") == "page":
                self._crumb[2] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._crumb is not None:
            self.crumbs.append((self._crumb[0].strip(), self._crumb[1], self._crumb[2]))
            self._crumb = None
        elif tag == "nav":
            self._in_trail = False

    def handle_data(self, data: str) -> None:
        if self._crumb is not None:
            self._crumb[0] += data


def trail(response) -> list[tuple[str, str | None, bool]]:
    assert response.status_code == 200, response.status_code
    parser = _Trail()
    parser.feed(response.content.decode())
    return parser.crumbs


DASHBOARD = ("Dashboard", "/", False)
EVENTS = ("Events", "/events/", False)


def test_import_page_trail_starts_at_the_dashboard_and_marks_the_page(attendee_client):
    assert trail(attendee_client.get("/import/")) == [
        DASHBOARD,
        EVENTS,
        ("Import notes", None, True),
    ]


def test_import_preview_links_back_to_the_import_page(attendee_client):
    response = attendee_client.post("/import/", {"text": BERGEN_NOTES, "format": "detect"})

    assert trail(response) == [
        DASHBOARD,
        EVENTS,
        ("Import notes", "/import/", False),
        ("Check the import", None, True),
    ]


def test_note_form_trail_goes_through_the_event_and_talk(attendee_client):
    talk = TalkFactory(title="Lean QA", event=EventFactory(name="DevOpsDays Oslo"))
    url = reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])

    assert trail(attendee_client.get(url)) == [
        DASHBOARD,
        EVENTS,
        ("DevOpsDays Oslo", talk.event.get_absolute_url(), False),
        ("Lean QA", talk.get_absolute_url(), False),
        ("Write a note", None, True),
    ]


def test_note_on_the_event_as_a_whole_has_no_session_crumb(attendee_client, attendee):
    note = NoteFactory(author=attendee, talk=None, event=EventFactory(name="PyCon Berlin"))

    assert trail(attendee_client.get(reverse("notes:edit", args=[note.pk]))) == [
        DASHBOARD,
        EVENTS,
        ("PyCon Berlin", note.event.get_absolute_url(), False),
        ("Edit note", None, True),
    ]


def test_follow_up_trail_links_the_follow_ups_list(staff_client, staff):
    action_point = ActionPointFactory(title="Try contract tests", raised_by=staff)

    assert trail(staff_client.get(action_point.get_absolute_url())) == [
        DASHBOARD,
        ("Follow-ups", reverse("actions:list"), False),
        ("Try contract tests", None, True),
    ]
    assert trail(staff_client.get(reverse("actions:list"))) == [
        DASHBOARD,
        ("Follow-ups", None, True),
    ]


def test_tag_trail_links_the_tag_list(attendee_client):
    Tag.objects.create(name="Testing", slug="testing")

    assert trail(attendee_client.get(reverse("talks:tag-detail", args=["testing"]))) == [
        DASHBOARD,
        ("Tags", reverse("search:tag-list"), False),
        ("Testing", None, True),
    ]
    assert trail(attendee_client.get(reverse("search:tag-list"))) == [
        DASHBOARD,
        ("Tags", None, True),
    ]
