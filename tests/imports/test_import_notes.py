"""import_notes: what it detects in each shape of notes, what it writes, re-imports,
and the bad input it refuses (with the file and line, writing nothing)."""

import datetime
import hashlib
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actions.models import ActionPoint, ActionPointChange
from imports.importer import (
    LEAVE_OUT,
    TO_EVENT_NOTE,
    SessionChange,
    corrected,
    parse_markdown,
    parse_text,
)
from imports.importer.conventions import looks_like_name, split_heading
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk
from tests.factories import EventFactory, SpeakerFactory, TalkFactory
from tests.helpers import SAMPLES, needs_samples

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"

HARBOURSIDE = FIXTURES / "devopsdays-harbourside-2024-day-two.md"
LAKESIDE = FIXTURES / "devopsdays-lakeside-2023.txt"
UTRECHT = FIXTURES / "platform-summit-utrecht.md"
BERGEN = FIXTURES / "cloud-native-day-bergen.txt"


def run(*args) -> str:
    out = StringIO()
    call_command("import_notes", *map(str, args), stdout=out)
    return out.getvalue()


def detected(path: Path, *more: str) -> dict:
    return json.loads(run(path, "--author", "bob", "--dry-run", "--json", *more))


def talks(found: dict) -> list[tuple[str, str, list[str]]]:
    return [(t["kind"], t["title"], t["speakers"]) for t in found["talks"]]


def texts(items: list[dict], key: str) -> list[tuple[str | None, str]]:
    return [(item["source"], item[key]) for item in items]


def everything() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Event, Talk, Speaker, OpenSpace, Note, Takeaway, ActionPoint)
    } | {"history": ActionPointChange.objects.count()}


NOTHING = dict.fromkeys(
    ["Event", "Talk", "Speaker", "OpenSpace", "Note", "Takeaway", "ActionPoint", "history"], 0
)


# --- The samples, read in place ----------------------------------------------------


def digests(items: list[dict], key: str) -> list[tuple[str | None, int, str]]:
    """(source, length, digest of the text): checks the exact text of third-party
    notes without copying it into the project."""
    return [
        (i["source"], len(i[key]), hashlib.sha256(i[key].encode()).hexdigest()[:10]) for i in items
    ]


@needs_samples
def test_markdown_sample_is_detected(attendee):
    found = detected(SAMPLES / "devopsdays-wellington-2018-day-two.md")

    assert found["event"] == {
        "name": "Devops Days Wellington",
        "starts_on": "2018-11-06",
        "ends_on": "2018-11-06",
        "city": "Wellington",
        "tags": ["technology"],
    }
    assert talks(found) == [
        ("talk", "DevOps Experiments: Reflections of a Scaling Startup", ["Alison Polton-Simon"]),
        ("talk", "Lean QA", ["Theresa Neate"]),
        ("talk", "A Devops Confessional", ["Mrinal Mukherjee"]),
        ("ignite", "Continuously Testing govt.nz", ["Allan Geer", "Amanda Baker"]),
        ("ignite", "Configuration Pipeline: Ruling the One Ring", ["Jules Clements"]),
    ]
    assert found["open_spaces"] == [
        {"title": "Kubernetes/OpenShift"},
        {"title": "Monorepo/shared libraries"},
    ]
    experiments = "DevOps Experiments: Reflections of a Scaling Startup"
    assert digests(found["action_points"], "title") == [
        (experiments, 137, "678514d6d1"),
        (experiments, 130, "2ceee5b867"),
        (experiments, 186, "ace8a83ed0"),
        (experiments, 87, "ab6f8d6fe7"),
        (experiments, 134, "e95184cb37"),
        ("Lean QA", 120, "fb6916e864"),
        ("Lean QA", 110, "fec4bf570a"),
        ("Lean QA", 94, "bb0b28564d"),
        ("Continuously Testing govt.nz", 168, "61a0ca443c"),
        ("Configuration Pipeline: Ruling the One Ring", 72, "600ebd3c71"),
    ]
    assert digests(found["takeaways"], "text") == [
        (None, 75, "a03d301869"),
        (None, 65, "310e690cc4"),
        (None, 100, "10ce48a54b"),
        (None, 36, "c39c8c954e"),
        (None, 47, "3049dd9781"),
        (None, 81, "1ab04ecf75"),
        (None, 34, "f0a39721c9"),
        (None, 199, "a7cf87b838"),
        (None, 39, "3becc9a560"),
        (None, 42, "482ba9b51b"),
    ]
    assert [n["source"] for n in found["notes"]] == [
        None,
        experiments,
        "Lean QA",
        "A Devops Confessional",
        "Kubernetes/OpenShift",
        "Monorepo/shared libraries",
        "Continuously Testing govt.nz",
        "Configuration Pipeline: Ruling the One Ring",
    ]


