"""Matching typed speaker names to the speakers already known: the talk form and an
import link the same speaker, the older one, when two share a name."""

import datetime

import pytest

from imports.importer import ParsedEvent, ParsedSession, save_parsed
from talks.models import Speaker, Talk
from tests.factories import EventFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db

# (the older speaker's name, the newer one's): same spelling, or another case.
NAMESAKES = [("Ada Lovelace", "Ada Lovelace"), ("ADA LOVELACE", "ada lovelace")]


@pytest.mark.parametrize(("older_name", "newer_name"), NAMESAKES)
def test_an_import_links_the_older_of_two_speakers_with_one_name(older_name, newer_name):
    older, newer = SpeakerFactory(name=older_name), SpeakerFactory(name=newer_name)
    parsed = ParsedEvent(
        name="PyCon Lisbon",
        starts_on=datetime.date(2026, 4, 16),
        ends_on=datetime.date(2026, 4, 16),
        sessions=[ParsedSession(title="Engines", speakers=["Ada Lovelace"])],
    )
    save_parsed(parsed, author=UserFactory())
    talk = Talk.objects.get(title="Engines")
    assert list(talk.speakers.all()) == [older]
    assert list(newer.talks.all()) == []
    assert Speaker.objects.count() == 2


@pytest.mark.parametrize(("older_name", "newer_name"), NAMESAKES)
def test_the_talk_form_links_the_older_of_two_speakers_with_one_name(
    attendee_client, older_name, newer_name
):
    EventFactory(slug="pycon-2026")
    older, newer = SpeakerFactory(name=older_name), SpeakerFactory(name=newer_name)
    response = attendee_client.post(
        "/events/pycon-2026/talks/new/",
        {"title": "Engines", "kind": "talk", "speakers": "Ada Lovelace, Grace Hopper"},
    )
    assert response.status_code == 302
    speakers = list(Talk.objects.get(title="Engines").speakers.order_by("pk"))
    assert [s.name for s in speakers] == [older_name, "Grace Hopper"]
    assert speakers[0] == older
    assert list(newer.talks.all()) == []


def test_the_talk_form_and_an_import_link_the_same_speaker(attendee_client):
    SpeakerFactory(name="Ada Lovelace")
    SpeakerFactory(name="ada lovelace")
    EventFactory(slug="pycon-2026")
    attendee_client.post(
        "/events/pycon-2026/talks/new/",
        {"title": "Engines", "kind": "talk", "speakers": "ADA LOVELACE"},
    )
    parsed = ParsedEvent(
        name="PyCon Lisbon",
        starts_on=datetime.date(2026, 4, 16),
        ends_on=datetime.date(2026, 4, 16),
        sessions=[ParsedSession(title="Looms", speakers=["Ada LOVELACE"])],
    )
    save_parsed(parsed, author=UserFactory())
    linked = {talk.title: list(talk.speakers.all()) for talk in Talk.objects.all()}
    assert linked["Engines"] == linked["Looms"]
    assert [s.name for s in linked["Engines"]] == ["Ada Lovelace"]
