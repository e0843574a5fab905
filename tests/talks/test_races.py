"""Simultaneous submissions of the same thing: eight people (or one impatient person)
pressing Save at the same moment end with one row and no error page.

Each request runs in a thread with its own database connection against the live
test database (``transaction=True``), so the requests really overlap."""

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import ActionPoint
from talks.models import Note, OpenSpace, Speaker, Takeaway, Talk
from tests.factories import EventFactory, TalkFactory, UserFactory
from tests.helpers import at_once, logged_in, statuses

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TIMES = 8


@pytest.fixture
def editors() -> list[Client]:
    return [logged_in(UserFactory(username=f"editor{n}", role="staff")) for n in range(TIMES)]


def test_the_same_talk_added_eight_times_at_once_is_added_once(editors):
    event = EventFactory()
    url = reverse("talks:talk-new", args=[event.slug])
    data = {"title": "Chaos engineering", "kind": "talk", "speakers": "Ada Lovelace, Grace Hopper"}

    responses = at_once(lambda client: client.post(url, data), editors)

    assert statuses(responses) == {302: 1, 200: TIMES - 1}
    talk = Talk.objects.get()
    assert sorted(talk.speakers.values_list("name", flat=True)) == ["Ada Lovelace", "Grace Hopper"]
    assert Speaker.objects.count() == 2
    refused = [r.context["form"].errors for r in responses if r.status_code == 200]
    message = f"{event.name} already has a talk called “Chaos engineering”."
    assert refused == [{"title": [message]}] * (TIMES - 1)


def test_the_same_open_space_added_eight_times_at_once_is_added_once(editors):
    event = EventFactory()
    url = reverse("talks:open-space-new", args=[event.slug])
    data = {"topic": "Who owns the pager?", "convenor": "Ada"}

    responses = at_once(lambda client: client.post(url, data), editors)

    assert statuses(responses) == {302: 1, 200: TIMES - 1}
    assert OpenSpace.objects.get().topic == "Who owns the pager?"
    refused = [r.context["form"].errors for r in responses if r.status_code == 200]
    message = f"{event.name} already has an open space called “Who owns the pager?”."
    assert refused == [{"topic": [message]}] * (TIMES - 1)


def test_talks_added_at_once_naming_the_same_new_speaker_share_one_speaker(editors):
    event = EventFactory()
    url = reverse("talks:talk-new", args=[event.slug])
    titles = iter(f"Talk number {n}" for n in range(TIMES))
    pages = [{"title": next(titles), "kind": "talk", "speakers": "Ada Lovelace"} for _ in editors]

    responses = at_once(lambda client: client.post(url, pages.pop()), editors)

    assert statuses(responses) == {302: TIMES}
    ada = Speaker.objects.get()
    assert (ada.name, ada.talks.count()) == ("Ada Lovelace", TIMES)


# --- The same note form sent twice ----------------------------------------------------


def writing_page(client: Client, talk: Talk) -> dict:
    """The writing page's POST as the browser sends it: its hidden one-time value, a
    note, one takeaway and one action point."""
    url = reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])
    shown = client.get(url).context["writing"].note
    return {
        "submission_token": shown["submission_token"].value(),
        "title": "Chaos day",
        "body": "Break things on purpose, **carefully**.",
        "status": "published",
        "takeaways-TOTAL_FORMS": "1",
        "takeaways-INITIAL_FORMS": "0",
        "takeaways-0-text": "Start small.",
        "takeaways-0-tags": "chaos",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-title": "Plan a game day",
    }


def counts() -> tuple[int, int, int]:
    return Note.objects.count(), Takeaway.objects.count(), ActionPoint.objects.count()


def test_the_same_note_form_sent_eight_times_at_once_saves_one_note():
    bob = UserFactory(username="bob", role="attendee")
    talk = TalkFactory()
    url = reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])
    page = writing_page(logged_in(bob), talk)
    bobs_tabs = [logged_in(bob) for _ in range(TIMES)]

    responses = at_once(lambda client: client.post(url, page), bobs_tabs)

    note = Note.objects.get()
    assert statuses(responses) == {302: TIMES}
    assert {response["Location"] for response in responses} == {note.get_absolute_url()}
    assert counts() == (1, 1, 1)
