"""The writing page's preview, live (the script's endpoint) and from the Preview button:
the note, and the takeaways and action points saving would create as they would be
saved, with the errors and warnings the save would give. It saves nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import formats, timezone
from taggit.models import Tag

from actions.models import ActionPoint
from talks.models import Note, Takeaway
from tests.factories import NoteFactory, TalkFactory
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("notes:preview")


def rows(prefix: str, filled: list[dict], blank: int = 1) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(filled) + blank), f"{prefix}-INITIAL_FORMS": "0"}
    for number, row in enumerate(filled):
        data.update({f"{prefix}-{number}-{name}": value for name, value in row.items()})
    return data


def page_data(body="Testers *pair* with developers.", *, takeaways=(), action_points=(), **extra):
    return {
        "title": "Lean QA",
        "body": body,
        "status": "published",
        **rows("takeaways", list(takeaways)),
        **rows("actions", list(action_points)),
        **extra,
    }


def new_note_url(talk) -> str:
    return reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])


def saved_counts() -> tuple[int, int, int]:
    return Note.objects.count(), Takeaway.objects.count(), ActionPoint.objects.count()


def test_live_preview_shows_takeaways_and_action_points_as_they_will_be_saved(attendee_client):
    Tag.objects.create(name="Testing", slug="testing")
    due = days_from_today(10)
    response = attendee_client.post(
        PREVIEW_URL,
        page_data(
            takeaways=[{"text": "Make testing everyone's job.", "tags": "testing, culture"}],
            action_points=[
                {
                    "title": "Pair a tester with each team",
                    "details": "Start with *one* team.",
                    "due_on": due.isoformat(),
                    "tags": "TESTING",
                }
            ],
        ),
    )
    preview = response.context["preview"]
    assert response.status_code == 200
    assert (preview.title, preview.published, preview.body_html) == (
        "Lean QA",
        True,
        "<p>Testers <em>pair</em> with developers.</p>",
    )
    # Tags as saving spells them: matched to the existing "Testing" whatever the case.
    assert [(t.text, t.tags) for t in preview.takeaways] == [
        ("Make testing everyone's job.", ["culture", "Testing"])
    ]
    assert [
        (row.point.title, row.point.due_on, row.point.tags, row.details_html)
        for row in preview.action_points
    ] == [
        ("Pair a tester with each team", due, ["Testing"], "<p>Start with <em>one</em> team.</p>")
    ]
    assert (preview.errors, preview.warnings) == ([], [])
    assert preview.summary == (
        "Preview updated: saving creates the note, 1 takeaway and 1 action point."
    )
    html = response.content.decode()
    assert f'Open · unassigned until staff assign it · due <time datetime="{due:%Y-%m-%d}">' in html
    assert formats.date_format(due) in html
    assert saved_counts() == (0, 0, 0)


def test_preview_tags_are_the_tags_the_save_gives(attendee_client):
    Tag.objects.create(name="Testing", slug="testing")
    data = page_data(takeaways=[{"text": "Pair up.", "tags": "TESTING, culture, Culture"}])
    preview = attendee_client.post(PREVIEW_URL, data).context["preview"]
    attendee_client.post(new_note_url(TalkFactory()), data)
    saved = Takeaway.objects.get()
    assert preview.takeaways[0].tags == ["Culture", "Testing"]
    assert sorted(saved.tags.values_list("name", flat=True)) == preview.takeaways[0].tags


def test_live_preview_gives_the_warning_the_save_gives_for_a_past_due_date(attendee_client):
    talk = TalkFactory()
    point = {"title": "Book the room", "due_on": days_from_today(-3).isoformat()}
    previewed = attendee_client.post(PREVIEW_URL, page_data(action_points=[point]))
    saved = attendee_client.post(new_note_url(talk), page_data(action_points=[point]))

    warnings = [str(m) for m in get_messages(saved.wsgi_request) if m.level_tag == "warning"]
    assert previewed.context["preview"].warnings == warnings
    assert len(warnings) == 1
    assert warnings[0] in previewed.content.decode()


def test_live_preview_lists_the_errors_that_would_stop_the_save(attendee_client):
    response = attendee_client.post(
        PREVIEW_URL,
        page_data(
            body="\u200b",
            takeaways=[{"text": "", "tags": "culture"}],
            action_points=[{"title": "Book the room", "due_on": "someday"}],
        ),
    )
    preview = response.context["preview"]
    assert preview.errors == [
        "Body: A note needs some text.",
        "Takeaway 1: A takeaway needs some text.",
        "Action point 1, Due date: Enter a valid date.",
    ]
    assert (preview.takeaways, preview.action_points) == ([], [])
    assert preview.summary == "Preview updated: 3 problems to correct before saving."
    assert "Saving now would not work:" in response.content.decode()
    assert saved_counts() == (0, 0, 0)


def test_live_preview_without_the_rights_to_add_rows_shows_none(client, attendee):
    """Someone who may write notes but not takeaways or action points sees neither, as
    the page and the save ignore them."""
    attendee.user_permissions.clear()
    attendee.groups.clear()
    attendee.user_permissions.add(Permission.objects.get(codename="add_note"))
    client.force_login(attendee)
    response = client.post(
        PREVIEW_URL, page_data(takeaways=[{"text": "Not mine to add.", "tags": ""}])
    )
    preview = response.context["preview"]
    assert (preview.takeaways, preview.errors) == ([], [])


def test_preview_button_shows_takeaways_action_points_and_warnings_too(attendee_client):
    talk = TalkFactory()
    due = days_from_today(-1)
    response = attendee_client.post(
        new_note_url(talk),
        page_data(
            takeaways=[{"text": "Make testing everyone's job.", "tags": "testing"}],
            action_points=[{"title": "Book the room", "due_on": due.isoformat()}],
            preview="1",
        ),
    )
    html = response.content.decode()
    preview = response.context["preview"]
    assert [t.text for t in preview.takeaways] == ["Make testing everyone's job."]
    assert [row.point.title for row in preview.action_points] == ["Book the room"]
    assert preview.warnings == [
        f"“Book the room”: The due date {formats.date_format(due)} is in the past, "
        "so it shows as overdue."
    ]
    assert "<h3>1 takeaway</h3>" in html
    assert "<h3>1 action point</h3>" in html
    assert 'id="note-preview" aria-labelledby="note-preview-heading" tabindex="0">' in html
    assert saved_counts() == (0, 0, 0)


def test_writing_page_without_a_preview_keeps_the_preview_box_hidden(attendee_client):
    talk = TalkFactory()
    response = attendee_client.get(new_note_url(talk))
    assert response.context["preview"] is None
    assert 'tabindex="0" hidden>' in response.content.decode()


def test_edit_page_names_the_saved_version_its_autosaved_text_belongs_to(attendee_client, attendee):
    note = NoteFactory(author=attendee)
    html = attendee_client.get(reverse("notes:edit", args=[note.pk])).content.decode()
    assert f'data-draft-key="{attendee.pk}:/notes/{note.pk}/edit/"' in html
    assert f'data-saved-version="{timezone.localtime(note.updated_at).isoformat()}"' in html
