"""An event's report as Markdown: its content, the download and the command, and the
round trip (importing a report reproduces its sessions, takeaways and action points)."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from actions.models import ActionPoint
from actions.services import save_action_point
from imports.importer import event_report, parse_markdown, read_path, save_parsed
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk
from tests.factories import (
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


@pytest.fixture
def oslo(attendee, manager):
    """A small event with one of everything the report shows."""
    attendee.first_name, attendee.last_name = "Bob", "Brennan"
    attendee.save()
    manager.first_name, manager.last_name = "Carol", "Castillo"
    manager.save()
    event = EventFactory(
        name="DevOpsDays Oslo",
        starts_on=datetime.date(2025, 10, 14),
        ends_on=datetime.date(2025, 10, 15),
        city="Oslo",
        country="Norway",
    )
    event.tags.set(["devops"])
    keynote = TalkFactory(
        event=event,
        title="Paging Is a Product",
        kind="keynote",
        speakers=[SpeakerFactory(name="Kari Nordby")],
    )
    keynote.tags.set(["incident-response"])
    TalkFactory(
        event=event,
        title="Platform Teams Need PMs",
        speakers=[SpeakerFactory(name="Sara Mikkelsen"), SpeakerFactory(name="Arjun Mehta")],
    )
    OpenSpaceFactory(event=event, topic="Which alerts would you delete?", convenor="Henrik Aas")
    OpenSpaceFactory(event=event, topic="Error budgets", convenor="", session_label="Day 2")
    NoteFactory(
        author=attendee,
        talk=keynote,
        body="Kari asked who was woken up.\n\n## What they measured\n\nOnly a third were "
        "actionable.\n\n> **Action Point:** Label every page for a month\n",
    )
    NoteFactory(author=manager, talk=keynote, body="A draft.", status=Note.Status.DRAFT)
    NoteFactory(author=attendee, talk=None, event=event, title="My notes", body="Two days.")
    TakeawayFactory(author=attendee, talk=keynote, text="Page on symptoms.").tags.set(
        ["incident-response"]
    )
    TakeawayFactory(author=attendee, talk=None, event=event, text="Platforms need PMs.")
    label = ActionPoint(
        event=event,
        talk=keynote,
        title="Label every page for a month",
        raised_by=attendee,
        assignee=manager,
        status=ActionPoint.Status.IN_PROGRESS,
        due_on=datetime.date(2025, 11, 1),
    )
    save_action_point(label, by=attendee, via="web", tags=["incident-response"])
    publish = ActionPoint(
        event=event,
        title="Publish the notes",
        details="Put them on the wiki,\nwith the slides.",
        raised_by=attendee,
    )
    save_action_point(publish, by=attendee, via="web")
    return event


REPORT = """\
---
title: 'DevOpsDays Oslo 2025: report'
event: DevOpsDays Oslo
starts_on: 2025-10-14
ends_on: 2025-10-15
city: Oslo
country: Norway
tags:
- devops
generator: Notesite report
---

*Bob Brennan — My notes*

Two days.

## Keynote: Paging Is a Product: _Kari Nordby_

Tags: incident-response

*Bob Brennan*

Kari asked who was woken up.

### What they measured

Only a third were actionable.

### Takeaways

* Page on symptoms. #incident-response

### Action points

> **Action Point:** Label every page for a month #incident-response
>
> *Status: In progress · assigned to Carol Castillo · due 2025-11-01*

## Platform Teams Need PMs: _Arjun Mehta and Sara Mikkelsen_

## Open Space: Which alerts would you delete?: _Henrik Aas_

## Open Spaces: Day 2

### Error budgets

## Takeaways

* Platforms need PMs.

## Action points

