"""Choosing an event, a speaker or an author by name on the takeaways page: typed
names resolve without JavaScript (with a clear message when nothing or several
match), and a JSON endpoint suggests names while typing."""

import datetime
import html
import json
import re

import pytest

from tests.factories import (
    EventFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    assert response.status_code == 200
    return [
        html.unescape(text)
        for text in re.findall(r'<p class="takeaway-text">([^<]*)</p>', response.text)
    ]


def takeaway(text: str, **kwargs):
    return TakeawayFactory(text=text, **kwargs)


@pytest.fixture
def madrid():
    event = EventFactory(name="DevOpsDays Madrid", slug="dod-madrid-2025", city="Madrid")
    takeaway("In Madrid.", talk=TalkFactory(event=event))
    takeaway("Elsewhere.", talk=TalkFactory(event=EventFactory(name="PyCon Lisbon", city="Lisbon")))
    return event


def test_an_event_is_found_by_its_city(attendee_client, madrid):
    response = attendee_client.get("/takeaways/?event=Madrid")
    assert texts(response) == ["In Madrid."]
    # The URL the form sends next carries the slug, which nobody typed.
    assert '<input type="hidden" name="event" value="dod-madrid-2025">' in response.text
    assert '<span class="chosen-label">DevOpsDays Madrid</span>' in response.text


def test_an_event_is_found_by_part_of_its_name_in_any_case(attendee_client, madrid):
    assert texts(attendee_client.get("/takeaways/?event=devopsdays+mad")) == ["In Madrid."]


def test_the_chosen_event_can_be_removed_by_a_link(attendee_client, madrid):
    response = attendee_client.get("/takeaways/?event=Madrid&tag=sre&exclude=x")
    assert '<a class="chosen-remove" href="?tag=sre&amp;exclude=x">Remove' in response.text


def test_a_name_typed_in_the_box_wins_over_the_chosen_event(attendee_client, madrid):
    response = attendee_client.get("/takeaways/?event=dod-madrid-2025&event=Lisbon")
    assert texts(response) == ["Elsewhere."]


def test_a_name_several_events_share_offers_each_as_a_link(attendee_client, madrid):
    EventFactory(name="DevOpsDays Madrid", slug="dod-madrid-2026", city="Madrid",
                 starts_on=datetime.date(2026, 9, 1))  # fmt: skip
    response = attendee_client.get("/takeaways/?event=Madrid&tag=sre")
    assert "Event: “Madrid” matches 2 events: pick one, or type more of the name." in (
        response.text
    )
    links = re.findall(r'<ul class="candidates"><li><a href="([^"]*)">', response.text)
    assert links == ["?event=dod-madrid-2026&amp;tag=sre"]
    assert response.text.count('href="?event=dod-madrid-') == 2
    assert len(texts(response)) == 2  # the filter is left out, the others apply


def test_a_name_nothing_matches_says_so(attendee_client, madrid):
    response = attendee_client.get("/takeaways/?event=Atlantis")
    assert "There is no event called “Atlantis”." in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_speaker_is_found_by_first_name(attendee_client):
    hanna = SpeakerFactory(name="Hanna Lindqvist")
    takeaway("Hanna's.", talk=TalkFactory(speakers=[hanna]))
    takeaway("Someone else's.", talk=TalkFactory(speakers=[SpeakerFactory(name="Ola Nordmann")]))
    response = attendee_client.get("/takeaways/?speaker=hanna")
    assert texts(response) == ["Hanna's."]
    assert f'<input type="hidden" name="speaker" value="{hanna.slug}">' in response.text


def test_an_author_is_found_by_first_or_full_name(attendee_client):
    carol = UserFactory(username="cjones", first_name="Carol", last_name="Jones")
    takeaway("Carol's.", author=carol)
    takeaway("Dave's.", author=UserFactory(first_name="Dave", last_name="Smith"))
    assert texts(attendee_client.get("/takeaways/?author=Carol")) == ["Carol's."]
    response = attendee_client.get("/takeaways/?author=carol+jones")
    assert texts(response) == ["Carol's."]
    assert '<input type="hidden" name="author" value="cjones">' in response.text


def suggestions(client, kind: str, text: str):
    response = client.get(f"/takeaways/choices/{kind}/", {"q": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_suggestions_for_events_are_names_with_year_and_place(attendee_client, madrid):
    assert suggestions(attendee_client, "event", "madr") == [
        {
            "value": "dod-madrid-2025",
            "label": "DevOpsDays Madrid",
            "detail": "2026 · Madrid, New Zealand",
        }
    ]


def test_suggestions_for_speakers_authors_and_tags(attendee_client):
    SpeakerFactory(name="Hanna Lindqvist", slug="hanna")
    author = UserFactory(username="cjones", first_name="Carol", last_name="Jones")
    TakeawayFactory(author=author).tags.add("Platform Engineering")
    UserFactory(first_name="Caroline")  # wrote no takeaway: not an author to pick
    assert suggestions(attendee_client, "speaker", "lind") == [
        {"value": "hanna", "label": "Hanna Lindqvist", "detail": ""}
    ]
    assert suggestions(attendee_client, "author", "car") == [
        {"value": "cjones", "label": "Carol Jones", "detail": "cjones"}
    ]
    assert suggestions(attendee_client, "tag", "platform") == [
        {"value": "platform-engineering", "label": "Platform Engineering", "detail": ""}
    ]


def test_suggestions_are_bounded_and_best_first(attendee_client):
    for n in range(15):
        EventFactory(name=f"Summit {n:02}")
    EventFactory(name="Summit")
    found = suggestions(attendee_client, "event", "summit")
    assert len(found) == 10
    assert found[0]["label"] == "Summit"


def test_suggestions_are_data_not_markup(attendee_client):
    EventFactory(name='<img src=x onerror="alert(1)">Conf')
    response = attendee_client.get("/takeaways/choices/event/", {"q": "conf"})
    assert (
        json.loads(response.content)["results"][0]["label"] == '<img src=x onerror="alert(1)">Conf'
    )
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_suggestions_for_nothing_are_empty(attendee_client, madrid):
    assert suggestions(attendee_client, "event", "   ") == []


def test_an_unknown_kind_is_404(attendee_client):
    response = attendee_client.get("/takeaways/choices/password/", {"q": "a"})
    assert response.status_code == 404


def test_suggestions_need_a_login(client, madrid):
    response = client.get("/takeaways/choices/event/", {"q": "madrid"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert b"dod-madrid" not in response.content


@pytest.mark.parametrize("kind", ["event", "speaker", "author", "tag"])
def test_suggestions_run_the_same_queries_for_few_and_many_matches(attendee_client, kind):
    def add(n: int) -> None:
        for i in range(n):
            speaker = SpeakerFactory(name=f"Anna Number{i}")
            author = UserFactory(first_name="Anna")
            talk = TalkFactory(event=EventFactory(name=f"Anna Conf {i}"), speakers=[speaker])
            TakeawayFactory(talk=talk, author=author).tags.add(f"anna-{i}")

    add(2)
    few = count_queries(attendee_client, f"/takeaways/choices/{kind}/?q=anna")
    add(20)
    assert count_queries(attendee_client, f"/takeaways/choices/{kind}/?q=anna") == few
    # The session with its user (one query), and the search itself.
    assert few == 2
