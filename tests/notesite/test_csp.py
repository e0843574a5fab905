"""The Content-Security-Policy every page sends, templates it can hold to (nothing
inline), and text that leaves the site as something else's markup: Atom titles and
the Markdown report."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from imports.importer import event_report
from imports.importer.export import inert
from talks.models import Event
from tests.factories import EventFactory, NoteFactory, TakeawayFactory, TalkFactory

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "https:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


# --- The header ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/", "/admin/talks/event/"])
def test_every_page_sends_the_policy(staff_client, path):
    response = staff_client.get(path)
    assert response.status_code == 200
    assert policy_of(response) == POLICY


def test_the_login_page_sends_the_policy_to_anonymous_visitors(client):
    assert policy_of(client.get("/accounts/login/")) == POLICY


def test_a_404_sends_the_policy(attendee_client):
    response = attendee_client.get("/events/nothing-here/")
    assert response.status_code == 404
    assert policy_of(response) == POLICY


# --- Templates the policy can hold to ------------------------------------------------------

TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")"),
    "style element": re.compile(r"<style\b"),
    "style attribute": re.compile(r"\sstyle\s*="),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_were_found():
    assert len(TEMPLATES) > 40


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_has_inline_script_or_style(template):
    text = template.read_text()
    found = [name for name, pattern in INLINE.items() if pattern.search(text)]
    assert found == [], template


# --- Atom titles are text, escaped once --------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def entry_titles(response) -> list[str]:
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314  (our own feed)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def test_feed_titles_are_the_text_as_written(attendee_client):
    talk = TalkFactory(event=EventFactory(slug="oslo-2025"))
    TakeawayFactory(talk=talk, event=talk.event, text="<img src=x> & <b>bold</b> claims")
    NoteFactory(talk=talk, event=talk.event, title="Q&A: <script> tags")
    response = attendee_client.get("/events/oslo-2025/feed/")
    assert entry_titles(response) == [
        "Q&A: <script> tags",
        "Takeaway: <img src=x> & <b>bold</b> claims",
    ]


# --- The Markdown report carries no markup ------------------------------------------------------


@pytest.fixture
def hostile_event(attendee):
    event = EventFactory(slug="oslo-2025", name="Oslo <b>Summit</b>")
    talk = TalkFactory(event=event, title="Lean QA <img src=x onerror=alert(1)>")
    NoteFactory(
        talk=talk,
        event=event,
        author=attendee,
        body="\n".join(
            [
                "Intro with <script>alert(1)</script> inline.",
                "",
                "<div onclick=alert(2)>",
                "block",
                "</div>",
                "",
                "[click](javascript:alert(3)) and [ok](https://example.com/) and "
                "[rel](/events/) and <https://example.com/auto>.",
                "[sneaky](JaVa&#83;cript:alert(4)) [spaced](<java script:alert(5)>)",
                "![pic](data:image/svg+xml,<svg onload=alert(6)>)",
                "<javascript:alert(7)>",
                "[ref]: vbscript:msgbox(8)",
                "",
                "Plain a < b and 3 > 2, [not a link] (here).",
            ]
        ),
    )
    TakeawayFactory(talk=talk, event=event, author=attendee, text="Say <iframe> politely")
    return event


def test_the_report_has_no_html_tags_and_no_script_links(hostile_event):
    report = event_report(hostile_event)
    assert re.findall(r"<(?=[A-Za-z/!?])[^>]*>", report) == ["<https://example.com/auto>"]
    links = re.findall(r"(?<!\\)\]\(([^)]*)", report)
    assert links == ["https://example.com/", "/events/"]
    assert re.findall(r"(?m)^\[ref\]:", report) == []


def test_the_report_keeps_text_readable(hostile_event):
    report = event_report(hostile_event)
    assert "Intro with &lt;script>alert(1)&lt;/script> inline." in report
    assert "[click\\](javascript:alert(3))" in report
    assert "Plain a < b and 3 > 2, [not a link] (here)." in report
    assert "* Say &lt;iframe> politely" in report
    assert "event: Oslo &lt;b>Summit&lt;/b>" in report


def test_the_report_leaves_a_stored_script_website_out(hostile_event):
    Event.objects.filter(pk=hostile_event.pk).update(website="javascript:alert(1)")
    hostile_event.refresh_from_db()
    assert "website" not in event_report(hostile_event)


def test_the_report_keeps_an_https_website(hostile_event):
    Event.objects.filter(pk=hostile_event.pk).update(website="https://example.com/")
    hostile_event.refresh_from_db()
    assert "website: https://example.com/" in event_report(hostile_event).splitlines()


@pytest.mark.parametrize(
    "text",
    [
        "Nothing special here.",
        "A [link](https://example.com/a_(b)) and <mailto:ann@example.com>.",
        "Escaped \\[not\\](javascript:x) already.",
        "x < y and `a < b`",
        # A leading backslash makes it a path on this site, not a scheme.
        "[a](\\javascript:x)",
    ],
)
def test_inert_leaves_harmless_markdown_as_it_is(text):
    assert inert(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>x</b>", "&lt;b>x&lt;/b>"),
        ("<!-- c -->", "&lt;!-- c -->"),
        ("[a](javascript:x)", "[a\\](javascript:x)"),
        ("[a](javascript\\:x)", "[a\\](javascript\\:x)"),
        ("[a](\n  vbscript:x)", "[a\\](\n  vbscript:x)"),
        ("[a]: data:text/html,x", "[a\\]: data:text/html,x"),
        ("\\\\[a](javascript:x)", "\\\\[a\\](javascript:x)"),
    ],
)
def test_inert_neutralises_tags_and_script_links(text, expected):
    assert inert(text) == expected