@needs_samples
def test_text_sample_is_detected(attendee):
    found = detected(SAMPLES / "devopsdays-toronto-2019.txt")

    assert found["event"] == {
        "name": "DevOps Days Toronto",
        "starts_on": "2019-10-31",
        "ends_on": "2019-10-31",
        "city": "Toronto",
        "tags": [],
    }
    assert talks(found) == [
        ("talk", "Drafting Success", ["Emily Freeman"]),
        ("talk", "Making Connections Visible", ["Dominica Degrandis"]),
        ("talk", "Double, Double, Toil and Trouble", ["Bozhidar Lenchov", "Jesse Malone"]),
        ("talk", "Inner Source", ["Wasim Hossain"]),
        ("talk", "Just In Time Cloud Infrastructure", ["Austen Novis"]),
        ("talk", "Shortcuts and Scenic Routes", ["Matthew Chum", "Monti Ghai"]),
        ("talk", "My Favourite Errors", ["Hany Fahim"]),
        ("ignite", "Kubernetes - don\u2019t believe the hype", ["Renata Rocha"]),
    ]
    assert [s["title"] for s in found["open_spaces"]] == [
        "Communicating and measuring DevOps success",
        "Sensory Friendly Monitoring",
        "What should incident commanders know about your services?",
        "Journey to the promised land",
        "Slackbots and any other webhook based development",
    ]
    assert (found["takeaways"], found["action_points"]) == ([], [])
    assert len(found["notes"]) == 14


@needs_samples
@pytest.mark.parametrize(
    "name", ["devopsdays-wellington-2018-day-two.md", "devopsdays-toronto-2019.txt"]
)
def test_each_sample_imports_and_imports_again_without_duplicates(attendee, name):
    run(SAMPLES / name, "--author", "bob")
    before = everything()
    output = run(SAMPLES / name, "--author", "bob")

    assert everything() == before
    assert ": created nothing; " in output
    assert before["Event"] == 1
    assert (
        Note.objects.filter(author=attendee, status=Note.Status.PUBLISHED).count() == before["Note"]
    )


# --- Our fixtures, in the same shapes and more ---------------------------------------


def test_markdown_blog_post_is_detected(attendee):
    found = detected(HARBOURSIDE)

    assert found["event"] == {
        "name": "DevOpsDays Harbourside",
        "starts_on": "2024-03-12",
        "ends_on": "2024-03-12",
        "city": "Harbourside",
        "tags": ["conferences"],
    }
    assert talks(found) == [
        ("talk", "Paved Roads Without Potholes", ["Mereana Tait"]),
        ("talk", "Testing in Production, Carefully", ["Joaquín Ferreira"]),
        ("ignite", "Five Slides About Pagers", ["Ana Lima", "Tom Berg"]),
    ]
    assert found["open_spaces"] == [{"title": "Chaos Days"}, {"title": "Secrets rotation"}]
    assert texts(found["action_points"], "title") == [
        (
            "Paved Roads Without Potholes",
            "Check whether our service template still builds on a fresh laptop, and write "
            "down every step that needs a human",
        ),
        (
            "Paved Roads Without Potholes",
            "Try a weekly office hour for our deploy tooling for one month",
        ),
        (
            "Testing in Production, Carefully",
            "Find out which of our services could take a dark launch",
        ),
        ("Five Slides About Pagers", "Count how many pages we got at night last month"),
    ]
    assert found["action_points"][1]["details"] == (
        "Try a weekly office hour for our deploy tooling for one month. If nobody comes "
        "twice in a row, stop."
    )
    assert texts(found["takeaways"], "text") == [
        (None, "Treat internal tooling as a product with users"),
        (None, "Run a game day before the next big migration, not after"),
        (
            None,
            "Make the cost of a page visible to the people who create the alert, so that "
            "they think twice",
        ),
        (None, "Office hours beat ticket queues for questions"),
    ]


