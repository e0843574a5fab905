"""Conventions real write-ups use to mark a session and its speakers, each in a short
write-up of the project's own (tests/imports/fixtures/conventions/, invented talks and
people): the sessions and speakers each must give, no session made of prose or of the
headings around the talks, and every line of each kept."""

import contextlib
import time
from pathlib import Path

import pytest

from imports.importer import ImportProblem, document, read_path
from imports.importer.programme import DayHint
from talks.models import Talk

FIXTURES = Path(__file__).parent / "fixtures" / "conventions"
TALK, KEYNOTE, IGNITE, PANEL = Talk.Kind.TALK, Talk.Kind.KEYNOTE, Talk.Kind.IGNITE, Talk.Kind.PANEL

# fixture -> [(kind, title, speakers)], in the order the write-up gives them
EXPECTED = {
    "handles.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Pairing Across Time Zones", ["Priya Raman", "Oscar Lindqvist"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
    ],
    "resource-links.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "The Pager Diaries", ["Siobhan O'Neil"]),
    ],
    "emoji-quotes-numbers.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (IGNITE, "The Pager Diaries", ["Siobhan O'Neil"]),
    ],
    "companies-and-pipes.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "The Pager Diaries", ["Siobhan O'Neil"]),
        (TALK, "Tests That Tell Stories", ["Grace Achterberg"]),
    ],
    "bold-paragraphs.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "Pairing Across Time Zones", ["Priya Raman", "Oscar Lindqvist"]),
    ],
    "bold-list-descriptions.md": [
        (TALK, "Why I Stopped Using Cron", ["Ana Lopes"]),
        (TALK, "Ten Minutes of Terraform", ["Jakub Nowak"]),
        (TALK, "A Love Letter to Makefiles", ["Grace Achterberg"]),
    ],
    "setext.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
    ],
    "setext.txt": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
    ],
    "programme.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "Pairing Across Time Zones", ["Priya Raman", "Oscar Lindqvist"]),
        (IGNITE, "Why I Stopped Using Cron", ["Ana Lopes"]),
        (IGNITE, "Ten Minutes of Terraform", ["Jakub Nowak"]),
    ],
    "programme.txt": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "Pairing Across Time Zones", ["Priya Raman", "Oscar Lindqvist"]),
        (IGNITE, "Why I Stopped Using Cron", ["Ana Lopes"]),
        (IGNITE, "Ten Minutes of Terraform", ["Jakub Nowak"]),
    ],
    # A programme table (a table of tools after it is none)
    "table.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "Pairing Across Time Zones", ["Priya Raman", "Oscar Lindqvist"]),
    ],
    "org-mode.org": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "Pairing Across Time Zones", ["Priya Raman", "Oscar Lindqvist"]),
    ],
    # Day headings, an intro, food, people met, books and an outro: none a session.
    "around-the-talks.md": [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
        (TALK, "The Pager Diaries", ["Siobhan O'Neil"]),
    ],
}


def parsed(name: str):
    return read_path(FIXTURES / name).parse()


