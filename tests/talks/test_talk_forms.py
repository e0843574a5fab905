"""The tags on the pages that add a talk or an open space to an event."""

import pytest
from taggit.models import Tag

from talks.models import OpenSpace, Talk
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

NO_LETTERS = "“???” cannot be a tag: it needs at least one letter or digit."


def talk_data(**overrides) -> dict:
    return {
        "title": "Platform teams with objectives",
        "kind": "talk",
        "speakers": "",
        "slides_url": "",
        "video_url": "",
        "abstract": "",
        "tags": "",
        **overrides,
    }


def test_talk_tag_without_letters_or_digits_is_refused_next_to_the_field(attendee_client):
    event = EventFactory(slug="pycon-2026")
    response = attendee_client.post(
        "/events/pycon-2026/talks/new/", talk_data(tags="platform, ???")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"tags": [NO_LETTERS]}
    assert 'id="id_tags_error"' in response.text
    assert list(Talk.objects.filter(event=event)) == []
    assert Tag.objects.count() == 0
    # The event page (which links every tag's page) still works.
    assert attendee_client.get(event.get_absolute_url()).status_code == 200


def test_every_refused_talk_tag_is_named(attendee_client):
    EventFactory(slug="pycon-2026")
    response = attendee_client.post("/events/pycon-2026/talks/new/", talk_data(tags="???, !!!"))
    # In taggit's order (sorted), as the field gives the names back.
    assert response.context["form"].errors == {
        "tags": ["“!!!” cannot be a tag: it needs at least one letter or digit.", NO_LETTERS]
    }
    assert Talk.objects.count() == 0


def test_talk_tag_longer_than_100_characters_is_refused(attendee_client):
    EventFactory(slug="pycon-2026")
    response = attendee_client.post("/events/pycon-2026/talks/new/", talk_data(tags="t" * 101))
    assert response.context["form"].errors == {
        "tags": ["A tag is at most 100 characters: “" + "t" * 40 + "…”."]
    }
    assert Talk.objects.count() == 0


def test_talk_tag_with_letters_outside_a_z_is_saved(attendee_client):
    event = EventFactory(slug="pycon-2026")
    response = attendee_client.post("/events/pycon-2026/talks/new/", talk_data(tags="café"))
    assert response.status_code == 302
    assert list(Talk.objects.get(event=event).tags.values_list("name", "slug")) == [
        ("café", "café")
    ]


def test_open_space_tag_without_letters_or_digits_is_refused(attendee_client):
    event = EventFactory(slug="pycon-2026")
    response = attendee_client.post(
        "/events/pycon-2026/open-spaces/new/",
        {"topic": "Platform teams", "convenor": "", "session_label": "", "tags": "???"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"tags": [NO_LETTERS]}
    assert list(OpenSpace.objects.filter(event=event)) == []
    assert Tag.objects.count() == 0
