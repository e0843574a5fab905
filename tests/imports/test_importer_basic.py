"""The simple parse of Markdown and plain-text notes, and saving what it read."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from actions.models import ActionPoint, ActionPointChange
from imports.importer import (
    ImportProblem,
    ParsedEvent,
    ParsedSession,
    ParsedTakeaway,
    dates,
    event_name_from_title,
    parse_markdown,
    parse_text,
    save_parsed,
    without_year,
)
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk
from tests.factories import UserFactory
from tests.helpers import SAMPLES, needs_samples

DEMO = Path(settings.BASE_DIR) / "demo" / "notes"


def pycon() -> ParsedEvent:
    return parse_markdown((DEMO / "pycon-lisbon-2026-day-one.md").read_text())


def oslo() -> ParsedEvent:
    return parse_text((DEMO / "devopsdays-oslo-2025.txt").read_text())


def sessions(parsed: ParsedEvent) -> list[tuple[str, str, list[str]]]:
    return [(s.kind, s.title, s.speakers) for s in parsed.sessions]


# --- Markdown ----------------------------------------------------------------------


def test_markdown_event_comes_from_the_front_matter():
    parsed = pycon()
    assert (parsed.name, parsed.starts_on, parsed.ends_on) == (
        "PyCon Lisbon",
        datetime.date(2026, 4, 16),
        datetime.date(2026, 4, 18),
    )
    assert (parsed.city, parsed.country, parsed.website) == (
        "Lisbon",
        "Portugal",
        "https://pycon-lisbon.example.org/2026/",
    )
    assert parsed.tags == ["python", "conferences"]
    assert parsed.title == "Notes from PyCon Lisbon 2026, day one"


def test_markdown_headings_are_sessions_with_kinds_and_speakers():
    assert sessions(pycon()) == [
        ("keynote", "The Long Tail of Small Decisions", ["Inês Carvalho"]),
        ("talk", "Tracing Python Services Without Drowning in Spans", ["Tomasz Wrona"]),
        ("talk", "Test Suites That Scale With the Team", ["Priya Raman", "Jonas Becker"]),
        ("ignite", "Five Minutes on Feature Flags", ["Sofia Duarte"]),
        ("ignite", "Your README Is a Runbook", ["Daniel Osei"]),
        ("open_space", "Running an internal platform as a product", ["Miguel Antunes"]),
    ]


def test_markdown_tags_line_tags_the_session_and_stays_out_of_the_note():
    keynote = pycon().sessions[0]
    assert keynote.tags == ["architecture", "culture"]
    assert keynote.body.startswith("Inês has maintained the same payments library")
    assert "### Decision records people actually read" in keynote.body


def test_markdown_takeaways_belong_to_their_session_or_the_event():
    assert [(t.source, t.text, t.tags) for t in pycon().takeaways] == [
        (
            "Tracing Python Services Without Drowning in Spans",
            "Tail-based sampling keeps the traces you will actually open: the errors and the "
            "slow requests.",
            ["observability"],
        ),
        (
            "Tracing Python Services Without Drowning in Spans",
            "Put the identifiers support people search for on the span, and tracing becomes a "
            "support tool as well as a debugging one.",
            ["observability", "incident-response"],
        ),
        (
            None,
            "Write down why a decision was made and when to revisit it; the why is the part "
            "that gets lost.",
            ["architecture", "culture"],
        ),
        (
            None,
            "A slow test suite is a team problem: make the slowest tests visible to everyone.",
            ["testing"],
        ),
        (
            None,
            "Feature flags are debt with an interest rate; give each one an owner and an "
            "expiry date.",
            ["testing"],
        ),
        (
            None,
            "A platform team that does not talk to the teams it serves builds the wrong paved "
            "road.",
            ["platform"],
        ),
    ]


def test_markdown_action_points_take_their_title_from_the_first_sentence():
    action_points = pycon().action_points
    assert [(a.source, a.title, a.tags) for a in action_points] == [
        (
            "The Long Tail of Small Decisions",
            "Start a decision-record folder in our main service repository",
            ["architecture", "documentation"],
        ),
        (
            "Tracing Python Services Without Drowning in Spans",
            "Trial tail-based sampling in the collector for the checkout service",
            ["observability"],
        ),
        (
            "Test Suites That Scale With the Team",
            'Publish a weekly "twenty slowest tests" report from CI in the team channel',
            ["testing"],
        ),
        (
            "Five Minutes on Feature Flags",
            "List our feature flags with their owners, and remove the ones older than three months",
            ["testing", "platform"],
        ),
        (
            "Running an internal platform as a product",
            "Interview three product teams about what slows down their deployments before we "
            "plan next quarter's platform work",
            ["platform", "culture"],
        ),
    ]
    assert action_points[1].details == (
        "Trial tail-based sampling in the collector for the checkout service. Keep every error "
        "trace and anything slower than the latency objective, sample 5% of the rest, and "
        "compare cost and usefulness after two weeks."
    )
    assert action_points[2].details == ""


def test_hashtags_are_left_out_of_the_notes():
    parsed = pycon()
    bodies = [parsed.intro, *(s.body for s in parsed.sessions)]
    assert [body for body in bodies if "#observability" in body or "#testing" in body] == []
    assert parsed.sessions[1].body.endswith("and compare cost and usefulness after two weeks.")


def test_markdown_intro_and_event_takeaways_make_the_note_on_the_event():
    intro = pycon().intro
    assert intro.startswith("> These are my own notes, typed up from a paper notebook")
    assert "## Takeaways" in intro
    assert intro.endswith("builds the wrong paved\n  road.")


def test_markdown_takes_the_date_from_the_description_when_there_is_no_other():
    parsed = parse_markdown(
        '---\ntitle: "My notes from Some Conf, Day Two"\ndescription: "Notes, 6 Nov 2018"\n---\n'
        "\n## A Talk: _Ann Example_\n\nText.\n"
    )
    assert (parsed.name, parsed.starts_on, parsed.ends_on) == (
        "Some Conf",
        datetime.date(2018, 11, 6),
        datetime.date(2018, 11, 6),
    )


def test_markdown_without_front_matter_takes_its_title_from_the_first_heading():
    parsed = parse_markdown("# Notes from Some Conf, 5 January 2026\n\n## A Talk: _Ann Example_\n")
    assert (parsed.name, parsed.starts_on) == (
        "Some Conf",
        datetime.date(2026, 1, 5),
    )
    assert sessions(parsed) == [("talk", "A Talk", ["Ann Example"])]


def test_markdown_without_a_date_gets_today_marked_unsure():
    # Changed on purpose (issue 11): no longer refused.
    parsed = parse_markdown('---\ntitle: "Notes from Some Conf"\n---\n\nText.\n')
    assert (parsed.name, parsed.starts_on) == ("Some Conf", timezone.localdate())
    assert [(d.what, d.why) for d in parsed.unsure] == [
        ("date", "no date in the notes: today stands in")
    ]


def test_markdown_with_a_wrong_date_is_read_without_it():
    # Changed on purpose (issue 11): an unreadable date is a doubt, not a refusal.
    parsed = parse_markdown("---\nevent: Conf\nstarts_on: next Tuesday\n---\n")
    assert parsed.starts_on == timezone.localdate()
    assert [d.what for d in parsed.unsure] == ["date"]


def test_a_takeaway_over_500_characters_is_refused_with_its_line():
    text = "---\nevent: Conf\ndate: 2026-01-05\n---\n\n## Takeaways\n\n* " + "word " * 120
    with pytest.raises(ImportProblem, match="line 8: a takeaway is at most 500 characters"):
        parse_markdown(text)


def test_a_tag_without_letters_or_digits_is_refused_with_its_line():
    with pytest.raises(ImportProblem) as error:
        parse_markdown("---\nevent: Conf\ndate: 2026-01-05\ntags: ok, ???\n---\n")
    assert str(error.value) == (
        "line 4: “???” cannot be a tag: it needs at least one letter or digit."
    )


def test_a_tag_with_letters_outside_a_z_is_kept():
    parsed = parse_markdown("---\nevent: Conf\ndate: 2026-01-05\ntags: café, Zürich\n---\n")
    assert parsed.tags == ["café", "Zürich"]


def test_an_event_that_ends_before_it_starts_ends_the_day_it_starts_marked_unsure():
    # Changed on purpose (issue 11): a doubt, not a refusal.
    parsed = parse_markdown("---\nevent: Conf\nstarts_on: 2026-01-05\nends_on: 2026-01-04\n---\n")
    assert (parsed.starts_on, parsed.ends_on) == (datetime.date(2026, 1, 5),) * 2
    assert [(d.what, d.why) for d in parsed.unsure] == [
        ("date", "the end date was before the start")
    ]


# --- Plain text --------------------------------------------------------------------


def test_text_event_comes_from_the_date_line_and_the_title():
    parsed = oslo()
    assert (parsed.name, parsed.starts_on, parsed.ends_on, parsed.city, parsed.country) == (
        "DevOpsDays Oslo",
        datetime.date(2025, 10, 14),
        datetime.date(2025, 10, 15),
        "Oslo",
        "Norway",
    )
    assert parsed.tags == ["devops", "conferences"]


def test_text_sessions_short_notes_and_kinds():
    assert sessions(oslo()) == [
        ("keynote", "Paging Is a Product", ["Kari Nordby"]),
        (
            "talk",
            "Blameless Is Not a Vibe: Incident Reviews That Change Things",
            ["Ola Haugen"],
        ),
        ("talk", "Platform Teams Need Product Managers Too", ["Sara Mikkelsen", "Arjun Mehta"]),
        ("ignite", "Twenty Dashboards Nobody Opens", ["Lena Berg"]),
        ("ignite", "On-Call Handovers in Five Sentences", ["Emeka Obi"]),
        ("open_space", "Which alerts would you delete tomorrow?", ["Henrik Aas"]),
        ("open_space", "Error budgets for internal platforms", []),
        ("open_space", "Testing infrastructure changes", []),
    ]


def test_text_short_lines_become_sub_headings_and_bullets_markdown_lists():
    keynote = oslo().sessions[0]
    assert keynote.tags == ["incident-response", "observability"]
    assert "\n\n### What they measured\n\nFor six months" in keynote.body
    assert "\n\n### What they changed\n\n- alerts page only on symptoms" in keynote.body
    assert keynote.body.endswith(
        "> **Action Point:** Label every page for the next month as actionable, not actionable "
        "or duplicate, and review the numbers together. An alert that is not actionable twice "
        "in a row becomes a ticket instead of a page."
    )


def test_text_takeaways_and_action_points():
    parsed = oslo()
    assert [(t.source, t.tags) for t in parsed.takeaways] == [
        ("Paging Is a Product", ["incident-response", "observability"]),
        ("Platform Teams Need Product Managers Too", ["platform", "culture"]),
        (None, ["incident-response"]),
        (None, ["incident-response", "culture"]),
        (None, ["observability"]),
        (None, ["platform"]),
    ]
    assert parsed.takeaways[2].text == (
        "The pager is a product: measure how many pages are actionable, and fix the rest."
    )
    assert [(a.source, a.title) for a in parsed.action_points] == [
        (
            "Paging Is a Product",
            "Label every page for the next month as actionable, not actionable or duplicate, "
            "and review the numbers together",
        ),
        (
            "Blameless Is Not a Vibe: Incident Reviews That Change Things",
            "Move the open follow-ups from this year's incident reviews into our tracker, each "
            "with one owner and a due date",
        ),
        (
            "Twenty Dashboards Nobody Opens",
            "Archive the dashboards nobody has opened in ninety days, and put the question each "
            "remaining one answers at the top",
        ),
        (
            "Which alerts would you delete tomorrow?",
            "Give alerts created during an incident a thirty-day expiry unless someone renews them",
        ),
        (
            "Testing infrastructure changes",
            "Add a CI check that fails when an infrastructure plan would destroy a database or "
            "a storage bucket",
        ),
    ]


def test_text_with_an_unreadable_date_line_keeps_it_as_text():
    # Changed on purpose (issue 11): no longer refused; the line stays in the note.
    parsed = parse_text("\nSometime last year\nSome Conf notes\n")
    assert parsed.name == "Sometime last year"
    assert parsed.intro == "## Some Conf notes"
    assert [d.what for d in parsed.unsure] == ["date"]


def test_text_tags_line_without_letters_or_digits_is_refused():
    with pytest.raises(ImportProblem) as error:
        parse_text("October 31, 2019\nSome Conf notes\n\nTags: ???\n")
    assert str(error.value) == "“???” cannot be a tag: it needs at least one letter or digit."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("October 31, 2019", ("2019-10-31", "2019-10-31")),
        ("6 Nov 2018", ("2018-11-06", "2018-11-06")),
        ("14\u201315 October 2025", ("2025-10-14", "2025-10-15")),  # en dash
        ("October 14-15, 2025", ("2025-10-14", "2025-10-15")),
        ("2025-10-14 to 2025-10-16", ("2025-10-14", "2025-10-16")),
        ("30 September \u2013 1 October 2025", ("2025-09-30", "2025-10-01")),
        ("last Tuesday", None),
    ],
)
def test_date_ranges(text, expected):
    found = dates.find(text)
    dates_found = (found.starts_on, found.ends_on) if found else None
    assert (tuple(d.isoformat() for d in dates_found) if dates_found else None) == expected


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("My notes from Devops Days Wellington, Day Two", "Devops Days Wellington"),
        ("DevOps Days Toronto 2019 conference notes", "DevOps Days Toronto 2019"),
        ("Notes from PyCon Lisbon 2026 \u2013 day 1", "PyCon Lisbon 2026"),
        ("PyCon Lisbon 2026", "PyCon Lisbon 2026"),
        ("Notes from Some Conf, 5 January 2026", "Some Conf"),
    ],
)
def test_event_name_from_title(title, name):
    assert event_name_from_title(title) == name


def test_event_names_lose_their_start_year_only():
    assert [without_year(name, 2026) for name in ["PyCon Lisbon 2026", "Summit 2025"]] == [
        "PyCon Lisbon",
        "Summit 2025",
    ]


# --- Saving ------------------------------------------------------------------------


@pytest.mark.django_db
def test_save_parsed_writes_everything_once():
    author = UserFactory(username="bob")
    first = save_parsed(pycon(), author=author)
    again = save_parsed(pycon(), author=author)

    event = Event.objects.get()
    assert first.event == again.event == event
    assert sorted(event.tags.names()) == ["conferences", "python"]
    assert dict(first.created) == {
        "events": 1,
        "talks": 5,
        "speakers": 6,
        "open spaces": 1,
        "notes": 7,
        "takeaways": 6,
        "action points": 5,
    }
    assert dict(again.created) == {}
    assert sum(again.existing.values()) == 25
    assert Talk.objects.count() == 5
    assert Note.objects.filter(author=author, status=Note.Status.PUBLISHED).count() == 7
    talk = Talk.objects.get(title="Test Suites That Scale With the Team")
    assert sorted(talk.speakers.values_list("name", flat=True)) == ["Jonas Becker", "Priya Raman"]
    assert sorted(talk.tags.names()) == ["python", "testing"]
    assert OpenSpace.objects.get().convenor == "Miguel Antunes"


@pytest.mark.django_db
def test_imported_action_points_have_one_history_entry_each():
    author = UserFactory(username="bob")
    save_parsed(pycon(), author=author)
    save_parsed(pycon(), author=author)

    entries = ActionPointChange.objects.all()
    assert entries.count() == ActionPoint.objects.count() == 5
    assert {(e.via, e.changed_by) for e in entries} == {(ActionPointChange.Via.IMPORT, author)}
    action_point = ActionPoint.objects.get(title__startswith="Trial tail-based sampling")
    assert action_point.talk.title == "Tracing Python Services Without Drowning in Spans"
    assert action_point.raised_by == author
    assert list(action_point.tags.names()) == ["observability"]


@pytest.mark.django_db
def test_a_second_author_adds_notes_to_the_same_talks():
    save_parsed(pycon(), author=UserFactory(username="bob"))
    alice = UserFactory(username="alice")
    summary = save_parsed(
        parse_markdown((DEMO / "pycon-lisbon-2026-alice.md").read_text()), author=alice
    )

    assert (summary.created["events"], summary.created["talks"]) == (0, 1)
    talk = Talk.objects.get(title="Tracing Python Services Without Drowning in Spans")
    assert sorted(talk.notes.values_list("author__username", flat=True)) == ["alice", "bob"]
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_save_parsed_is_all_or_nothing():
    parsed = ParsedEvent(
        name="Conf",
        starts_on=datetime.date(2026, 1, 5),
        ends_on=datetime.date(2026, 1, 5),
        sessions=[ParsedSession("A talk", body="Notes.")],
        takeaways=[ParsedTakeaway("A lesson.", source="Not a session")],
    )
    with pytest.raises(
        ImportProblem, match="“Not a session” is not one of the document's sessions"
    ):
        save_parsed(parsed, author=UserFactory())
    assert (Event.objects.count(), Talk.objects.count(), Note.objects.count()) == (0, 0, 0)


# --- The real samples, read in place -----------------------------------------------


@needs_samples
@pytest.mark.django_db
def test_markdown_sample():
    parsed = parse_markdown((SAMPLES / "devopsdays-wellington-2018-day-two.md").read_text())

    assert (parsed.name, parsed.starts_on) == ("Devops Days Wellington", datetime.date(2018, 11, 6))
    assert sessions(parsed)[:3] == [
        ("talk", "DevOps Experiments: Reflections of a Scaling Startup", ["Alison Polton-Simon"]),
        ("talk", "Lean QA", ["Theresa Neate"]),
        ("talk", "A Devops Confessional", ["Mrinal Mukherjee"]),
    ]
    assert sessions(parsed)[3:] == [
        ("open_space", "Kubernetes/OpenShift", []),
        ("open_space", "Monorepo/shared libraries", []),
        ("ignite", "Continuously Testing govt.nz", ["Allan Geer", "Amanda Baker"]),
        ("ignite", "Configuration Pipeline: Ruling the One Ring", ["Jules Clements"]),
    ]
    assert (len(parsed.takeaways), len(parsed.action_points)) == (10, 10)
    assert {t.source for t in parsed.takeaways} == {None}

    summary = save_parsed(parsed, author=UserFactory())
    assert (summary.created["talks"], summary.created["action points"]) == (5, 10)


@needs_samples
@pytest.mark.django_db
def test_text_sample():
    parsed = parse_text((SAMPLES / "devopsdays-toronto-2019.txt").read_text())

    assert (parsed.name, parsed.starts_on) == (
        "DevOps Days Toronto",
        datetime.date(2019, 10, 31),
    )
    assert sessions(parsed)[:3] == [
        ("talk", "Drafting Success", ["Emily Freeman"]),
        ("talk", "Making Connections Visible", ["Dominica Degrandis"]),
        ("talk", "Double, Double, Toil and Trouble", ["Bozhidar Lenchov", "Jesse Malone"]),
    ]
    kubernetes = next(s for s in parsed.sessions if s.title.startswith("Kubernetes"))
    assert (kubernetes.kind, kubernetes.speakers) == ("ignite", ["Renata Rocha"])
    assert [s.title for s in parsed.sessions if s.is_open_space][:2] == [
        "Communicating and measuring DevOps success",
        "Sensory Friendly Monitoring",
    ]

    summary = save_parsed(parsed, author=UserFactory())
    assert summary.created["talks"] == 8
    assert Speaker.objects.filter(name="Renata Rocha").exists()
    assert Takeaway.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "limit"), [("city", 100), ("country", 100), ("venue", 200), ("website", 200)]
)
def test_an_event_field_over_the_sites_limit_is_refused_by_name(field, limit):
    value = "https://example.com/" + "x" * limit if field == "website" else "x" * (limit + 1)
    with pytest.raises(ImportProblem) as error:
        parse_markdown(f"---\nevent: Conf\ndate: 2026-01-05\n{field}: {value}\n---\n")
    assert str(error.value) == f"the {field} is at most {limit} characters."