def test_text_copied_from_a_web_page_is_detected(attendee):
    found = detected(LAKESIDE)

    assert found["event"] == {
        "name": "DevOpsDays Lakeside",
        "starts_on": "2023-09-14",
        "ends_on": "2023-09-14",
        "city": "Lakeside",
        "tags": [],
    }
    assert talks(found) == [
        ("talk", "Boring Releases", ["Priya Natarajan"]),
        ("talk", "Debt You Can See", ["Kwame Mensah", "Lotte de Vries"]),
        ("talk", "On-Call for Humans", ["Sam O\u2019Connor"]),
        ("ignite", "Serverless at a bank", ["Ines Duarte"]),
    ]
    assert found["open_spaces"] == [
        {"title": "Runbooks nobody reads"},
        {"title": "Who owns the shared database?"},
    ]
    assert (found["takeaways"], found["action_points"]) == ([], [])


def test_markdown_conventions_are_detected(attendee):
    found = detected(UTRECHT)

    assert found["event"] == {
        "name": "Platform Summit Utrecht",
        "starts_on": "2026-05-14",
        "ends_on": "2026-05-15",
        "city": "Utrecht",
        "tags": ["platform", "conferences"],
    }
    assert talks(found) == [
        ("keynote", "The Platform Is the Product", ["Femke Jansen"]),
        ("talk", "Golden Paths", ["Willem Bakker"]),
        ("talk", "Measuring Developer Experience", ["Noor Hassan"]),
        ("ignite", "Docs as Tests", ["Bram Visser"]),
        ("workshop", "Writing Runbooks", ["Eva Smit", "Daan de Boer"]),
    ]
    assert found["open_spaces"] == [
        {"title": "Platform team size"},
        {"title": "Paying down platform debt"},
        {"title": "Self-service databases"},
    ]
    assert texts(found["action_points"], "title") == [
        (
            "The Platform Is the Product",
            "Ask three teams what they would miss if our platform disappeared tomorrow",
        ),
        ("Golden Paths", "Write down our golden path for a new service"),
        (None, "Share these notes with the platform team"),
        (None, "Book a game day for the deploy pipeline"),
    ]
    assert found["action_points"][1]["details"] == (
        "Write down our golden path for a new service. Keep it to one page, and link it from "
        "the README template."
    )
    assert texts(found["takeaways"], "text") == [
        ("Golden Paths", "A golden path should be the easiest path, not the only one."),
        (None, "Measure adoption, not features shipped."),
        (None, "Golden paths are recommendations with good defaults."),
    ]


def test_text_conventions_are_detected(attendee):
    found = detected(BERGEN)

    assert found["event"] == {
        "name": "Cloud Native Day Bergen",
        "starts_on": "2025-06-03",
        "ends_on": "2025-06-03",
        "city": "Bergen",
        "tags": ["cloud", "conferences"],
    }
    assert talks(found) == [
        ("keynote", "Small Clusters, Big Lessons", ["Ingrid Solberg"]),
        ("talk", "Cost Per Team", ["Lars Eriksen"]),
        ("talk", "Policy as Code", ["Maja Lund"]),
        ("ignite", "Ten Thousand Pods", ["Olav Nilsen"]),
    ]
    assert found["open_spaces"] == [
        {"title": "Upgrading without downtime"},
        {"title": "Multi-tenancy in practice"},
    ]
    assert texts(found["action_points"], "title") == [
        ("Small Clusters, Big Lessons", "Draw our cluster boundaries on one page and share it"),
        (None, "Ask finance for last quarter's bill per team"),
    ]
    assert texts(found["takeaways"], "text") == [
        ("Cost Per Team", "People cut the costs they can see."),
        (None, "Small clusters trade efficiency for simplicity."),
        (None, "Show each team its own bill."),
    ]


def test_the_json_has_exactly_the_documented_shape(attendee):
    found = detected(UTRECHT)

    assert list(found) == [
        "event",
        "talks",
        "open_spaces",
        "takeaways",
        "action_points",
        "notes",
        "unsure",
        "kept_lines",
    ]
    assert found["kept_lines"] == {"kept": 36, "of": 36}
    assert list(found["event"]) == ["name", "starts_on", "ends_on", "city", "tags"]
    assert {tuple(t) for t in found["talks"]} == {("title", "speakers", "kind")}
    assert {tuple(s) for s in found["open_spaces"]} == {("title",)}
    assert {tuple(t) for t in found["takeaways"]} == {("text", "source")}
    assert {tuple(a) for a in found["action_points"]} == {("title", "details", "source")}
    assert found["notes"][:3] == [
        {"source": None, "chars": 299},
        {"source": "The Platform Is the Product", "chars": 162},
        {"source": "Golden Paths", "chars": 320},
    ]


