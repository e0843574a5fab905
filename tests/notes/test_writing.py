"""Writing a note with takeaways and action points, editing and deleting it."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange
from talks.models import Note, Takeaway
from tests.factories import (
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries, days_from_today

pytestmark = pytest.mark.django_db


def rows(prefix: str, filled: list[dict], blank: int = 3) -> dict:
    """POST data for a formset: the filled rows, then ``blank`` empty ones."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(filled) + blank),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(filled):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    for i in range(len(filled), len(filled) + blank):
        data.update({f"{prefix}-{i}-text": "", f"{prefix}-{i}-title": "", f"{prefix}-{i}-tags": ""})
    return data


def page_data(
    body="Observability is a **team** sport.",
    *,
    title="",
    status="published",
    takeaways=(),
    action_points=(),
    **extra,
) -> dict:
    return {
        "title": title,
        "body": body,
        "status": status,
        **rows("takeaways", list(takeaways)),
        **rows("actions", list(action_points)),
        **extra,
    }


def counts() -> dict[str, int]:
    return {
        "notes": Note.objects.count(),
        "takeaways": Takeaway.objects.count(),
        "action points": ActionPoint.objects.count(),
        "history": ActionPointChange.objects.count(),
        "tags": Tag.objects.count(),
    }


def new_note_url(talk) -> str:
    return reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])


