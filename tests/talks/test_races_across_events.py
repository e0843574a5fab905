"""Talks added at once at different events (so under different event locks) that
name the same new speaker: one speaker, and no error page.

Each request runs in a thread with its own database connection against the live
test database (``transaction=True``), so the requests really overlap."""

import pytest
from django.urls import reverse

from talks.models import Speaker
from tests.factories import EventFactory, UserFactory
from tests.helpers import at_once, logged_in, statuses

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TIMES = 8


def test_talks_at_different_events_naming_the_same_new_speaker_share_one_speaker():
    editors = [logged_in(UserFactory(username=f"editor{n}", role="staff")) for n in range(TIMES)]
    pages = [
        (reverse("talks:talk-new", args=[EventFactory().slug]),
         {"title": f"Talk number {n}", "kind": "talk", "speakers": "Ada Lovelace"})
        for n in range(TIMES)
    ]  # fmt: skip

    responses = at_once(lambda client: client.post(*pages.pop()), editors)

    assert statuses(responses) == {302: TIMES}
    ada = Speaker.objects.get()
    assert (ada.name, ada.talks.count()) == ("Ada Lovelace", TIMES)