def test_several_files_print_a_list(attendee):
    found = json.loads(run(UTRECHT, BERGEN, "--author", "bob", "--dry-run", "--json"))
    assert [f["event"]["name"] for f in found] == [
        "Platform Summit Utrecht",
        "Cloud Native Day Bergen",
    ]


def test_notes_keep_their_sub_headings_and_lose_their_hashtags(attendee):
    markdown = parse_markdown(HARBOURSIDE.read_text())
    paved = markdown.sessions[0]
    assert "\n\n### Office hours\n\nThe platform group holds office hours" in paved.body
    text = parse_text(BERGEN.read_text())
    assert text.sessions[0].body.startswith("Ingrid runs forty small clusters")
    assert "\n\n### Why small\n\nBlast radius" in text.sessions[0].body
    assert "#cost" not in text.sessions[1].body
    golden = parse_markdown(UTRECHT.read_text()).sessions[1]
    assert "# a comment in a code block, not a heading" in golden.body


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Lean Ops: _Ann Example_", ("talk", "Lean Ops", ["Ann Example"])),
        ("Lean Ops — Ann Example", ("talk", "Lean Ops", ["Ann Example"])),
        ("Lean Ops \u2013 Ann Example", ("talk", "Lean Ops", ["Ann Example"])),
        (
            "Lean Ops - Ann Example and Bo Sample",
            ("talk", "Lean Ops", ["Ann Example", "Bo Sample"]),
        ),
        ("Lean Ops: Ann Example", ("talk", "Lean Ops", ["Ann Example"])),
        ("Lean Ops by Ann Example", ("talk", "Lean Ops", ["Ann Example"])),
        ("Lean Ops (Ann Example)", ("talk", "Lean Ops", ["Ann Example"])),
        ("Ann Example on Lean Ops", ("talk", "Lean Ops", ["Ann Example"])),
        ("Keynote: Lean Ops — Ann Example", ("keynote", "Lean Ops", ["Ann Example"])),
        ("Closing keynote: Lean Ops", ("keynote", "Lean Ops", [])),
        (
            "Ignite Session: Lean Ops: _A. Example & Bo Sample_",
            ("ignite", "Lean Ops", ["A. Example", "Bo Sample"]),
        ),
        ("Lightning talk: Lean Ops", ("ignite", "Lean Ops", [])),
        ("Panel: Lean Ops", ("panel", "Lean Ops", [])),
        ("Workshop: Lean Ops — Ann Example", ("workshop", "Lean Ops", ["Ann Example"])),
        ("Lean Ops Open Session", ("open_space", "Lean Ops", [])),
        ("Open Space: Lean Ops: _Ann Example_", ("open_space", "Lean Ops", ["Ann Example"])),
        # Not speakers: title words after the colon, the dash or "on".
        ("Observability: The Hard Parts", ("talk", "Observability: The Hard Parts", [])),
        ("Kubernetes - why it hurts", ("talk", "Kubernetes - why it hurts", [])),
        ("Notes on Testing", ("talk", "Notes on Testing", [])),
        ("Fast builds with *Bazel*", ("talk", "Fast builds with *Bazel*", [])),
    ],
)
def test_session_headings(heading, expected):
    session, _ = split_heading(heading)
    assert (session.kind, session.title, session.speakers) == expected


@pytest.mark.parametrize(
    ("text", "is_name"),
    [
        ("Alison Polton-Simon", True),
        ("Sam O'Connor", True),
        ("Lotte de Vries", True),
        ("Dominica DeGrandis", True),
        ("J. Paul Reed", True),
        ("Inês Carvalho", True),
        ("Madonna", False),
        ("Lean QA", False),
        ("The Hard Parts", False),
        ("Incident Reviews That Change Things", False),
        ("DevOps Days", False),
    ],
)
def test_what_looks_like_a_name(text, is_name):
    assert looks_like_name(text) is is_name


