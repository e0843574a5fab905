"""Notes as people write them (issue 11): nothing refused for its shape, dates in any
common form, sessions and speakers in every common convention, doubts marked; and
the security promises of an import (issue 10): URLs through the model field's
validators, note bodies within the model's limit."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from imports.importer import ImportProblem, document, parse_markdown, parse_text, save_parsed
from imports.importer.builder import note_parts
from talks.models import Event, Note
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def md(text: str, name: str = "notes.md"):
    return document(text, name).parse()


def txt(text: str, name: str = "notes.txt"):
    return document(text, name).parse()


def sessions(parsed) -> list[tuple[str, str, list[str]]]:
    return [(s.kind, s.title, s.speakers) for s in parsed.sessions]


# --- Dates and the event -------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "expected", "unsure"),
    [
        ("date: 2021-05-06 09:15:00-0700", datetime.date(2021, 5, 6), True),
        ('date: "2021-05-06T09:15:00+02:00"', datetime.date(2021, 5, 6), True),
        ("date: 2021-05-06", datetime.date(2021, 5, 6), False),
    ],
)
def test_front_matter_dates_and_datetimes_are_read(front, expected, unsure):
    parsed = md(f"---\ntitle: Notes from Harbour Conf\n{front}\n---\n\nText.\n")
    assert (parsed.name, parsed.starts_on) == ("Harbour Conf", expected)
    assert bool(parsed.doubts_about("date")) is unsure


@pytest.mark.parametrize(
    ("line", "starts", "ends"),
    [
        ("Posted by Ann Example on March 3, 2022", "2022-03-03", "2022-03-03"),
        ("posted at 04-11-2022", "2022-11-04", "2022-11-04"),
        ("Lakeside, 23-25 March 2026", "2026-03-23", "2026-03-25"),
        ("14. Oktober 2025", "2025-10-14", "2025-10-14"),
    ],
)
def test_a_date_in_the_first_lines_is_read_in_any_common_form(line, starts, ends):
    parsed = txt(f"Harbour Conf notes\n\n{line}\n\nSome text.\n")
    assert (str(parsed.starts_on), str(parsed.ends_on)) == (starts, ends)


def test_a_year_alone_gives_that_year_marked_unsure():
    parsed = txt("Harbour Conf 2019: day one\n\nSome text.\n")
    assert (parsed.name, parsed.starts_on) == ("Harbour Conf", datetime.date(2019, 1, 1))
    assert [d.why for d in parsed.doubts_about("date")] == ["only the year is known"]


def test_a_jekyll_file_name_gives_the_date():
    parsed = md("Some text.\n", name="2016-06-01-harbour-conf.md")
    assert parsed.starts_on == datetime.date(2016, 6, 1)
    assert parsed.name == "Harbour Conf"


def test_no_date_anywhere_gives_today_marked_unsure_and_no_title_gives_the_file_name():
    parsed = txt(
        "I went to a conference last week and these are the things I remember best.\n",
        name="harbour-conf.txt",
    )
    assert (parsed.name, parsed.starts_on) == ("Harbour Conf", timezone.localdate())
    assert {d.what for d in parsed.unsure} == {"name", "date"}
    assert parsed.intro.startswith("I went to a conference")


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Takeaways from Harbour Conf", "Harbour Conf"),
        ("A recap of Harbour Conf 2024", "Harbour Conf"),
        ("Harbour Conf 2024 in a nutshell", "Harbour Conf"),
        ("My notes about Harbour Conf 2024 Lakeside talks", "Harbour Conf Lakeside"),
    ],
)
def test_event_names_lose_what_is_not_the_name(title, name):
    assert md(f"# {title}\n\nDate: 2024-05-02\n\nText.\n").name == name


def test_a_date_line_with_a_year_does_not_repeat_it_in_the_name():
    parsed = txt("Harbour Conf Europe 2026\nLakeside, 23-25 March 2026\n\nText.\n")
    assert parsed.name == "Harbour Conf Europe"
    event = Event.objects.create(
        name=parsed.name, starts_on=parsed.starts_on, ends_on=parsed.ends_on
    )
    assert not event.slug.endswith("-2026-2026")


def test_broken_front_matter_is_read_line_by_line():
    parsed = md("---\ntitle: Notes from Harbour Conf\ntags: [a, b\ndate: 2026-01-05\n---\n")
    assert (parsed.name, parsed.starts_on) == ("Harbour Conf", datetime.date(2026, 1, 5))


def test_date_on_the_command_line_overrides_the_file(tmp_path, attendee):
    path = tmp_path / "notes.txt"
    path.write_text("Harbour Conf notes\n\nText.\n")
    out, err = StringIO(), StringIO()
    call_command(
        "import_notes", str(path), "--author", "bob", "--dry-run", "--json",
        "--date", "23-25 March 2026", stdout=out, stderr=err,
    )  # fmt: skip
    found = json.loads(out.getvalue())
    assert (found["event"]["starts_on"], found["event"]["ends_on"]) == ("2026-03-23", "2026-03-25")
    assert [d["what"] for d in found["unsure"]] == []


def test_the_command_reports_its_doubts_on_stderr(tmp_path, attendee):
    path = tmp_path / "notes.txt"
    path.write_text("Harbour Conf notes\n\nText.\n")
    err = StringIO()
    call_command(
        "import_notes", str(path), "--author", "bob", "--dry-run", stderr=err, stdout=StringIO()
    )
    assert "unsure: date" in err.getvalue()


# --- Sessions and speakers ----------------------------------------------------------


def test_which_side_of_a_dash_is_the_person_is_read_from_the_names():
    parsed = txt(
        "Harbour Conf 2024\n\n"
        "Maria Lopez - Queues Are Not Databases\n\nText one.\n\n"
        "Observability on a Budget \u2014 Tom Becker\n\nText two.\n\n"
        "Sven Olsen - Acme Corp - Shipping Small Changes\n\nText three.\n"
    )
    assert sessions(parsed) == [
        ("talk", "Queues Are Not Databases", ["Maria Lopez"]),
        ("talk", "Observability on a Budget", ["Tom Becker"]),
        ("talk", "Shipping Small Changes", ["Sven Olsen"]),
    ]


def test_by_with_and_kinds_in_a_list_of_talks():
    parsed = txt(
        "Harbour Conf 2024\n\nMy notes:\n"
        "  \u2022 Day 1:\n"
        "    \u2022 Ten years of pipelines, a keynote by Laura Weber.\n"
        "      She looked back.\n"
        "    \u2022 Tracing for everyone by Pablo Ruiz.\n"
        "    \u2022 Caching without tears with Nina Kowalski\n"
    )
    assert sessions(parsed) == [
        ("keynote", "Ten years of pipelines", ["Laura Weber"]),
        ("talk", "Tracing for everyone", ["Pablo Ruiz"]),
        ("talk", "Caching without tears", ["Nina Kowalski"]),
    ]
    assert "She looked back." in parsed.sessions[0].body


def test_lettered_headings_with_speaker_bullets_are_sessions_and_siblings_follow():
    parsed = md(
        "# Harbour Conf 2024\n\n## Day 1\n\n"
        "### A. Keynote - Slow Software\n\n* speaker: Ingrid Holm\n* a point\n\n"
        "### B. Tools plenary\n\n* many tools\n\n"
        "### C. Rust in the Data Stack\n\n* speakers: Omar Farouk, Julia Meyer\n\n"
        "## Things to Google\n\n* a library\n"
    )
    assert sessions(parsed) == [
        ("keynote", "Slow Software", ["Ingrid Holm"]),
        ("talk", "Tools plenary", []),
        ("talk", "Rust in the Data Stack", ["Omar Farouk", "Julia Meyer"]),
    ]
    assert [d.text for d in parsed.doubts_about("session")] == ["Tools plenary"]
    assert "## Things to Google" in parsed.intro


def test_same_title_on_two_days_stays_two_sessions():
    parsed = md(
        "# Harbour Conf 2024\n\n## Day 1\n\n### Lightning talks\n\n* one\n\n"
        "### Deploy Fridays \u2014 Carla Diaz\n\nText.\n\n"
        "## Day 2\n\n### Lightning talks\n\n* two\n"
    )
    assert [s.title for s in parsed.sessions] == [
        "Lightning talks",
        "Deploy Fridays",
        "Lightning talks (Day 2)",
    ]
    assert "## Day 2" in parsed.intro


def test_a_company_is_not_a_speaker_and_page_chrome_is_not_a_session():
    parsed = txt(
        "back to the blog\n\nHarbour Conf 2024\n\n"
        "Scaling Teams with Peter Novak\n\nWe spent time in Acme Cloud IT talking.\n\n"
        "Watch the talk on YouTube\n\nMore text.\n"
    )
    assert sessions(parsed) == [("talk", "Scaling Teams", ["Peter Novak"])]
    assert "Watch the talk on YouTube" in parsed.sessions[0].body


def test_a_title_followed_directly_by_its_text_with_inline_markers():
    parsed = txt(
        "Harbour Conf 2024\n\n"
        "Paved Roads \u2014 Lena Fischer\n"
        "Lena showed how a paved road is built.\n"
        "Takeaway: Make the easy way the right way.\n"
        "Action point: Write our first golden path.\n"
    )
    assert sessions(parsed) == [("talk", "Paved Roads", ["Lena Fischer"])]
    assert [(t.source, t.text) for t in parsed.takeaways] == [
        ("Paved Roads", "Make the easy way the right way.")
    ]
    assert [(a.source, a.title) for a in parsed.action_points] == [
        ("Paved Roads", "Write our first golden path")
    ]


def test_takeaway_and_action_lists_announced_by_a_line():
    parsed = md(
        "# Harbour Conf 2024\n\nMy two main takeaways:\n\n1) Small is fast\n\n2) Tests are docs\n\n"
        "## Action items\n\n- Try trunk-based development\n- Delete a dashboard\n"
    )
    assert [t.text for t in parsed.takeaways] == ["Small is fast", "Tests are docs"]
    assert [a.title for a in parsed.action_points] == [
        "Try trunk-based development",
        "Delete a dashboard",
    ]


def test_a_heading_without_evidence_stays_a_section_with_its_text():
    parsed = md(
        "# Harbour Conf 2024\n\n## Pre-show\n\nWe stuffed bags.\n\n## Conclusion\n\nGood.\n"
    )
    assert parsed.sessions == []
    assert "## Pre-show\n\nWe stuffed bags." in parsed.intro


def test_a_sentence_is_never_a_title():
    parsed = txt(
        "With the tracks coming to a close on the first day, I wanted to share what I learned.\n\n"
        "Text.\n",
        name="harbour-conf-2024.txt",
    )
    assert parsed.name == "Harbour Conf"
    assert parsed.title == ""


# --- Security (issue 10) ------------------------------------------------------------


def test_a_website_the_field_refuses_names_the_file_and_line(tmp_path, attendee):
    path = tmp_path / "notes.md"
    path.write_text(
        "---\nevent: Harbour Conf\ndate: 2026-01-05\nwebsite: javascript:alert(1)\n---\n"
    )
    with pytest.raises(CommandError) as error:
        call_command("import_notes", str(path), "--author", "bob", stdout=StringIO())
    assert str(error.value).startswith(f"{path}, line 4: website: “javascript:alert(1)”")
    assert Event.objects.count() == 0


def test_the_website_goes_through_the_fields_own_validators(monkeypatch):
    field = Event._meta.get_field("website")

    def only_https(value):
        from django.core.exceptions import ValidationError

        if not value.startswith("https://"):
            raise ValidationError("Only https addresses.")

    monkeypatch.setattr(field, "validators", [*field.validators, only_https])
    with pytest.raises(ImportProblem, match=r"line 4: website: .*Only https addresses"):
        parse_markdown("---\nevent: Conf\ndate: 2026-01-05\nwebsite: http://example.org/\n---\n")


def test_a_note_over_the_models_limit_is_saved_in_parts_and_marked(monkeypatch):
    monkeypatch.setattr(Note._meta.get_field("body"), "max_length", 60)
    paragraphs = [f"Paragraph {n} says something worth keeping." for n in range(4)]
    text = "October 31, 2019\nHarbour Conf notes\n\nDeploys \u2014 Ann Example\n\n" + "\n\n".join(
        paragraphs
    )
    parsed = parse_text(text)

    assert [(d.what, d.text, d.line) for d in parsed.doubts_about("note")] == [
        ("note", "Deploys", 4)
    ]
    author = UserFactory()
    save_parsed(parsed, author=author)
    notes = Note.objects.filter(talk__title="Deploys").order_by("pk")
    assert [(note.title, note.body) for note in notes] == [
        ("", paragraphs[0]),
        ("Notes (part 2 of 4)", paragraphs[1]),
        ("Notes (part 3 of 4)", paragraphs[2]),
        ("Notes (part 4 of 4)", paragraphs[3]),
    ]
    assert save_parsed(parse_text(text), author=author).created["notes"] == 0


def test_note_parts_keep_every_word_in_order_within_the_limit():
    body = "Intro line.\n\n" + "word " * 40 + "\nsecond line\n\n## Heading\n\nEnd."
    parts = note_parts(body, 50)

    assert all(len(part) <= 50 for part in parts)
    assert " ".join(parts).split() == body.split()


def test_a_note_too_long_even_for_parts_is_refused_naming_the_session_and_line(monkeypatch):
    monkeypatch.setattr(Note._meta.get_field("body"), "max_length", 50)
    text = "October 31, 2019\nHarbour Conf notes\n\nDeploys \u2014 Ann Example\n\n" + "word " * 200
    with pytest.raises(ImportProblem) as error:
        parse_text(text)
    assert str(error.value) == (
        "line 4: the note on “Deploys” is 999 characters; a note is at most 50, and notes "
        "longer than 500 characters are not split: split the file."
    )


def test_a_huge_note_is_refused_at_the_preview_not_a_500(attendee_client):
    body = "word " * 260_000  # 1.3 MB: more than the search index takes
    response = attendee_client.post(
        "/import/", {"text": f"# Harbour Conf 2024\n\n## Deploys \u2014 Ann Example\n\n{body}"}
    )
    assert response.status_code == 400
    assert "line 3: the note on “Deploys” is 1,299,999 characters" in str(
        response.context["form"].errors
    )
    assert Note.objects.count() == 0


def test_demo_notes_still_read_cleanly():
    demo = Path(__file__).resolve().parents[2] / "demo" / "notes"
    for path in demo.iterdir():
        parsed = document(path.read_bytes(), path.name).parse()
        assert parsed.unsure == [] or {d.what for d in parsed.unsure} <= {"session"}
        assert parsed.kept_lines[0] == parsed.kept_lines[1]


@pytest.mark.parametrize("heading", ["", "## "])
def test_titles_above_the_same_page_furniture_are_sessions_marked_unsure(heading):
    text = (
        "Harbour Conf 2024 recap\n\nWhat I saw.\n\n"
        f"{heading}How We Scaled Our Queues\nWatch the talk on YouTube\n\nText one.\n\n"
        f"{heading}Another Look at Testing\n\nWatch the talk on YouTube\n\nText two.\n\n"
        f"{heading}Final thoughts\n\nIt was good.\n"
    )
    parsed = md(f"# {text}") if heading else txt(text)
    assert [s.title for s in parsed.sessions] == [
        "How We Scaled Our Queues",
        "Another Look at Testing",
    ]
    assert parsed.sessions[1].body.endswith("Text two.")
    assert "It was good." in parsed.intro


def test_lines_that_look_like_action_points_but_stay_text_are_listed():
    parsed = txt(
        "Harbour Conf 2024\nMarch 3, 2024\n\nTODO look at the new tracing library.\n\n"
        "We talked about pagers.\n"
    )
    assert [(d.what, d.text) for d in parsed.unsure] == [
        ("text", "TODO look at the new tracing library.")
    ]


def test_headings_whose_text_speaks_of_a_talk_are_sessions_marked_unsure():
    parsed = md(
        "---\ntitle: Harbour Conf 2023\ndate: 2023-06-01\n---\n\nIntro.\n\n"
        "## Queues Everywhere\n\nThis talk argued that every system is a queue.\n\n"
        "## Observability on a Budget\n\nThe speaker showed cheap dashboards.\n\n"
        "## Final thoughts\n\nGood conference.\n"
    )
    assert [s.title for s in parsed.sessions] == ["Queues Everywhere", "Observability on a Budget"]
    assert [d.text for d in parsed.doubts_about("session")] == [
        "Queues Everywhere",
        "Observability on a Budget",
    ]
    assert "## Final thoughts\n\nGood conference." in parsed.intro


def test_text_titles_over_text_about_a_talk_are_sessions_marked_unsure():
    parsed = txt(
        "Harbour Conf 2024\nMarch 3, 2024\n\nQueues Everywhere\n\n"
        "In this talk we heard that every system is a queue.\n\n"
        "Lunch\n\nGood food.\n"
    )
    assert [s.title for s in parsed.sessions] == ["Queues Everywhere"]
    assert [d.text for d in parsed.doubts_about("session")] == ["Queues Everywhere"]


def test_bold_lines_reading_as_title_and_speaker_are_sessions():
    parsed = md(
        "# Harbour Conf 2024\n\n**Queues Everywhere \u2014 Ann Example**\n\nText.\n\n"
        "**Important:** read this.\n\n**Slow Is Smooth \u2014 Bo Lindgren**\n\nMore.\n"
    )
    assert sessions(parsed) == [
        ("talk", "Queues Everywhere", ["Ann Example"]),
        ("talk", "Slow Is Smooth", ["Bo Lindgren"]),
    ]
    assert "**Important:** read this." in parsed.sessions[0].body


def test_todo_lines_and_things_to_try_are_action_points():
    text_notes = txt("Harbour Conf 2024\nMarch 3, 2024\n\nTODO: Try the new queue library.\n")
    assert [a.title for a in text_notes.action_points] == ["Try the new queue library"]
    assert text_notes.kept_lines == (3, 3)
    assert text_notes.intro == "> **TODO:** Try the new queue library."
    markdown = md(
        "# Harbour Conf 2024\n\n## Things to try\n\n- Pair on-call\n- Delete a dashboard\n"
    )
    assert [a.title for a in markdown.action_points] == ["Pair on-call", "Delete a dashboard"]


def test_speaker_colon_title_and_a_speaker_line_under_a_heading_wins():
    parsed = md(
        "# Harbour Conf 2024\n\n## Ann Example: Queues Everywhere\n\nText.\n\n"
        "## Marco\u2019s Pipeline: Lessons From Scale\n\n* speaker: Bo Lindgren\n"
    )
    assert sessions(parsed) == [
        ("talk", "Queues Everywhere", ["Ann Example"]),
        ("talk", "Marco\u2019s Pipeline: Lessons From Scale", ["Bo Lindgren"]),
    ]


def test_speaker_lines_in_each_common_form_and_breaks_are_not_sessions():
    parsed = md(
        "# Harbour Conf 2024\n\n## Queues Everywhere\n**Speaker:** Ann Example\n\nText.\n\n"
        "## Slow Is Smooth\n*Bo Lindgren*\n\nText.\n\n"
        "## 3) Caching Without Tears\nPresented by Nina Kowalski and Pablo Ruiz\n\nText.\n\n"
        "## Lunch\n\nFood.\n"
    )
    assert sessions(parsed) == [
        ("talk", "Queues Everywhere", ["Ann Example"]),
        ("talk", "Slow Is Smooth", ["Bo Lindgren"]),
        ("talk", "Caching Without Tears", ["Nina Kowalski", "Pablo Ruiz"]),
    ]
    text = txt(
        "Harbour Conf 2024\nJune 4, 2024\n\nQueues Everywhere\nSpeaker: Ann Example\n\nText.\n"
    )
    assert sessions(text) == [("talk", "Queues Everywhere", ["Ann Example"])]
    assert text.unsure == []


def test_a_reading_list_names_authors_not_speakers():
    parsed = md(
        "# Harbour Conf 2024\n\n## Books to read\n\n"
        "* Thinking in Queues by Ann Example\n* Slow Software by Bo Lindgren\n"
    )
    assert parsed.sessions == []
    text = txt(
        "Harbour Conf 2024\nJune 4, 2024\n\nBooks mentioned:\n"
        "  \u2022 Thinking in Queues by Ann Example\n  \u2022 Slow Software by Bo Lindgren\n"
    )
    assert text.sessions == []


def test_the_preview_lists_its_doubts_and_marks_the_unsure_session(attendee_client):
    response = attendee_client.post(
        "/import/",
        {
            "text": "# Harbour Conf 2024\n\n### A. Slow Software\n\n* speaker: Ingrid Holm\n\n"
            "### B. Hallway demos\n\n* many demos\n"
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please check (2)" in page
    assert "only the year is known" in page
    assert page.count('<span class="badge unsure">unsure</span>') == 1


def test_a_name_then_a_company_after_a_comma_is_one_speaker_and_the_company_is_kept():
    parsed = txt(
        "Harbour Conf Europe 2026\nLakeside, 23-25 March 2026\n\n"
        "Queues Everywhere \u2014 Ann Example, Acme Cloud\n"
        "Text about queues.\n"
    )
    assert sessions(parsed) == [("talk", "Queues Everywhere", ["Ann Example"])]
    assert parsed.sessions[0].body.startswith("Queues Everywhere \u2014 Ann Example, Acme Cloud")
    assert parsed.kept_lines == (4, 4)


def test_lines_that_read_like_action_points_are_offered_unticked(attendee_client):
    from actions.models import ActionPoint
    from tests.imports.test_import_web import confirm_data

    response = attendee_client.post(
        "/import/",
        {"text": "Harbour Conf 2024\nMarch 3, 2024\n\nTODO look at the new tracing library.\n"},
    )
    assert response.context["preview"].promote.fields["lines"].choices == [
        ("0", "TODO look at the new tracing library. (an action point)")
    ]
    assert 'name="promote-lines" value="0"' in response.content.decode()
    assert "checked" not in response.content.decode().split('value="0"')[1][:40]

    ticked = attendee_client.post(
        "/import/confirm/", {**confirm_data(response), "promote-lines": ["0"]}
    )
    assert ticked.status_code == 302
    assert list(ActionPoint.objects.values_list("title", flat=True)) == [
        "TODO look at the new tracing library"
    ]
