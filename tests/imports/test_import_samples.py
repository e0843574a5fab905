"""The importer on real write-ups by people outside the project (../shared/samples,
read in place; skipped when absent): nothing refused, every non-blank line kept,
fast, and a second import changes nothing."""

import time
from pathlib import Path

import pytest

from imports.importer import read_path, save_parsed
from imports.importer.keep import missing_lines
from imports.importer.read import MARKDOWN
from talks.models import Event, Note, Takeaway, Talk
from tests.factories import UserFactory
from tests.helpers import SAMPLES, needs_samples

pytestmark = [pytest.mark.django_db, needs_samples]


def sample_files() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    found = [*SAMPLES.glob("*.md"), *SAMPLES.glob("*.txt"), *SAMPLES.glob("real-world/*")]
    return sorted(p for p in found if p.name not in {"README.md", "SOURCES.md"})


def parsed_without_rescue(path: Path):
    """What the readers place by themselves, before lines they missed are rescued."""
    from imports.importer import parse_markdown, parse_text

    doc = read_path(path)
    parse = parse_markdown if doc.format == MARKDOWN else parse_text
    return doc, parse(doc.text, file_name=doc.name)


def test_there_are_samples_to_read():
    assert len(sample_files()) >= 14


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_non_blank_line_of_a_sample_lands_somewhere(path):
    doc, parsed = parsed_without_rescue(path)
    total, missing = missing_lines(doc.text, parsed)
    assert total > 0
    assert missing == []


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_no_sample_is_refused_and_each_has_a_dated_event(path):
    parsed = read_path(path).parse()
    assert parsed.name
    assert parsed.starts_on is not None
    assert parsed.kept_lines[0] == parsed.kept_lines[1]


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_reading_a_sample_takes_under_half_a_second(path):
    started = time.perf_counter()
    read_path(path).parse()
    assert time.perf_counter() - started < 0.5


def test_importing_every_sample_twice_changes_nothing_the_second_time():
    author = UserFactory()
    for path in sample_files():
        save_parsed(read_path(path).parse(), author=author)
    counts = (Event.objects.count(), Talk.objects.count(), Note.objects.count())
    takeaways = Takeaway.objects.count()

    again = [save_parsed(read_path(path).parse(), author=author) for path in sample_files()]

    assert (Event.objects.count(), Talk.objects.count(), Note.objects.count()) == counts
    assert Takeaway.objects.count() == takeaways
    assert [dict(s.created) for s in again] == [{}] * len(again)
    assert [dict(s.updated) for s in again] == [{}] * len(again)


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_sample_previews_and_imports_through_the_page(attendee_client, path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.imports.test_import_web import confirm_data

    upload = SimpleUploadedFile(path.name, path.read_bytes())
    preview = attendee_client.post("/import/", {"file": upload})
    assert preview.status_code == 200
    confirmed = attendee_client.post("/import/confirm/", confirm_data(preview))
    assert confirmed.status_code == 302
    assert Event.objects.count() == 1
