"""The importer reads a session's day, start time and room when the notes say them
plainly (a time before the title, "Day 2" / "Tuesday" / "Room A" sections, a "Room:"
line), leaves them unset otherwise, and a second import fills a missing time without
duplicating anything."""

import datetime

import pytest

from imports.importer import (
    Document,
    event_report,
    parse_markdown,
    parse_text,
    save_parsed,
    to_json,
)
from imports.importer.programme import DayHint, resolve_day, split_time
from imports.importer.read import MARKDOWN
from talks.models import OpenSpace, Talk

pytestmark = pytest.mark.django_db

THREE_DAYS = """---
title: "Notes from HarbourConf 2026"
starts_on: 2026-03-10
ends_on: 2026-03-12
---

## Day 1

## 09:30 Keynote: Paved Roads Without Potholes: _Mereana Tait_

Room: Main hall

Paved roads are products.

## 11:00\u201311:45 Error Budgets in Practice — Ana Ribeiro

Budgets make the trade-off visible.

## Day 2

## Room B

## 10:15 Chaos Days — Tom Berg

We broke staging on purpose.

## Platform Office Hours — Grace Example

No time given for this one.
"""


def when(parsed) -> list[tuple[str, str | None, str | None, str]]:
    return [
        (s.title, s.day and s.day.isoformat(), s.starts_at and f"{s.starts_at:%H:%M}", s.room)
        for s in parsed.sessions
    ]


def test_times_days_and_rooms_come_from_the_markdown_conventions():
    assert when(parse_markdown(THREE_DAYS)) == [
        ("Paved Roads Without Potholes", "2026-03-10", "09:30", "Main hall"),
        ("Error Budgets in Practice", "2026-03-10", "11:00", ""),
        ("Chaos Days", "2026-03-11", "10:15", "Room B"),
        ("Platform Office Hours", "2026-03-11", None, "Room B"),
    ]


def test_the_time_is_not_part_of_the_title_nor_taken_for_a_speaker():
    parsed = parse_markdown(THREE_DAYS)
    assert [(s.title, s.speakers, s.kind) for s in parsed.sessions[:2]] == [
        ("Paved Roads Without Potholes", ["Mereana Tait"], "keynote"),
        ("Error Budgets in Practice", ["Ana Ribeiro"], "talk"),
    ]


def test_every_line_is_still_kept_and_nothing_is_unsure():
    parsed = Document("harbourconf.md", THREE_DAYS, MARKDOWN).parse()
    assert (parsed.kept_lines, parsed.unsure) == ((12, 12), [])


def test_the_json_gives_day_time_and_room_only_when_known():
    talks = to_json(parse_markdown(THREE_DAYS))["talks"]
    assert talks[1] == {
        "title": "Error Budgets in Practice",
        "speakers": ["Ana Ribeiro"],
        "kind": "talk",
        "day": "2026-03-10",
        "starts_at": "11:00",
    }
    assert "starts_at" not in talks[3]


def test_plain_text_with_weekday_sections_and_times():
    text = """HarbourConf 2026
10\u201311 March 2026

Tuesday

9:00 Keynote: Paved Roads Without Potholes — Mereana Tait

Paved roads are products.

Wednesday

2:30 pm Error Budgets in Practice — Ana Ribeiro

Budgets make the trade-off visible.
"""
    assert when(parse_text(text)) == [
        ("Paved Roads Without Potholes", "2026-03-10", "09:00", ""),
        ("Error Budgets in Practice", "2026-03-11", "14:30", ""),
    ]


def test_notes_titled_day_two_are_on_the_second_day():
    text = THREE_DAYS.replace("## Day 1\n", "").replace("## Day 2\n", "")
    text = text.replace("Notes from HarbourConf 2026", "HarbourConf 2026, day two")
    assert {s.day for s in parse_markdown(text).sessions} == {datetime.date(2026, 3, 11)}


