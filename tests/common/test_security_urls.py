"""Stored links are http(s) only: one validator on every URL field refuses the rest on
every way in (model, admin, forms, import), and pages drop whatever got past it."""

import importlib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.core.validators import URLValidator
from django.db import connection, models

from common.links import MESSAGE, validate_http_url
from common.templatetags.links import http_url
from talks.models import Event, Talk
from tests.factories import EventFactory, TalkFactory

pytestmark = pytest.mark.django_db

URL_FIELDS = [(Event, "website"), (Talk, "slides_url"), (Talk, "video_url")]

REFUSED = [
    "javascript:fetch('/follow-ups/export.csv?scope=all')",
    "JaVaScRiPt:alert(1)",
    "javascript://example.com/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "//evil.example.com/steal",
    "/follow-ups/export.csv",
    "ftp://files.example.com/slides.pdf",
    "https:evil.example.com",
    "https:///evil.example.com",
    " https://example.com/",
    "https://example.com/\n",
    "https://example.com/\u2028",
    "https://example.com/ a",
    "https://",
]

ACCEPTED = [
    "https://devopsdays.org/events/2026-oslo/",
    "http://example.com/slides.pdf?page=2#top",
    "HTTPS://EXAMPLE.COM/Talk",
    "http://localhost:8000/slides",
]


# --- The one validator ---------------------------------------------------------------


@pytest.mark.parametrize("value", REFUSED)
def test_the_validator_refuses_anything_but_http_and_https(value):
    with pytest.raises(ValidationError) as refused:
        validate_http_url(value)
    assert refused.value.messages == [MESSAGE]


@pytest.mark.parametrize("value", ACCEPTED)
def test_the_validator_accepts_http_and_https_in_any_case(value):
    validate_http_url(value)


def test_every_url_field_of_every_project_model_uses_the_validator():
    ours = Path(settings.BASE_DIR)
    found = [
        field
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ours) and ".venv" not in Path(config.path).parts
        for model in config.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.URLField)
    ]
    assert sorted(f"{field.model.__name__}.{field.name}" for field in found) == [
        "Event.website",
        "Talk.slides_url",
        "Talk.video_url",
    ]
    for field in found:
        url_checks = [check for check in field.validators if isinstance(check, URLValidator)]
        assert url_checks == [validate_http_url], field


@pytest.mark.parametrize(("model", "name"), URL_FIELDS)
@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//x.example"]
)
def test_full_clean_refuses_a_script_link_on_every_url_field(model, name, value):
    talk = TalkFactory.build(event=EventFactory())
    row = talk.event if model is Event else talk
    setattr(row, name, value)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {name: [MESSAGE]}


# --- Forms and the admin ---------------------------------------------------------------