def tag_names(obj) -> list[str]:
    return sorted(obj.tags.values_list("name", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Writing a new note ---------------------------------------------------------------


def test_attendee_writes_a_published_note_with_takeaways_and_an_action_point(
    attendee_client, attendee
):
    talk = TalkFactory(title="Observability for everyone")
    talk.tags.add("observability")
    response = attendee_client.post(
        new_note_url(talk),
        page_data(
            title="My notes",
            takeaways=[
                {"text": "Measure what users feel.", "tags": "Observability, culture"},
                {"text": "Blameless reviews build trust.", "tags": "culture"},
            ],
            action_points=[
                {
                    "title": "Try SLOs on checkout",
                    "details": "Start with *one* service.",
                    "tags": "observability",
                    "due_on": days_from_today(30),
                }
            ],
        ),
    )
    note = Note.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{talk.get_absolute_url()}#note-{note.pk}"
    assert messages_of(response) == ["Saved your note with 2 takeaways and 1 action point."]
    assert (note.author, note.event, note.talk, note.open_space) == (
        attendee,
        talk.event,
        talk,
        None,
    )
    assert (note.title, note.status) == ("My notes", "published")
    assert note.published_at is not None
    assert note.body_html == "<p>Observability is a <strong>team</strong> sport.</p>"

    takeaways = Takeaway.objects.order_by("pk")
    assert [(t.text, t.author, t.event, t.talk, t.open_space) for t in takeaways] == [
        ("Measure what users feel.", attendee, talk.event, talk, None),
        ("Blameless reviews build trust.", attendee, talk.event, talk, None),
    ]
    # One vocabulary, case-insensitive: "Observability" is the existing "observability".
    assert [tag_names(t) for t in takeaways] == [["culture", "observability"], ["culture"]]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["culture", "observability"]

    action_point = ActionPoint.objects.get()
    assert (
        action_point.title,
        action_point.details_html,
        action_point.raised_by,
        action_point.assignee,
        action_point.status,
        action_point.due_on,
        action_point.event,
        action_point.talk,
    ) == (
        "Try SLOs on checkout",
        "<p>Start with <em>one</em> service.</p>",
        attendee,
        None,
        "open",
        days_from_today(30),
        talk.event,
        talk,
    )
    assert tag_names(action_point) == ["observability"]
    history = list(action_point.history.all())
    assert [(h.changed_by, h.via) for h in history] == [(attendee, "web")]
    assert history[0].changes["status"] == [None, "Open"]
    assert history[0].changes["tags"] == [None, "observability"]

    talk_page = attendee_client.get(talk.get_absolute_url())
    assert "Observability is a <strong>team</strong> sport." in talk_page.content.decode()


def test_new_note_page_shows_the_three_parts_with_blank_rows(attendee_client):
    talk = TalkFactory(title="Chaos engineering")
    response = attendee_client.get(new_note_url(talk))
    writing = response.context["writing"]
    assert response.status_code == 200
    assert (len(writing.takeaways.forms), len(writing.action_points.forms)) == (3, 3)
    html = response.content.decode()
    assert "<title>Write a note on Chaos engineering · Notesite</title>" in html
    assert '<label for="id_body">Body:</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_blank_rows_are_ignored(attendee_client):
    talk = TalkFactory()
    response = attendee_client.post(new_note_url(talk), page_data())
    assert response.status_code == 302
    assert (Takeaway.objects.count(), ActionPoint.objects.count()) == (0, 0)
    assert messages_of(response) == ["Saved your note."]


def test_draft_is_visible_on_the_talk_page_to_its_author_only(client, attendee):
    talk = TalkFactory()
    client.force_login(attendee)
    client.post(new_note_url(talk), page_data("Half-finished thoughts", status="draft"))
    note = Note.objects.get()
    assert (note.status, note.published_at) == ("draft", None)
    assert "Half-finished thoughts" in client.get(talk.get_absolute_url()).content.decode()

    client.force_login(UserFactory(username="dave", role="attendee"))
    assert "Half-finished thoughts" not in client.get(talk.get_absolute_url()).content.decode()


def test_empty_body_is_refused_next_to_the_field_and_nothing_is_saved(attendee_client):
    talk = TalkFactory()
    before = counts()
    response = attendee_client.post(
        new_note_url(talk),
        page_data(
            "  \n\t ",
            takeaways=[{"text": "Kept in the form.", "tags": "culture"}],
            action_points=[{"title": "Also kept", "due_on": days_from_today(30)}],
        ),
    )
    assert response.status_code == 200
    assert response.context["writing"].note.errors == {"body": ["A note needs some text."]}
    html = response.content.decode()
    assert (
        '<div class="errors" id="id_body_error"><ul class="errorlist" id="id_body_error">' in html
    )
    assert "Kept in the form." in html
    assert counts() == before


def test_invalid_due_date_is_refused_and_not_even_the_note_is_saved(attendee_client):
    talk = TalkFactory()
    before = counts()
    response = attendee_client.post(
        new_note_url(talk),
        page_data(
            takeaways=[{"text": "A lesson.", "tags": "culture"}],
            action_points=[{"title": "Do it", "due_on": "2026-13-45"}],
        ),
    )
    assert response.status_code == 200
    forms = response.context["writing"].action_points.forms
    assert [form.errors for form in forms] == [{"due_on": ["Enter a valid date."]}, {}, {}, {}]
    assert 'id="id_actions-0-due_on_error"' in response.content.decode()
    assert counts() == before


def test_action_point_needs_a_title_when_its_row_is_used(attendee_client):
    talk = TalkFactory()
    response = attendee_client.post(
        new_note_url(talk), page_data(action_points=[{"title": " ", "details": "Details only"}])
    )
    errors = response.context["writing"].action_points.forms[0].errors
    assert errors == {"title": ["An action point needs a title."]}
    assert Note.objects.count() == 0


def test_takeaway_needs_text_when_its_row_has_tags(attendee_client):
    talk = TalkFactory()
    response = attendee_client.post(
        new_note_url(talk), page_data(takeaways=[{"text": "", "tags": "culture"}])
    )
    errors = response.context["writing"].takeaways.forms[0].errors
    assert errors == {"text": ["A takeaway needs some text."]}
    assert Note.objects.count() == 0


def test_takeaway_longer_than_500_characters_is_refused(attendee_client):
    talk = TalkFactory()
    response = attendee_client.post(
        new_note_url(talk), page_data(takeaways=[{"text": "x" * 501, "tags": ""}])
    )
    assert response.context["writing"].takeaways.forms[0].errors == {
        "text": ["Ensure this value has at most 500 characters (it has 501)."]
    }
    assert Note.objects.count() == 0


def test_tag_without_letters_or_digits_is_refused(attendee_client):
    talk = TalkFactory()
    response = attendee_client.post(
        new_note_url(talk), page_data(takeaways=[{"text": "A lesson.", "tags": "ok, ???"}])
    )
    assert response.context["writing"].takeaways.forms[0].errors == {
        "tags": ["“???” cannot be a tag: it needs at least one letter or digit."]
    }
    assert counts()["tags"] == 0


def test_tag_with_letters_outside_a_z_is_saved_and_gets_its_page(attendee_client):
    talk = TalkFactory()
    response = attendee_client.post(
        new_note_url(talk), page_data(takeaways=[{"text": "Good coffee.", "tags": "café"}])
    )
    assert response.status_code == 302
    tag = Tag.objects.get()
    assert (tag.name, tag.slug) == ("café", "café")
    assert tag_names(Takeaway.objects.get()) == ["café"]
    page = attendee_client.get(reverse("talks:tag-detail", args=[tag.slug]))
    assert page.status_code == 200
    assert "Good coffee." in page.text


def test_tampered_formset_gets_an_error_not_a_crash(attendee_client):
    talk = TalkFactory()
    response = attendee_client.post(new_note_url(talk), {"body": "Text", "status": "published"})
    assert response.status_code == 200
    assert response.context["writing"].takeaways.non_form_errors() == [
        "ManagementForm data is missing or has been tampered with. "
        "Missing fields: takeaways-TOTAL_FORMS, takeaways-INITIAL_FORMS. "
        "You may need to file a bug report if the issue persists."
    ]
    assert Note.objects.count() == 0


def test_preview_renders_sanitised_html_keeps_the_input_and_saves_nothing(attendee_client):
    talk = TalkFactory()
    before = counts()
    response = attendee_client.post(
        new_note_url(talk),
        page_data(
            "Hello **world**<script>alert(1)</script>",
            takeaways=[{"text": "Still here.", "tags": "culture"}],
            preview="1",
        ),
    )
    assert response.status_code == 200
    assert response.context["preview_html"] == "<p>Hello <strong>world</strong></p>"
    html = response.content.decode()
    assert "<p>Hello <strong>world</strong></p>" in html
    assert "<script>alert" not in html
    # The textarea gives the Markdown back, escaped.
    assert "Hello **world**&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
    assert 'value="culture"' in html
    # One row used: three blank rows to fill in after it.
    assert len(response.context["writing"].takeaways.forms) == 4
    assert counts() == before


def test_attendee_writes_a_note_on_the_event_as_a_whole(attendee_client, attendee):
    event = EventFactory()
    response = attendee_client.post(
        reverse("notes:new-for-event", args=[event.slug]),
        page_data(
            "The hallway track was best.",
            takeaways=[{"text": "Go to open spaces.", "tags": "conferences"}],
            action_points=[{"title": "Send two people next year"}],
        ),
    )
    note = Note.objects.get()
    assert response["Location"] == f"{event.get_absolute_url()}#note-{note.pk}"
    sources = [
        (obj.event, obj.talk, obj.open_space)
        for obj in (note, Takeaway.objects.get(), ActionPoint.objects.get())
    ]
    assert sources == [(event, None, None)] * 3


def test_attendee_writes_a_note_on_an_open_space(attendee_client, attendee):
    open_space = OpenSpaceFactory(topic="On-call health")
    url = reverse("notes:new-for-open-space", args=[open_space.event.slug, open_space.slug])
    response = attendee_client.post(
        url,
        page_data(
            "Rotate weekly.",
            takeaways=[{"text": "Pay people for on-call.", "tags": "on-call"}],
            action_points=[{"title": "Review our rota", "tags": "on-call"}],
        ),
    )
    note = Note.objects.get()
    assert response["Location"] == f"{open_space.get_absolute_url()}#note-{note.pk}"
    sources = [
        (obj.event, obj.talk, obj.open_space, tag_names(obj) if obj is not note else None)
        for obj in (note, Takeaway.objects.get(), ActionPoint.objects.get())
    ]
    assert sources == [
        (open_space.event, None, open_space, None),
        (open_space.event, None, open_space, ["on-call"]),
        (open_space.event, None, open_space, ["on-call"]),
    ]
    assert "Rotate weekly." in attendee_client.get(open_space.get_absolute_url()).content.decode()


@pytest.mark.parametrize("persona", ["manager", "outsider"])
def test_users_who_may_not_write_notes_get_403(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    talk = TalkFactory()
    assert client.get(new_note_url(talk)).status_code == 403
    assert client.post(new_note_url(talk), page_data()).status_code == 403
    event_url = reverse("notes:new-for-event", args=[talk.event.slug])
    assert client.get(event_url).status_code == 403
    assert Note.objects.count() == 0


def test_user_without_add_actionpoint_writes_a_note_but_raises_nothing(client):
    writer = UserFactory(username="nina")
    writer.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_note", "add_takeaway"])
    )
    client.force_login(writer)
    talk = TalkFactory()
    assert client.get(new_note_url(talk)).context["writing"].action_points is None
    response = client.post(
        new_note_url(talk),
        page_data(
            takeaways=[{"text": "A lesson.", "tags": ""}],
            action_points=[{"title": "Sneaked in"}],
        ),
    )
    assert response.status_code == 302
    assert (Note.objects.count(), Takeaway.objects.count(), ActionPoint.objects.count()) == (
        1,
        1,
        0,
    )


@pytest.mark.parametrize(
    "url",
    [
        "/events/no-such-event/notes/new/",
        "/events/no-such-event/talks/no-such-talk/notes/new/",
        "/events/{event}/talks/no-such-talk/notes/new/",
        "/events/{event}/open-spaces/no-such-space/notes/new/",
        "/notes/999999/edit/",
        "/notes/999999/delete/",
    ],
)
def test_unknown_event_talk_open_space_or_note_is_404(attendee_client, url):
    event = EventFactory()
    assert attendee_client.get(url.format(event=event.slug)).status_code == 404


def test_talk_of_another_event_is_404(attendee_client):
    talk = TalkFactory()
    other = EventFactory()
    url = reverse("notes:new-for-talk", args=[other.slug, talk.slug])
    assert attendee_client.get(url).status_code == 404


# CSRF -------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(attendee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)
    talk = TalkFactory()
    assert client.post(new_note_url(talk), page_data()).status_code == 403
    note = NoteFactory(author=attendee)
    assert client.post(reverse("notes:delete", args=[note.pk])).status_code == 403
    assert Note.objects.count() == 1


def test_post_with_the_pages_csrf_token_is_accepted(attendee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)
    talk = TalkFactory()
    page = client.get(new_note_url(talk))
    token = page.context["csrf_token"]
    response = client.post(new_note_url(talk), page_data(csrfmiddlewaretoken=str(token)))
    assert response.status_code == 302
    assert Note.objects.count() == 1


# Editing ----------------------------------------------------------------------------


def edit_url(note) -> str:
    return reverse("notes:edit", args=[note.pk])


def test_author_publishes_their_draft_and_adds_a_takeaway(attendee_client, attendee):
    note = NoteFactory(author=attendee, status="draft", body="First go.")
    assert note.published_at is None
    page = attendee_client.get(edit_url(note))
    assert page.status_code == 200
    assert page.context["writing"].note["body"].value() == "First go."
    response = attendee_client.post(
        edit_url(note),
        page_data(
            "Second, *better* go.",
            title="Better",
            takeaways=[{"text": "Write it down the same day.", "tags": "habits"}],
        ),
    )
    assert response["Location"] == f"{note.talk.get_absolute_url()}#note-{note.pk}"
    assert messages_of(response) == ["Saved the note with 1 takeaway."]
    note.refresh_from_db()
    assert (note.title, note.body_html, note.status) == (
        "Better",
        "<p>Second, <em>better</em> go.</p>",
        "published",
    )
    assert note.published_at is not None
    takeaway = Takeaway.objects.get()
    assert (takeaway.author, takeaway.talk, tag_names(takeaway)) == (
        attendee,
        note.talk,
        ["habits"],
    )


def test_edit_preview_saves_nothing(attendee_client, attendee):
    note = NoteFactory(author=attendee, body="Old text.")
    response = attendee_client.post(edit_url(note), page_data("New *text*.", preview="1"))
    assert response.context["preview_html"] == "<p>New <em>text</em>.</p>"
    note.refresh_from_db()
    assert note.body == "Old text."


def test_empty_body_on_edit_is_refused(attendee_client, attendee):
    note = NoteFactory(author=attendee, body="Old text.")
    response = attendee_client.post(edit_url(note), page_data(" "))
    assert response.context["writing"].note.errors == {"body": ["A note needs some text."]}
    note.refresh_from_db()
    assert note.body == "Old text."


@pytest.mark.parametrize("persona", ["another attendee", "manager"])
def test_others_get_403_on_editing_a_published_note(client, attendee, manager, persona):
    note = NoteFactory(author=attendee, body="Mine.")
    other = manager if persona == "manager" else UserFactory(username="dave", role="attendee")
    client.force_login(other)
    assert client.get(edit_url(note)).status_code == 403
    assert client.post(edit_url(note), page_data("Theirs.")).status_code == 403
    note.refresh_from_db()
    assert note.body == "Mine."


@pytest.mark.parametrize("persona", ["another attendee", "staff"])
def test_someone_elses_draft_is_404_on_edit_and_delete(client, attendee, staff, persona):
    note = NoteFactory(author=attendee, status="draft")
    client.force_login(
        staff if persona == "staff" else UserFactory(username="dave", role="attendee")
    )
    assert client.get(edit_url(note)).status_code == 404
    assert client.post(reverse("notes:delete", args=[note.pk])).status_code == 404
    assert Note.objects.count() == 1


def test_staff_edits_someone_elses_published_note(staff_client, attendee):
    note = NoteFactory(author=attendee, body="Typo teh.")
    response = staff_client.post(edit_url(note), page_data("Typo the."))
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.body, note.author) == ("Typo the.", attendee)


# Deleting ---------------------------------------------------------------------------


def delete_url(note) -> str:
    return reverse("notes:delete", args=[note.pk])


def test_delete_asks_for_confirmation_first(attendee_client, attendee):
    note = NoteFactory(author=attendee, body="Going soon.")
    response = attendee_client.get(delete_url(note))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Going soon." in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert Note.objects.count() == 1


def test_author_deletes_their_note(attendee_client, attendee):
    note = NoteFactory(author=attendee)
    TakeawayFactory(author=attendee, talk=note.talk)
    response = attendee_client.post(delete_url(note))
    assert response["Location"] == note.talk.get_absolute_url()
    assert messages_of(response) == ["Deleted the note."]
    assert (Note.objects.count(), Takeaway.objects.count()) == (0, 1)


def test_staff_deletes_someone_elses_published_note(staff_client, attendee):
    note = NoteFactory(author=attendee)
    assert staff_client.post(delete_url(note)).status_code == 302
    assert Note.objects.count() == 0


@pytest.mark.parametrize("persona", ["another attendee", "manager"])
def test_others_get_403_on_deleting_a_note(client, attendee, manager, persona):
    note = NoteFactory(author=attendee)
    other = manager if persona == "manager" else UserFactory(username="dave", role="attendee")
    client.force_login(other)
    assert client.get(delete_url(note)).status_code == 403
    assert client.post(delete_url(note)).status_code == 403
    assert Note.objects.count() == 1


def test_delete_and_edit_refuse_other_methods(attendee_client, attendee):
    note = NoteFactory(author=attendee)
    assert attendee_client.put(delete_url(note)).status_code == 405
    assert attendee_client.delete(edit_url(note)).status_code == 405


# Live preview endpoint ------------------------------------------------------------


def test_live_preview_returns_sanitised_html(attendee_client):
    response = attendee_client.post(
        reverse("notes:preview"), {"body": "*Hi* <img src=x onerror=alert(1)>"}
    )
    assert response.context["preview"].body_html == '<p><em>Hi</em> <img src="x"></p>'
    assert '<p><em>Hi</em> <img src="x"></p>' in response.content.decode()
    assert "onerror" not in response.content.decode()


def test_live_preview_is_refused_to_a_manager_and_to_get(client, manager, attendee):
    client.force_login(manager)
    assert client.post(reverse("notes:preview"), {"body": "x"}).status_code == 403
    client.force_login(attendee)
    assert client.get(reverse("notes:preview")).status_code == 405


# Queries ----------------------------------------------------------------------------


def test_writing_pages_run_a_fixed_number_of_queries(attendee_client, attendee):
    busy_talk = TalkFactory()
    busy_talk.tags.add("observability", "culture")
    TakeawayFactory.create_batch(5, talk=busy_talk)
    busy_note = NoteFactory(author=attendee, talk=busy_talk)
    quiet_note = NoteFactory(author=attendee)
    assert count_queries(attendee_client, new_note_url(busy_talk)) == count_queries(
        attendee_client, new_note_url(quiet_note.talk)
    )
    assert count_queries(attendee_client, edit_url(busy_note)) == count_queries(
        attendee_client, edit_url(quiet_note)
    )
