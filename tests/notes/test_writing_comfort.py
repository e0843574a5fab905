"""Writing a note without surprises: an empty note is refused by the server with a
message next to its body, whatever the browser let through."""

import pytest
from django.urls import reverse

from talks.models import Note
from tests.factories import NoteFactory, TalkFactory

pytestmark = pytest.mark.django_db

# What the browser's ``required`` check lets through but shows nothing: zero-width
# spaces and joiners, a byte-order mark, with or without ordinary whitespace.
INVISIBLE_BODIES = ["\u200b", " \u200b\u200c\u200d\n", "\ufeff\t\u2060"]


def note_data(body: str) -> dict:
    return {
        "title": "Something",
        "body": body,
        "status": "published",
        **{
            f"{prefix}-{name}": "0"
            for prefix in ("takeaways", "actions")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }


@pytest.mark.parametrize("body", ["", "  \n\t ", *INVISIBLE_BODIES])
def test_an_empty_new_note_is_refused_next_to_its_body(attendee_client, body):
    talk = TalkFactory()
    url = reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])
    response = attendee_client.post(url, note_data(body))
    assert response.status_code == 200
    assert response.context["writing"].note.errors == {"body": ["A note needs some text."]}
    assert (
        '<div class="errors" id="id_body_error"><ul class="errorlist" id="id_body_error">'
        "<li>A note needs some text.</li></ul></div>"
    ) in response.content.decode()
    assert Note.objects.count() == 0


@pytest.mark.parametrize("body", INVISIBLE_BODIES)
def test_an_edit_that_empties_a_note_is_refused(attendee_client, attendee, body):
    note = NoteFactory(author=attendee, body="Kept as it was.")
    response = attendee_client.post(reverse("notes:edit", args=[note.pk]), note_data(body))
    assert response.context["writing"].note.errors == {"body": ["A note needs some text."]}
    note.refresh_from_db()
    assert note.body == "Kept as it was."


def test_a_note_with_a_zero_width_space_among_its_words_is_saved(attendee_client):
    talk = TalkFactory()
    url = reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])
    response = attendee_client.post(url, note_data("Zero\u200bwidth joins words."))
    assert response.status_code == 302
    assert Note.objects.get().body == "Zero\u200bwidth joins words."


def test_the_title_is_focused_on_a_new_note_but_not_when_the_page_comes_back(
    attendee_client,
):
    talk = TalkFactory()
    url = reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])
    fresh = attendee_client.get(url).context["writing"].note
    returned = attendee_client.post(url, note_data("")).context["writing"].note
    assert ["autofocus" in str(form["title"]) for form in (fresh, returned)] == [True, False]