def sessions(result) -> list[tuple[str, str, list[str]]]:
    return [(s.kind, s.title, s.speakers) for s in result.sessions]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_convention_gives_its_sessions_and_speakers(name):
    assert sessions(parsed(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_convention_keeps_every_line(name):
    result = parsed(name)
    assert result.kept_lines[0] == result.kept_lines[1]
    assert result.doubts_about("text") == []


def test_links_to_slides_and_video_stay_in_the_note():
    result = parsed("resource-links.md")
    assert "https://example.org/v/2" in result.sessions[1].body


@pytest.mark.parametrize("name", ["setext.md", "setext.txt", "around-the-talks.md"])
def test_the_event_is_named_from_the_title_whatever_its_shape(name):
    assert parsed(name).name == "Lakeshore DevCamp"


def test_a_programme_gives_start_times_and_breaks_stay_the_days_text():
    result = parsed("programme.txt")
    assert [f"{s.starts_at:%H:%M}" for s in result.sessions[:3]] == ["09:30", "10:15", "11:20"]
    assert "11:00 Break" in result.intro
    assert "Break" not in result.sessions[1].body


def test_the_day_a_heading_names_is_the_days_of_the_talks_under_it():
    result = parsed("around-the-talks.md")
    assert [s.day_hint for s in result.sessions] == [
        DayHint("offset", 0),
        DayHint("offset", 0),
        DayHint("weekday", 2),
    ]


def test_a_programme_table_gives_times_and_rooms_and_stays_whole_in_the_events_note():
    result = parsed("table.md")
    assert [(f"{s.starts_at:%H:%M}", s.room) for s in result.sessions] == [
        ("09:30", "Hall A"),
        ("10:15", "Hall B"),
        ("11:20", "Hall A"),
    ]
    assert "| 11:00 | Coffee break" in result.intro
    assert "quoted at lunch" in result.intro


def test_a_table_whose_first_row_is_no_header_still_gives_its_talks():
    text = (
        "# Lakeshore DevCamp 2025\n\n"
        "| 09:30 | Feature Flags Without Regret | Marta Kowalczyk |\n"
        "|---|---|---|\n"
        "| 10:15 | Caching Without Tears | Tobias van der Berg |\n"
    )
    result = document(text, "notes.md").parse()
    assert sessions(result) == [
        (TALK, "Feature Flags Without Regret", ["Marta Kowalczyk"]),
        (TALK, "Caching Without Tears", ["Tobias van der Berg"]),
    ]


def test_org_mode_keywords_give_the_event_and_a_todo_heading_is_an_action_point():
    result = parsed("org-mode.org")
    assert (result.name, str(result.starts_on)) == ("Lakeshore DevCamp", "2025-05-14")
    assert [a.title for a in result.action_points] == ["Try a weekly flag review with the team"]
    assert "[her checklist](https://example.org/flags)" in result.sessions[0].body
    assert "> A flag nobody owns is a bug with a timer." in result.sessions[0].body
    assert "toc:nil" not in result.intro


def test_pasted_org_text_is_read_as_org():
    text = (FIXTURES / "org-mode.org").read_text()
    assert sessions(document(text, "pasted text").parse()) == EXPECTED["org-mode.org"]


# About 250 KB in each shape the conventions above read: long enough that work
# growing with the square of the lines would take minutes, not a second or two.
LARGE = {
    "nested list items": "".join(
        f"{'  ' * (n % 7)}- Talk number {n} by Ann Example\ntext\n" for n in range(6500)
    ),
    "org headings": "#+TITLE: Lakeshore DevCamp 2025\n"
    + "".join(f"* Talk {n} — Ann Example\n- a note\n" for n in range(8000)),
    "setext headings": "".join(f"Talk {n} - Ann Example\n-----\n\n" for n in range(9000)),
    "programme lines": "".join(f"09:30 Talk {n} - Ann Example\n" for n in range(5000)),
    "table rows": "| Time | Talk | Speaker |\n|---|---|---|\n"
    + "".join(f"| 09:30 | Talk {n} | Ann Example |\n" for n in range(6500)),
}


@pytest.mark.parametrize("shape", sorted(LARGE))
@pytest.mark.parametrize("name", ["notes.md", "notes.txt"])
def test_a_large_document_in_any_shape_is_read_in_seconds(shape, name):
    # CPU time, not wall-clock time (as the Markdown limits' test): the bound is about
    # how long an import holds a CPU, which a shared machine does not change.
    started = time.process_time()
    # A note too long to keep is refused with a message: an answer too.
    with contextlib.suppress(ImportProblem):
        document(LARGE[shape], name).parse()
    assert time.process_time() - started < 8


def test_a_name_in_a_script_without_capitals_is_a_speaker():
    text = "# Lakeshore DevCamp 2025\n\n## Queues Are Everywhere — 山田 太郎\n\nText.\n"
    assert sessions(document(text, "notes.md").parse()) == [
        (TALK, "Queues Are Everywhere", ["山田 太郎"])
    ]