def test_the_talk_form_refuses_a_javascript_slides_link(staff_client):
    event = EventFactory()
    response = staff_client.post(
        f"/events/{event.slug}/talks/new/",
        {"title": "Lean QA", "kind": "talk", "slides_url": "JavaScript:alert(1)"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["slides_url"] == [MESSAGE]
    assert list(Talk.objects.all()) == []


def test_the_talk_form_refuses_an_ftp_video_link(staff_client):
    event = EventFactory()
    response = staff_client.post(
        f"/events/{event.slug}/talks/new/",
        {"title": "Lean QA", "kind": "talk", "video_url": "ftp://files.example.com/talk.mp4"},
    )
    assert response.context["form"].errors["video_url"] == [MESSAGE]


def test_the_admin_refuses_a_data_video_link(staff_client):
    event = EventFactory()
    response = staff_client.post(
        "/admin/talks/talk/add/",
        {
            "event": event.pk,
            "title": "Lean QA",
            "slug": "lean-qa",
            "kind": "talk",
            "video_url": "data:text/html,<script>alert(1)</script>",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["video_url"] == [MESSAGE]
    assert list(Talk.objects.all()) == []


def test_the_admin_does_not_link_a_stored_ftp_address(staff_client):
    talk = TalkFactory()
    Talk.objects.filter(pk=talk.pk).update(slides_url="ftp://files.example.com/slides.pdf")
    response = staff_client.get(f"/admin/talks/talk/{talk.pk}/change/")
    assert response.status_code == 200
    assert 'href="ftp:' not in response.content.decode()


# --- Pages drop what got past the validator ------------------------------------------------


def store_raw(table: str, pk: int, column: str, value: str) -> None:
    """Write ``value`` as a row from before the rule would have it, bypassing validation."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def hrefs(response) -> list[str]:
    return re.findall(r'href="([^"]*)"', response.content.decode())


@pytest.mark.parametrize("value", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:,x"])
def test_event_page_does_not_link_a_stored_script_website(attendee_client, value):
    event = EventFactory()
    store_raw("talks_event", event.pk, "website", value)
    response = attendee_client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert [href for href in hrefs(response) if ":" in href] == []
    assert ">website</a>" not in response.content.decode()


def test_event_page_links_an_https_website(attendee_client):
    event = EventFactory(website="https://devopsdays.org/events/2026-oslo/")
    response = attendee_client.get(event.get_absolute_url())
    assert [href for href in hrefs(response) if ":" in href] == [
        "https://devopsdays.org/events/2026-oslo/"
    ]


def test_talk_page_links_only_the_http_links(attendee_client):
    talk = TalkFactory(slides_url="https://slides.example.com/lean-qa")
    store_raw("talks_talk", talk.pk, "video_url", "javascript:alert(1)")
    response = attendee_client.get(talk.get_absolute_url())
    assert [href for href in hrefs(response) if ":" in href] == [
        "https://slides.example.com/lean-qa"
    ]


@pytest.mark.parametrize("value", [*REFUSED[:12], None, 42])
def test_the_filter_drops_what_is_not_http(value):
    assert http_url(value) == ""


@pytest.mark.parametrize("value", ACCEPTED)
def test_the_filter_keeps_http_links(value):
    assert http_url(value) == value


# --- Rows stored before the rule -------------------------------------------------------------


def test_the_data_migration_blanks_stored_links_that_are_not_http(capsys):
    kept = EventFactory(website="https://example.com/")
    bad = EventFactory()
    intranet = EventFactory()
    store_raw("talks_event", intranet.pk, "website", "http://intranet/slides")
    talk = TalkFactory(event=kept, slides_url="https://slides.example.com/")
    store_raw("talks_event", bad.pk, "website", "javascript:alert(1)")
    store_raw("talks_talk", talk.pk, "video_url", "data:text/html,x")
    migration = importlib.import_module("talks.migrations.0008_blank_unsafe_urls")

    migration.blank_unsafe_links(apps, None)

    assert list(Event.objects.order_by("pk").values_list("website", flat=True)) == [
        "https://example.com/",
        "",
        "http://intranet/slides",
    ]
    assert list(Talk.objects.values_list("slides_url", "video_url")) == [
        ("https://slides.example.com/", "")
    ]
    assert capsys.readouterr().out.split("\n  ")[1:] == [
        f"Blanked Event {bad.pk} website: 'javascript:alert(1)'",
        f"Blanked Talk {talk.pk} video_url: 'data:text/html,x'",
    ]


# --- The importer ------------------------------------------------------------------------------

NOTES = """---
title: "My notes from Harbourside Summit"
date: 2026-03-12
website: "{website}"
---

## Paved Roads: _Mereana Tait_

Paved roads beat gates.
"""
WEBSITE_LINE = 4


def notes_file(tmp_path, website: str):
    path = tmp_path / "harbourside.md"
    path.write_text(NOTES.format(website=website))
    return path


def import_notes(*args) -> str:
    out = StringIO()
    call_command("import_notes", *map(str, args), stdout=out)
    return out.getvalue()


IMPORTED = [
    "javascript:fetch('/follow-ups/export.csv?scope=all')",
    "JAVASCRIPT:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example.com/",
]


@pytest.mark.parametrize("website", IMPORTED)
def test_import_dry_run_names_the_file_and_line_of_a_script_website(tmp_path, attendee, website):
    path = notes_file(tmp_path, website)
    with pytest.raises(CommandError) as refused:
        import_notes(path, "--author", "bob", "--dry-run")
    assert str(refused.value).startswith(f"{path}, line {WEBSITE_LINE}: website: ")
    assert "http" in str(refused.value)


def test_import_refuses_a_script_website_and_writes_nothing(tmp_path, attendee):
    path = notes_file(tmp_path, "javascript:alert(1)")
    with pytest.raises(CommandError) as refused:
        import_notes(path, "--author", "bob")
    assert str(refused.value).startswith(f"{path}, line {WEBSITE_LINE}: website: ")
    assert list(Event.objects.all()) == []


def test_import_page_refuses_pasted_notes_with_a_script_website(attendee_client):
    notes = NOTES.format(website="javascript:alert(1)")
    response = attendee_client.post("/import/", {"text": notes, "format": "detect"})
    assert response.status_code == 400
    errors = response.context["form"].errors["text"]
    assert len(errors) == 1
    assert errors[0].startswith(f"pasted text, line {WEBSITE_LINE}: ")
    assert list(Event.objects.all()) == []


def test_an_imported_script_website_is_never_linked(tmp_path, attendee, attendee_client):
    """Whether or not the importer refuses it, no page links it."""
    path = notes_file(tmp_path, "javascript:alert(1)")
    try:
        import_notes(path, "--author", "bob")
    except CommandError:
        assert list(Event.objects.all()) == []
        return
    event = Event.objects.get()
    response = attendee_client.get(event.get_absolute_url())
    assert [href for href in hrefs(response) if "javascript" in href.lower()] == []