def test_markdown_without_front_matter_takes_the_event_from_the_first_lines():
    parsed = parse_markdown(
        "# Notes from Some Summit\n\n*Date: 5 May 2026 | Ghent, Belgium*\n\n"
        "## A Talk: _Ann Example_\n"
    )
    assert (parsed.name, parsed.starts_on, parsed.city, parsed.country, parsed.intro) == (
        "Some Summit",
        datetime.date(2026, 5, 5),
        "Ghent",
        "Belgium",
        "",
    )


def test_a_takeaway_or_action_point_marked_in_a_paragraph():
    parsed = parse_markdown(
        "---\nevent: Conf\ndate: 2026-01-05\n---\n\n## A Talk: _Ann Example_\n\n"
        "**Takeaway:** Small steps. #flow\n\n**Action items:**\n\n* Do one thing\n* And another\n\n"
        "Back to notes.\n\n* not an action point\n"
    )
    assert [(t.source, t.text, t.tags) for t in parsed.takeaways] == [
        ("A Talk", "Small steps.", ["flow"])
    ]
    assert [a.title for a in parsed.action_points] == ["Do one thing", "And another"]


def test_an_action_point_with_a_bold_title_keeps_the_rest_as_details():
    parsed = parse_markdown(
        "---\nevent: Conf\ndate: 2026-01-05\n---\n\n"
        "> **Action Point:** **Publish our values. Soon**\n>\n> Start with the wiki page.\n"
    )
    assert [(a.title, a.details) for a in parsed.action_points] == [
        ("Publish our values. Soon", "Start with the wiki page.")
    ]


# --- Corrections from the preview --------------------------------------------------


def test_corrections_rename_change_kind_move_to_the_event_and_leave_out():
    parsed = parse_markdown(UTRECHT.read_text())
    changes = [SessionChange(s.title, s.kind, tuple(s.speakers)) for s in parsed.sessions]
    changes[0] = SessionChange("The Platform Is a Product", "talk", ("Femke Jansen",))
    changes[1] = SessionChange("Golden Paths", LEAVE_OUT)
    changes[2] = SessionChange("Measuring DX", TO_EVENT_NOTE)
    fixed = corrected(parsed, sessions=changes, name="Platform Summit NL", city="Amsterdam")

    assert [(s.kind, s.title) for s in fixed.sessions][:2] == [
        ("talk", "The Platform Is a Product"),
        ("ignite", "Docs as Tests"),
    ]
    assert (fixed.name, fixed.city, fixed.starts_on) == (
        "Platform Summit NL",
        "Amsterdam",
        datetime.date(2026, 5, 14),
    )
    assert [(a.source, a.title[:20]) for a in fixed.action_points] == [
        ("The Platform Is a Product", "Ask three teams what"),
        (None, "Share these notes wi"),
        (None, "Book a game day for "),
    ]
    assert [t.source for t in fixed.takeaways] == [None, None]
    assert "## Measuring DX\n\nSurveys every quarter" in fixed.intro


# --- Writing ---------------------------------------------------------------------------


def test_import_writes_everything_and_prints_a_summary(attendee):
    output = run(UTRECHT, "--author", "bob")

    assert output == (
        f"{UTRECHT}: Platform Summit Utrecht (2026): created 1 event, 5 talks, 6 speakers, "
        "3 open spaces, 9 notes, 3 takeaways, 4 action points; 0 already there\n"
    )
    event = Event.objects.get()
    assert (event.name, event.starts_on, event.ends_on, event.place) == (
        "Platform Summit Utrecht",
        datetime.date(2026, 5, 14),
        datetime.date(2026, 5, 15),
        "Utrecht, Netherlands",
    )
    assert sorted(event.tags.names()) == ["conferences", "platform"]
    workshop = Talk.objects.get(title="Writing Runbooks")
    assert (workshop.kind, sorted(workshop.speakers.values_list("name", flat=True))) == (
        "workshop",
        ["Daan de Boer", "Eva Smit"],
    )
    debt = OpenSpace.objects.get(topic="Paying down platform debt")
    assert (debt.convenor, debt.session_label) == ("Lisa Mulder", "Session Two")
    assert set(Note.objects.values_list("author__username", "status")) == {("bob", "published")}
    golden = ActionPoint.objects.get(title="Write down our golden path for a new service")
    assert (golden.talk.title, golden.raised_by, sorted(golden.tags.names())) == (
        "Golden Paths",
        attendee,
        ["documentation", "platform"],
    )
    assert [(h.via, h.changed_by) for h in golden.history.all()] == [("import", attendee)]


