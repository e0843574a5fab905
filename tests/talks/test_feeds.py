"""Atom feeds per event and per tag: who may read them, and what they carry.

A feed answers a logged-in session or a valid ``?key=``. Without either, a visitor
with no key is sent to the login page (like every other page), and a forged or
stale key gets 403.
"""

import xml.etree.ElementTree as ET

import pytest
from django.core import signing

from talks.feeds import FEED_SALT, feed_key
from talks.models import Note
from tests.factories import (
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314  (our own feed, not untrusted input)


def entry_titles(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = parse(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


@pytest.fixture
def event():
    return EventFactory(slug="oslo-2025")


def test_anonymous_visitor_without_a_key_is_sent_to_login(client, event):
    response = client.get("/events/oslo-2025/feed/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/events/oslo-2025/feed/"


def test_a_valid_key_works_without_a_session(client, event, attendee):
    TakeawayFactory(talk=None, event=event, text="Measure first.")
    response = client.get(f"/events/oslo-2025/feed/?key={feed_key(attendee)}")
    assert entry_titles(response) == ["Takeaway: Measure first."]


@pytest.mark.parametrize(
    "key",
    [
        "1:forged-signature",
        "not-a-key",
        signing.Signer(salt="another.salt").sign("1"),
    ],
)
def test_a_forged_key_is_refused(client, event, attendee, key):
    response = client.get("/events/oslo-2025/feed/", {"key": key})
    assert response.status_code == 403


def test_a_key_signed_for_another_user_id_only_works_for_that_user(client, event, attendee):
    key = signing.Signer(salt=FEED_SALT).sign(str(attendee.pk + 1000))  # nobody
    assert client.get("/events/oslo-2025/feed/", {"key": key}).status_code == 403


def test_a_deactivated_users_key_stops_working(client, event, attendee):
    key = feed_key(attendee)
    attendee.is_active = False
    attendee.save()
    assert client.get("/tags/x/feed/", {"key": key}).status_code == 403


def test_a_logged_in_session_works_without_a_key(attendee_client, event):
    assert entry_titles(attendee_client.get("/events/oslo-2025/feed/")) == []


def test_the_key_on_the_event_page_opens_the_feed(client, attendee, event):
    client.force_login(attendee)
    feed_url = client.get(event.get_absolute_url()).context["feed_url"]
    client.logout()
    assert entry_titles(client.get(feed_url)) == []


def test_drafts_never_appear_even_for_their_author(client, event, attendee):
    talk = TalkFactory(event=event)
    talk.tags.add("observability")
    NoteFactory(talk=talk, title="Published", author=attendee)
    NoteFactory(talk=talk, title="Bob's draft", author=attendee, status=Note.Status.DRAFT)
    key = feed_key(attendee)
    assert entry_titles(client.get("/events/oslo-2025/feed/", {"key": key})) == ["Published"]
    assert entry_titles(client.get("/tags/observability/feed/", {"key": key})) == ["Published"]
    client.force_login(attendee)
    assert entry_titles(client.get("/events/oslo-2025/feed/")) == ["Published"]


def test_event_feed_carries_its_takeaways_and_notes_newest_first(attendee_client, event):
    talk = TalkFactory(event=event)
    TakeawayFactory(talk=talk, text="First lesson")
    NoteFactory(talk=None, event=event, title="Event summary")
    NoteFactory(talk=None, open_space=OpenSpaceFactory(event=event), event=event, title="OS")
    TakeawayFactory(talk=talk, text="Second lesson")
    TakeawayFactory(text="At another event")
    NoteFactory(title="Note at another event")
    assert entry_titles(attendee_client.get("/events/oslo-2025/feed/")) == [
        "Takeaway: Second lesson",
        "OS",
        "Event summary",
        "Takeaway: First lesson",
    ]


def test_tag_feed_carries_only_the_tags_items(attendee_client):
    tagged_talk = TalkFactory()
    tagged_talk.tags.add("observability")
    tagged_space = OpenSpaceFactory()
    tagged_space.tags.add("observability")
    other_talk = TalkFactory()
    other_talk.tags.add("culture")
    TakeawayFactory(talk=other_talk, text="Tagged takeaway").tags.add("observability")
    TakeawayFactory(talk=tagged_talk, text="Untagged takeaway on a tagged talk")
    TakeawayFactory(text="Other tag").tags.add("culture")
    NoteFactory(talk=tagged_talk, title="On the tagged talk")
    NoteFactory(talk=None, open_space=tagged_space, event=tagged_space.event, title="On the OS")
    NoteFactory(talk=other_talk, title="On another talk")
    NoteFactory(talk=None, event=tagged_talk.event, title="On the event")
    assert entry_titles(attendee_client.get("/tags/observability/feed/")) == [
        "On the OS",
        "On the tagged talk",
        "Takeaway: Tagged takeaway",
    ]


def test_entries_link_to_the_item_on_its_page_and_name_the_author(attendee_client, event):
    talk = TalkFactory(event=event)
    author = UserFactory(first_name="Ana", last_name="Lima")
    item = TakeawayFactory(talk=talk, text="<b>Bold</b> claim", author=author)
    item.tags.add("culture")
    root = parse(attendee_client.get("/events/oslo-2025/feed/").content)
    entry = root.find(f"{ATOM}entry")
    link = entry.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{talk.get_absolute_url()}#takeaway-{item.pk}"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Ana Lima"
    assert entry.find(f"{ATOM}summary").text.startswith("<p>&lt;b&gt;Bold&lt;/b&gt; claim</p>")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["culture"]


def test_feeds_stop_at_50_entries(attendee_client, event):
    for _ in range(30):
        TakeawayFactory(talk=None, event=event)
        NoteFactory(talk=None, event=event)
    assert len(entry_titles(attendee_client.get("/events/oslo-2025/feed/"))) == 50


def test_unknown_event_or_tag_is_404(attendee_client):
    assert attendee_client.get("/events/nope/feed/").status_code == 404
    assert attendee_client.get("/tags/nope/feed/").status_code == 404


def test_feeds_run_the_same_queries_for_3_and_30_items(client, event, attendee):
    talk = TalkFactory(event=event)
    talk.tags.add("observability")

    def add(n):
        for _ in range(n):
            TakeawayFactory(talk=talk).tags.add("observability", "culture")
            NoteFactory(talk=talk)

    key = feed_key(attendee)
    urls = [f"/events/oslo-2025/feed/?key={key}", f"/tags/observability/feed/?key={key}"]
    add(3)
    few = [count_queries(client, url) for url in urls]
    add(27)
    assert [count_queries(client, url) for url in urls] == few
