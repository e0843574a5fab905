"""Bad input gets a clear message (or a 404), never a 500, and writes nothing: control
characters in addresses and forms, impossible dates, bidi overrides in tag names."""

import pytest
from django.urls import reverse

from talks.models import Follow, Note, Talk
from tests.factories import EventFactory, TalkFactory

pytestmark = pytest.mark.django_db


def note_data(**changes) -> dict:
    """The writing page's POST with a note and no takeaway or action point rows."""
    data = {"title": "", "body": "Observability is a team sport.", "status": "published"}
    for prefix in ("takeaways", "actions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return {**data, **changes}


def new_note_url(talk: Talk) -> str:
    return reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])


# --- Control characters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "where"),
    [
        ("get", "/tags/%00/", "the address"),
        ("get", "/tags/%00/feed/", "the address"),
        ("post", "/tags/%00/follow/", "the address"),
        ("get", "/tags/devops%1b/", "the address"),
        ("get", "/takeaways/?tag=%00", "the parameter “tag”"),
        ("get", "/takeaways/?exclude=%00", "the parameter “exclude”"),
        ("get", "/takeaways/?tag%00=devops", "the parameter “tag”"),
        ("get", "/admin/actions/actionpoint/?status__exact=%00", "the parameter “status__exact”"),
        ("get", "/search/?q=team%00work", "the parameter “q”"),
    ],
)
def test_control_character_in_the_address_gets_400_saying_where(staff_client, method, url, where):
    response = getattr(staff_client, method)(url)

    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    assert f"There is a control character (such as NUL) in {where}" in response.content.decode()
    assert Follow.objects.count() == 0


def test_tab_and_line_breaks_in_a_query_pass(staff_client):
    response = staff_client.get("/search/", {"q": "team\twork\r\n"})
    assert response.status_code == 200


def test_nul_in_a_note_title_is_refused_next_to_the_field_and_nothing_is_saved(attendee_client):
    talk = TalkFactory()

    response = attendee_client.post(new_note_url(talk), note_data(title="Notes\x00"))

    assert response.status_code == 200
    assert response.context["writing"].note.errors == {
        "title": ["Null characters are not allowed."]
    }
    assert Note.objects.count() == 0


def test_nul_in_a_talk_title_is_refused_next_to_the_field(staff_client):
    event = EventFactory()

    response = staff_client.post(
        reverse("talks:talk-new", args=[event.slug]), {"title": "Chaos\x00", "kind": "talk"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["Null characters are not allowed."]}
    assert Talk.objects.count() == 0


def test_nul_in_a_follow_buttons_return_address_goes_back_to_the_tag(attendee_client):
    TalkFactory().tags.add("devops")

    response = attendee_client.post(reverse("talks:follow-tag", args=["devops"]), {"next": "/\x00"})

    assert (response.status_code, response["Location"]) == (302, "/tags/devops/")
    assert Follow.objects.count() == 1