def test_importing_again_duplicates_nothing(attendee):
    run(UTRECHT, BERGEN, "--author", "bob")
    before = everything()

    output = run(UTRECHT, BERGEN, "--author", "bob")

    assert everything() == before
    assert output.splitlines() == [
        f"{UTRECHT}: Platform Summit Utrecht (2026): created nothing; 25 already there",
        f"{BERGEN}: Cloud Native Day Bergen (2025): created nothing; 19 already there",
    ]


def test_importing_a_changed_file_updates_what_it_wrote(attendee, tmp_path):
    run(BERGEN, "--author", "bob")
    changed = tmp_path / "bergen.txt"
    changed.write_text(
        BERGEN.read_text()
        .replace("posted every Monday.", "posted every Monday morning.")
        .replace(
            "Action Point: Draw our cluster boundaries on one page and share it.",
            "Action Point: Draw our cluster boundaries on one page and share it. Ask Ingrid "
            "for her template. #cloud",
        ),
        encoding="utf-8",
    )
    before = everything()

    output = run(changed, "--author", "bob")

    assert everything() == before | {"history": before["history"] + 1}
    assert output.endswith("created nothing; updated 2 notes, 1 action point; 16 already there\n")
    note = Note.objects.get(talk__title="Cost Per Team")
    assert "posted every Monday morning." in note.body
    assert "every Monday morning." in note.body_html
    boundaries = ActionPoint.objects.get(title__startswith="Draw our cluster boundaries")
    assert boundaries.details.endswith("Ask Ingrid for her template.")
    assert list(boundaries.tags.names()) == ["cloud"]
    last = boundaries.history.last()
    assert (last.via, last.changed_by, sorted(last.changes)) == (
        "import",
        attendee,
        ["details", "tags"],
    )


def test_events_talks_and_speakers_already_there_are_matched(attendee):
    event = EventFactory(
        name="DevOps Days Lakeside",
        starts_on=datetime.date(2023, 9, 13),
        ends_on=datetime.date(2023, 9, 14),
        city="",
    )
    priya = SpeakerFactory(name="Priya Natarajan")
    TalkFactory(event=event, title="boring releases", kind="keynote", speakers=[priya])

    run(LAKESIDE, "--author", "bob")

    event.refresh_from_db()
    assert Event.objects.get() == event
    assert (event.name, event.starts_on, event.city) == (
        "DevOps Days Lakeside",
        datetime.date(2023, 9, 13),
        "Lakeside",
    )
    talk = Talk.objects.get(title__iexact="boring releases")
    assert (talk.title, talk.kind, list(talk.speakers.all())) == (
        "boring releases",
        "keynote",
        [priya],
    )
    assert Speaker.objects.filter(name="Priya Natarajan").count() == 1
    assert talk.notes.get().author == attendee


def test_notes_on_day_two_join_the_event_of_day_one(attendee):
    day_one = EventFactory(
        name="DevOpsDays Harbourside",
        starts_on=datetime.date(2024, 3, 11),
        ends_on=datetime.date(2024, 3, 11),
    )
    run(HARBOURSIDE, "--author", "bob")

    day_one.refresh_from_db()
    assert Event.objects.get() == day_one
    assert (day_one.starts_on, day_one.ends_on) == (
        datetime.date(2024, 3, 11),
        datetime.date(2024, 3, 12),
    )


def test_the_event_option_imports_into_that_event(attendee, tmp_path):
    event = EventFactory(name="Platform Summit", starts_on=datetime.date(2026, 5, 14))
    undated = tmp_path / "undated.md"
    undated.write_text("# Platform notes\n\n## Golden Paths: Willem Bakker\n\nText.\n")

    found = detected(undated, "--event", event.slug)
    run(undated, UTRECHT, "--author", "bob", "--event", event.slug)

    assert (found["event"]["name"], found["event"]["starts_on"]) == (
        "Platform Summit",
        "2026-05-14",
    )
    assert list(Event.objects.all()) == [event]
    assert event.talks.count() == 5


def test_the_time_is_printed_when_asked(attendee):
    assert run(BERGEN, "--author", "bob", "--verbosity", "2").splitlines()[-1].startswith("Took ")


# --- Bad input: one clear message, naming the file and line; nothing written ----------


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