def test_day_zero_counts_the_days_from_zero():
    text = THREE_DAYS.replace("## Day 1", "## Day 0").replace("## Day 2", "## Day 1")
    assert [s.day.isoformat() for s in parse_markdown(text).sessions] == [
        "2026-03-10",
        "2026-03-10",
        "2026-03-11",
        "2026-03-11",
    ]


def test_a_day_the_event_does_not_have_is_left_unset():
    text = THREE_DAYS.replace("## Day 2", "## Day 5")
    assert [s.day for s in parse_markdown(text).sessions][2:] == [None, None]


def test_a_weekday_that_is_not_clear_is_left_unset():
    # 2026-03-09 is a Monday; a nine-day event has two Tuesdays.
    nine_days = {"starts_on": datetime.date(2026, 3, 9), "ends_on": datetime.date(2026, 3, 17)}
    assert resolve_day(DayHint("weekday", 1), **nine_days) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("10:30 Title — Speaker", (datetime.time(10, 30), "Title — Speaker")),
        ("09:00\u201309:30 Opening", (datetime.time(9, 0), "Opening")),
        ("**14:05** | Lightning talks", (datetime.time(14, 5), "Lightning talks")),
        ("9am - Registration", (datetime.time(9, 0), "Registration")),
        ("12:15pm Lunch", (datetime.time(12, 15), "Lunch")),
        # Not clearly a time: left as the title.
        ("9am standups considered harmful", (None, "9am standups considered harmful")),
        ("1:1s with your manager", (None, "1:1s with your manager")),
        ("10.30 reasons to test", (None, "10.30 reasons to test")),
    ],
)
def test_split_time(line, expected):
    assert split_time(line) == expected


def test_saving_sets_day_time_and_room(attendee):
    save_parsed(parse_markdown(THREE_DAYS), author=attendee)
    chaos = Talk.objects.get(title="Chaos Days")
    assert (chaos.day, chaos.starts_at, chaos.room) == (
        datetime.date(2026, 3, 11),
        datetime.time(10, 15),
        "Room B",
    )


def test_importing_again_fills_a_missing_time_without_duplicating(attendee):
    without_times = THREE_DAYS.replace("## 10:15 Chaos Days", "## Chaos Days")
    save_parsed(parse_markdown(without_times), author=attendee)
    assert Talk.objects.get(title="Chaos Days").starts_at is None

    summary = save_parsed(parse_markdown(THREE_DAYS), author=attendee)

    assert Talk.objects.filter(title="Chaos Days").count() == 1
    assert Talk.objects.get(title="Chaos Days").starts_at == datetime.time(10, 15)
    assert (summary.created["talks"], summary.updated["talks"]) == (0, 1)


def test_importing_again_keeps_a_time_someone_set(attendee):
    save_parsed(parse_markdown(THREE_DAYS), author=attendee)
    Talk.objects.filter(title="Chaos Days").update(starts_at=datetime.time(16, 0))

    save_parsed(parse_markdown(THREE_DAYS), author=attendee)

    assert Talk.objects.get(title="Chaos Days").starts_at == datetime.time(16, 0)


def test_open_spaces_get_their_day_and_time_too(attendee):
    text = THREE_DAYS + "\n## 15:00 Open Space: Who owns the pager?\n\nTwelve people came.\n"
    save_parsed(parse_markdown(text), author=attendee)
    space = OpenSpace.objects.get()
    assert (space.topic, space.day, space.starts_at) == (
        "Who owns the pager?",
        datetime.date(2026, 3, 11),
        datetime.time(15, 0),
    )


def test_the_report_writes_times_and_rooms_that_import_back(attendee):
    save_parsed(parse_markdown(THREE_DAYS), author=attendee)
    event = Talk.objects.get(title="Chaos Days").event

    again = parse_markdown(event_report(event))

    assert [(s.title, s.starts_at, s.room) for s in again.sessions] == [
        ("Paved Roads Without Potholes", datetime.time(9, 30), "Main hall"),
        ("Error Budgets in Practice", datetime.time(11, 0), ""),
        ("Chaos Days", datetime.time(10, 15), "Room B"),
        ("Platform Office Hours", None, "Room B"),
    ]