> **Action Point:** **Publish the notes**
>
> Put them on the wiki,
> with the slides.
>
> *Status: Open · not assigned*
"""


def test_the_report_has_sessions_published_notes_takeaways_and_action_points(oslo):
    assert event_report(oslo) == REPORT


def state(event: Event) -> dict:
    """What a report must reproduce: sessions, takeaways and action points."""
    talks = Talk.objects.filter(event=event).prefetch_related("speakers")
    return {
        "talks": sorted((t.title, t.kind, sorted(s.name for s in t.speakers.all())) for t in talks),
        "open spaces": sorted(
            OpenSpace.objects.filter(event=event).values_list("topic", "convenor", "session_label")
        ),
        "takeaways": sorted(
            (str(t.source), t.text, sorted(t.tags.names()))
            for t in Takeaway.objects.filter(event=event)
        ),
        "action points": sorted(
            (str(a.source), a.title, a.details, sorted(a.tags.names()))
            for a in ActionPoint.objects.filter(event=event)
        ),
    }


def test_the_report_reads_back_as_the_same_event(oslo):
    parsed = parse_markdown(event_report(oslo))

    assert (parsed.name, parsed.starts_on, parsed.ends_on, parsed.city, parsed.tags) == (
        "DevOpsDays Oslo",
        datetime.date(2025, 10, 14),
        datetime.date(2025, 10, 15),
        "Oslo",
        ["devops"],
    )
    assert [(s.kind, s.title, s.speakers, s.session_label) for s in parsed.sessions] == [
        ("keynote", "Paging Is a Product", ["Kari Nordby"], ""),
        ("talk", "Platform Teams Need PMs", ["Arjun Mehta", "Sara Mikkelsen"], ""),
        ("open_space", "Which alerts would you delete?", ["Henrik Aas"], ""),
        ("open_space", "Error budgets", [], "Day 2"),
    ]
    assert [(a.title, a.details) for a in parsed.action_points] == [
        ("Label every page for a month", ""),
        ("Publish the notes", "Put them on the wiki,\nwith the slides."),
    ]
    # Several people's notes are not imported as one person's.
    assert (parsed.from_report, parsed.intro, [s.body for s in parsed.sessions]) == (
        True,
        "",
        ["", "", "", ""],
    )


def test_importing_a_report_into_another_site_reproduces_it(oslo, staff):
    before, report = state(oslo), event_report(oslo)
    Event.objects.all().delete()
    Speaker.objects.all().delete()

    summary = save_parsed(parse_markdown(report), author=staff)

    assert state(summary.event) == before
    assert Note.objects.count() == 0


def test_importing_a_report_into_the_same_site_changes_nothing(oslo, staff):
    before = state(oslo)
    notes = list(Note.objects.values_list("pk", "body"))

    summary = save_parsed(parse_markdown(event_report(oslo)), author=staff)

    assert summary.event == oslo
    assert (dict(summary.created), dict(summary.updated)) == ({}, {})
    assert state(oslo) == before
    assert list(Note.objects.values_list("pk", "body")) == notes


@pytest.mark.parametrize(
    "name",
    [
        "platform-summit-utrecht.md",
        "devopsdays-harbourside-2024-day-two.md",
        "cloud-native-day-bergen.txt",
        "devopsdays-lakeside-2023.txt",
    ],
)
def test_imported_notes_survive_the_round_trip(attendee, staff, name):
    first = save_parsed(read_path(FIXTURES / name).parse(), author=attendee).event
    before, report = state(first), event_report(first)
    Event.objects.all().delete()

    again = save_parsed(parse_markdown(report), author=staff).event

    assert state(again) == before


# --- The download and the command ----------------------------------------------------


def test_the_report_downloads_as_markdown(client, manager, oslo):
    client.force_login(manager)
    response = client.get(f"/events/{oslo.slug}/report.md")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{oslo.slug}.md"'
    assert response.content.decode() == REPORT


def test_the_report_needs_a_login(client, oslo):
    response = client.get(f"/events/{oslo.slug}/report.md")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_event_has_no_report(attendee_client):
    assert attendee_client.get("/events/nothing-here/report.md").status_code == 404


def test_the_report_runs_the_same_queries_for_3_and_30_sessions(attendee_client):
    def event_with(n: int) -> str:
        event = EventFactory()
        for talk in TalkFactory.create_batch(n, event=event):
            talk.speakers.set([SpeakerFactory()])
            NoteFactory(talk=talk)
            TakeawayFactory(talk=talk)
        OpenSpaceFactory.create_batch(n, event=event)
        return f"/events/{event.slug}/report.md"

    assert count_queries(attendee_client, event_with(3)) == count_queries(
        attendee_client, event_with(30)
    )


def test_export_notes_prints_the_report(oslo):
    out = StringIO()
    call_command("export_notes", "--event", oslo.slug, stdout=out)
    assert out.getvalue() == REPORT


def test_export_notes_writes_a_file(oslo, tmp_path):
    out = StringIO()
    call_command("export_notes", "--event", oslo.slug, "--output", tmp_path / "r.md", stdout=out)
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == REPORT
    assert out.getvalue() == f"Wrote the report on DevOpsDays Oslo (2025) to {tmp_path / 'r.md'}.\n"


def test_export_notes_refuses_an_unknown_event(db):
    with pytest.raises(CommandError) as error:
        call_command("export_notes", "--event", "nope", stdout=StringIO())
    assert str(error.value) == "No event with the slug \u201cnope\u201d."


def test_the_report_file_imports_with_the_command(oslo, staff, tmp_path):
    before = state(oslo)
    path = tmp_path / "oslo.md"
    call_command("export_notes", "--event", oslo.slug, "--output", path, stdout=StringIO())

    out = StringIO()
    call_command("import_notes", str(path), "--author", "alice", stdout=out)

    assert state(oslo) == before
    assert out.getvalue() == f"{path}: DevOpsDays Oslo (2025): created nothing; 9 already there\n"
    assert UserFactory(username="alice") == staff