BAD = [
    ("empty.md", b"", "empty.md: the file is empty: there is nothing to import."),
    ("blank.txt", b"\n  \n\t\n", "blank.txt: the file is empty: there is nothing to import."),
    (
        "photo.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "photo.md: the file looks like a binary file, not notes.",
    ),
    (
        "big.md",
        b"---\nevent: Conf\ndate: 2026-01-05\n---\n" + b"words " * 400_000,
        "big.md: the file is larger than 2 MB (2.3 MB); import it in parts.",
    ),
    (
        "latin1.txt",
        "October 31, 2019\nCaf\u00e9 Conf notes\n".encode("latin-1"),
        "latin1.txt, line 2: the file is not UTF-8 text (nor UTF-16 with a byte-order mark); "
        "save it as UTF-8 and try again.",
    ),
    (
        "long-label.md",
        b"---\nevent: Conf\ndate: 2026-01-05\n---\n\n## Open Spaces: " + b"x" * 101 + b"\n",
        "long-label.md, line 6: an open space's session label is at most 100 characters.",
    ),
    (
        "long-tag.md",
        b"---\nevent: Conf\ndate: 2026-01-05\n---\n\n## Takeaways\n\n* A lesson. #" + b"t" * 101,
        "long-tag.md: a tag is at most 100 characters: \u201c" + "t" * 40 + "\u2026\u201d.",
    ),
    (
        "no-letters-tag.md",
        b"---\nevent: Conf\ndate: 2026-01-05\ntags: ???\n---\n\n## Talk: _Ann Example_\n",
        "no-letters-tag.md, line 4: \u201c???\u201d cannot be a tag: it needs at least one "
        "letter or digit.",
    ),
    (
        "no-letters-session-tag.md",
        b"---\nevent: Conf\ndate: 2026-01-05\n---\n\n## Talk: _Ann Example_\n\nTags: ok, !!!\n",
        "no-letters-session-tag.md: \u201c!!!\u201d cannot be a tag: it needs at least one "
        "letter or digit.",
    ),
    (
        "long-takeaway.md",
        b"---\nevent: Conf\ndate: 2026-01-05\n---\n\n## Takeaways\n\n* " + b"word " * 120,
        "long-takeaway.md, line 8: a takeaway is at most 500 characters (this one has 599); "
        "split it or move the detail into the note.",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_one_message_and_nothing_written(
    attendee, tmp_path, name, data, message
):
    path = write(tmp_path, name, data)
    with pytest.raises(CommandError) as error:
        run(path, "--author", "bob")
    assert str(error.value) == message.replace(name, str(path), 1)
    assert everything() == NOTHING


def test_one_bad_file_among_several_writes_nothing(attendee, tmp_path):
    empty = write(tmp_path, "empty.md", b"")
    with pytest.raises(CommandError, match=r"empty\.md: the file is empty"):
        run(UTRECHT, empty, "--author", "bob")
    assert everything() == NOTHING


def test_a_missing_file_is_named(attendee, tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path / "nowhere.md", "--author", "bob")
    assert str(error.value) == f"{tmp_path / 'nowhere.md'}: no such file."


def test_an_unknown_author_is_refused(db):
    with pytest.raises(CommandError) as error:
        run(UTRECHT, "--author", "nobody")
    assert str(error.value) == (
        "No user \u201cnobody\u201d: --author takes the username of an existing account."
    )
    assert everything() == NOTHING


def test_an_unknown_event_is_refused(attendee):
    with pytest.raises(CommandError) as error:
        run(UTRECHT, "--author", "bob", "--event", "no-such-event")
    assert str(error.value) == "No event with the slug \u201cno-such-event\u201d."


def test_json_without_dry_run_is_refused(attendee):
    with pytest.raises(CommandError, match="use it with --dry-run"):
        run(UTRECHT, "--author", "bob", "--json")


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_utf8_and_utf16_with_a_byte_order_mark_are_read(attendee, tmp_path, encoding, bom):
    path = write(tmp_path, "notes.txt", bom + BERGEN.read_text().encode(encoding))
    assert detected(path)["event"]["name"] == "Cloud Native Day Bergen"


def test_the_command_exits_non_zero_on_bad_input(tmp_path):
    empty = write(tmp_path, "empty.md", b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_notes", str(empty), "--author", "bob"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"CommandError: {empty}: the file is empty: there is nothing to import."
    )
