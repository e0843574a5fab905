"""Content versions per kind and per event (common.caching, migrations talks 0015 and
actions 0015): each write bumps exactly the counters of what it changed, whatever
wrote it; a page's cached fragments survive writes to what they do not show (a note
at another event) and never outlive a write to what they show, for any reader. These
tests commit for real (caching is off inside a transaction)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from actions.models import ActionPoint
from common import caching
from notes.services import NewActionPoint, NewTakeaway, update_note, write_note
from talks.models import ContentVersion, Event, Follow, Note, Speaker, Takeaway, Talk
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import days_from_today, logged_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def counters() -> dict[str, int]:
    return dict(ContentVersion.objects.values_list("scope", "version"))


def bumped(write) -> set[str]:
    """The counters that ``write()`` (committed) moved."""
    before = counters()
    write()
    after = counters()
    return {scope for scope, version in after.items() if version != before.get(scope, 0)}


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def fragments_of(response) -> dict[str, int]:
    """How many of the page's fragments came from the cache ("hits") or were built."""
    return response.wsgi_request._fragment_counts


# --- Which counters a write moves ------------------------------------------------------


@pytest.fixture
def place(db):
    event, other = EventFactory(name="Here Conf"), EventFactory(name="Elsewhere Conf")
    talk = TalkFactory(event=event, speakers=[SpeakerFactory(name="Ada Speaker")])
    return event, other, talk


def test_a_published_note_bumps_notes_and_its_event_only(place):
    event, _other, talk = place
    author = UserFactory()
    written = bumped(lambda: NoteFactory(event=event, talk=talk, author=author, status="published"))
    assert written == {"all", "notes", f"event:{event.pk}"}


def test_a_draft_bumps_drafts_and_publishing_it_bumps_the_events_of_its_rows(place):
    event, other, talk = place
    author = UserFactory()
    note = None

    def write():
        nonlocal note
        note = write_note(author=author, event=event, talk=talk, body="Draft.",
                          takeaways=[NewTakeaway("Kept quiet", tags=["sre"])],
                          action_points=[NewActionPoint("Quiet follow-up")])  # fmt: skip

    # "tags": the note's takeaway made the tag "sre".
    assert bumped(write) == {
        "all", "notes", "drafts", "takeaways", "action_points", "tags", f"event:{event.pk}"
    }  # fmt: skip
    # A takeaway of the note at another event: its rows change what readers see there.
    Takeaway.objects.filter(note=note).update(event=other, talk=None)
    published = bumped(
        lambda: update_note(note=note, by=author, title="", body="Draft.", status="published")
    )
    assert published == {"all", "notes", "drafts", f"event:{event.pk}", f"event:{other.pk}"}
    # Editing a published note is not a change of drafts.
    assert bumped(lambda: Note.objects.filter(pk=note.pk).update(title="Edited")) == {
        "all", "notes", f"event:{event.pk}"
    }  # fmt: skip


@pytest.mark.parametrize(
    "write, expected",
    [
        ("UPDATE talks_event SET venue = 'Hall B' WHERE id = {event}", {"events", "{event}"}),
        ("UPDATE talks_talk SET title = 'Raw' WHERE id = {talk}", {"sessions", "{event}"}),
        ("DELETE FROM talks_talk_speakers WHERE talk_id = {talk}", {"sessions", "{event}"}),
        ("UPDATE talks_speaker SET name = 'Ada Renamed'", {"speakers"}),
        ("UPDATE taggit_tag SET name = 'SRE!'", {"tags"}),
        ("UPDATE auth_user SET first_name = 'Renamed'", {"people"}),
        ("DELETE FROM auth_user_groups", {"people"}),
        ("UPDATE auth_group SET name = name || '!'", {"people"}),
        ("UPDATE talks_takeaway SET text = 'Raw'", {"takeaways", "{event}"}),
        ("DELETE FROM talks_taggedtakeaway", {"takeaways", "{event}"}),
        # Action points count for their assignee too (actions 0022).
        ("UPDATE actions_actionpoint SET title = 'Raw'",
         {"action_points", "{event}", "{assignee}"}),
        ("DELETE FROM actions_taggedactionpoint", {"action_points", "{event}", "{assignee}"}),
        ("UPDATE actions_actionpointchange SET comment = 'Raw'",
         {"action_points", "{event}", "{assignee}"}),
        ("UPDATE actions_actionpoint SET event_id = {other}, talk_id = NULL",
         {"action_points", "{event}", "{other}", "{assignee}"}),
        ("TRUNCATE talks_follow", {"follows", "epoch"}),
        # Logging in writes last_login: no page shows it.
        ("UPDATE auth_user SET last_login = now()", set()),
    ],
)  # fmt: skip
def test_raw_sql_writes_bump_their_kind_and_their_events(place, write, expected):
    event, other, talk = place
    takeaway = TakeawayFactory(event=event, talk=talk)
    takeaway.tags.add("sre")
    action_point = ActionPointFactory(event=event, talk=talk, assignee=UserFactory(role="staff"))
    action_point.tags.add("sre")
    action_point.history.create(changed_by=None, comment="Seen", via="admin")
    Follow.objects.create(user=action_point.assignee, event=event)
    names = {"event": event.pk, "other": other.pk, "talk": talk.pk}
    scopes = {"event": f"event:{event.pk}", "other": f"event:{other.pk}",
              "assignee": f"assignee:{action_point.assignee_id}"}  # fmt: skip
    want = {part.format(**scopes) for part in expected}
    moved = bumped(lambda: sql(write.format(**names)))
    assert moved == ({"all"} | want if want else set())


def test_a_follow_bumps_follows_and_the_followed_event(place):
    event, _other, _talk = place
    user = UserFactory()
    assert bumped(lambda: Follow.objects.create(user=user, event=event)) == {
        "all", "follows", f"event:{event.pk}"
    }  # fmt: skip


def test_a_rolled_back_transaction_bumps_nothing(place):
    event, _other, talk = place
    before = counters()
    with pytest.raises(RuntimeError), transaction.atomic():
        TalkFactory(event=event)
        Talk.objects.filter(pk=talk.pk).update(title="Never")
        Group.objects.create(name="never")
        raise RuntimeError("roll back")
    assert counters() == before


def test_many_rows_in_one_transaction_bump_each_counter_once(place):
    event, other, _talk = place
    before = counters()
    with transaction.atomic():
        TalkFactory.create_batch(3, event=event)
        TalkFactory.create_batch(2, event=other)
    after = counters()
    moved = {scope: after[scope] - before.get(scope, 0) for scope in after}
    assert {scope: n for scope, n in moved.items() if n} == {
        "all": 1, "sessions": 1, f"event:{event.pk}": 1, f"event:{other.pk}": 1
    }  # fmt: skip


# --- What survives a write -------------------------------------------------------------


def two_events_for(attendee):
    here = EventFactory(name="Here Conf")
    there = EventFactory(name="There Conf")
    for event in (here, there):
        talk = TalkFactory(event=event, title=f"A talk at {event.name}")
        talk.tags.add("sre")
        TakeawayFactory(event=event, talk=talk, text=f"Learned at {event.name}").tags.add("sre")
        ActionPointFactory(event=event, talk=talk, assignee=attendee)
    return here, there


def post_a_note(author, event: Event, **rows) -> Note:
    """A note published through the writing service, as the site's form does."""
    return write_note(author=author, event=event, talk=event.talks.get(), body="Notes.",
                      status=Note.Status.PUBLISHED, **rows)  # fmt: skip


def test_a_note_at_one_event_leaves_the_other_events_pages_cached(attendee, manager):
    here, there = two_events_for(attendee)
    client = logged_in(manager)
    pages = [there.get_absolute_url(), there.talks.get().get_absolute_url(),
             here.get_absolute_url(), "/tags/", "/tags/sre/", "/takeaways/",
             "/follow-ups/overview/"]  # fmt: skip
    for url in pages:
        client.get(url)
    post_a_note(attendee, here)
    served = {url: fragments_of(client.get(url)) for url in pages}
    assert served == {
        there.get_absolute_url(): {"hits": 2, "builds": 0},
        there.talks.get().get_absolute_url(): {"hits": 2, "builds": 0},
        here.get_absolute_url(): {"hits": 0, "builds": 2},
        # A note alone changes no tag, takeaway or action point.
        "/tags/": {"hits": 1, "builds": 0},
        "/tags/sre/": {"hits": 6, "builds": 0},
        "/takeaways/": {"hits": 1, "builds": 0},
        "/follow-ups/overview/": {"hits": 1, "builds": 0},
    }
    # With takeaways and an action point, the lists that show them are built again;
    # the other event's pages stay cached.
    post_a_note(attendee, here, takeaways=[NewTakeaway("New", tags=["sre"])],
                action_points=[NewActionPoint("Also new")])  # fmt: skip
    served = {url: fragments_of(client.get(url)) for url in pages}
    assert served == {
        there.get_absolute_url(): {"hits": 2, "builds": 0},
        there.talks.get().get_absolute_url(): {"hits": 2, "builds": 0},
        here.get_absolute_url(): {"hits": 0, "builds": 2},
        "/tags/": {"hits": 0, "builds": 1},
        # The counts, takeaways and follow-ups; not the talks and open spaces.
        "/tags/sre/": {"hits": 2, "builds": 4},
        "/takeaways/": {"hits": 0, "builds": 1},
        "/follow-ups/overview/": {"hits": 0, "builds": 1},
    }


def test_the_cached_event_page_runs_fewer_queries_and_one_for_the_versions(attendee):
    here, there = two_events_for(attendee)
    client = logged_in(attendee)
    url = there.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    post_a_note(attendee, here)
    with CaptureQueriesContext(connection) as after_the_note:
        client.get(url)
    assert len(after_the_note.captured_queries) == len(cached.captured_queries)
    versions = [q for q in cached.captured_queries if "talks_contentversion" in q["sql"]]
    assert len(versions) == 1


def test_readers_without_drafts_share_the_fragments_and_an_author_with_one_gets_their_own(
    attendee, manager
):
    here, _there = two_events_for(attendee)
    colleague = UserFactory(username="erin", role="attendee")
    author = UserFactory(username="dave", role="attendee")
    write_note(author=author, event=here, talk=here.talks.get(), body="Draft.",
               takeaways=[NewTakeaway("Dave's drafted takeaway")])  # fmt: skip
    url = here.get_absolute_url()
    assert fragments_of(logged_in(attendee).get(url)) == {"hits": 0, "builds": 2}
    # The event's sessions (drafts-aware) are shared; the notes list is per reader.
    assert fragments_of(logged_in(colleague).get(url)) == {"hits": 1, "builds": 1}
    page = logged_in(author).get(url)
    assert fragments_of(page) == {"hits": 0, "builds": 2}
    assert "Dave&#x27;s drafted takeaway" in page.content.decode()
    assert "Dave&#x27;s drafted takeaway" not in logged_in(manager).get(url).content.decode()


def test_a_draft_saved_while_a_shared_fragment_is_built_keeps_it_out_of_the_cache(attendee):
    """The builder's draft would be in what they built: that copy is not shared."""
    event = EventFactory()
    template = Template(
        '{% load fragments %}{% fragment "event-sessions" event %}{{ build }}{% endfragment %}'
    )
    request = RequestFactory().get("/")
    request.user = attendee

    def build_while_drafting():
        NoteFactory(event=event, talk=None, author=attendee, status=Note.Status.DRAFT)  # commits
        return "with the builder's draft"

    first = template.render(Context({"request": request, "event": event,
                                     "build": build_while_drafting}))  # fmt: skip
    assert first == "with the builder&#x27;s draft"
    # Someone else who read the versions before that draft saved: not from the cache.
    other = RequestFactory().get("/")
    other.user = UserFactory()
    other._content_versions = request._content_versions
    second = template.render(Context({"request": other, "event": event, "build": "fresh"}))
    assert second == "fresh"


def test_a_fragment_nobody_declared_depends_on_every_change(attendee):
    template = Template('{% load fragments %}{% fragment "undeclared" %}{{ n }}{% endfragment %}')

    def render(n):
        request = RequestFactory().get("/")
        request.user = attendee
        return template.render(Context({"request": request, "n": n}))

    assert render(1) == "1"
    assert render(2) == "1"
    Follow.objects.create(user=attendee, tag=None, event=EventFactory())
    assert render(3) == "3"


def test_every_fragment_in_the_templates_is_declared():
    from pathlib import Path

    from django.conf import settings

    names = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for line in path.read_text().splitlines():
            if "{% fragment " in line:
                names.add(line.split("{% fragment ", 1)[1].split()[0].strip("\"'"))
    assert names - caching.FRAGMENTS.keys() == set()
    assert caching.FRAGMENTS.keys() - names == set()


# --- No reader is served a page older than the last write to what it shows ---------------


@pytest.fixture
def site(request):
    """People in every role, an author with a draft, and an event with a row of every
    kind, each with a name that pages show."""
    people = {role: request.getfixturevalue(role) for role in ("attendee", "manager", "staff")}
    people["author"] = UserFactory(username="dave", role="attendee", first_name="Dave")
    event = EventFactory(name="Fresh Conf")
    speaker = SpeakerFactory(name="Grace Speaker")
    talk = TalkFactory(event=event, title="Fresh talk", speakers=[speaker])
    talk.tags.add("sre")
    OpenSpaceFactory(event=event, topic="Fresh open space").tags.add("sre")
    NoteFactory(event=event, talk=talk, author=people["author"], title="Published notes",
                status=Note.Status.PUBLISHED)  # fmt: skip
    NoteFactory(event=event, talk=None, author=people["author"], title="On the event",
                status=Note.Status.PUBLISHED, body="The zeppelin plan")  # fmt: skip
    TakeawayFactory(event=event, talk=talk, author=people["author"],
                    text="A published takeaway").tags.add("sre")  # fmt: skip
    for assignee in ("attendee", "author", "manager", "staff"):
        ActionPointFactory(event=event, talk=talk, assignee=people[assignee],
                           title=f"Follow-up of {assignee}").tags.add("sre")  # fmt: skip
    drafted = write_note(
        author=people["author"], event=event, talk=talk, title="Dave's draft", body="Draft.",
        takeaways=[NewTakeaway("A drafted takeaway", tags=["sre"])],
        action_points=[NewActionPoint("A drafted follow-up", tags=["sre"],
                                      due_on=days_from_today(3))],
    )  # fmt: skip
    ActionPoint.objects.filter(note=drafted).update(assignee=people["author"])
    for user in people.values():
        Follow.objects.create(user=user, event=event)
    urls = [
        "/", event.get_absolute_url(), talk.get_absolute_url(),
        event.open_spaces.get().get_absolute_url(), "/tags/", "/tags/sre/", "/takeaways/",
        "/follow-ups/", "/follow-ups/?scope=all", "/follow-ups/overview/",
        "/search/?q=zeppelin",
    ]  # fmt: skip
    return {"people": people, "event": event, "talk": talk, "speaker": speaker,
            "drafted": drafted, "urls": urls}  # fmt: skip


def writes(site) -> dict:
    """A write of each kind, each changing what some of the pages show."""
    event, talk, people = site["event"], site["talk"], site["people"]
    return {
        "events": lambda: Event.objects.filter(pk=event.pk).update(name="Renamed Conf"),
        "sessions": lambda: sql(
            "UPDATE talks_talk SET title = 'Renamed talk' WHERE id = %s", [talk.pk]
        ),
        "speakers": lambda: Speaker.objects.filter(pk=site["speaker"].pk).update(
            name="Grace Renamed"
        ),
        "notes": lambda: Note.objects.filter(title="Published notes").update(title="Renamed notes"),
        "takeaways": lambda: sql("UPDATE talks_takeaway SET text = text || ' (renamed)'"),
        "action_points": lambda: ActionPoint.objects.update(title="Renamed follow-up"),
        "tags": lambda: sql("UPDATE taggit_tag SET name = 'SRE renamed'"),
        "follows": lambda: Follow.objects.all().delete(),
        "people": lambda: sql("UPDATE auth_user SET first_name = first_name || 'x'"),
        "roles": lambda: people["attendee"].groups.set([Group.objects.get(name="manager")]),
        "drafts": lambda: update_note(
            note=site["drafted"],
            by=people["author"],
            title="Dave's draft",
            body="Draft.",
            status="published",
        ),
    }


def test_anonymous_readers_are_sent_to_log_in_whatever_is_cached(site, client):
    logged_in(site["people"]["manager"]).get(site["event"].get_absolute_url())
    for url in site["urls"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


KINDS = ["events", "sessions", "speakers", "notes", "takeaways", "action_points", "tags",
         "follows", "people", "roles", "drafts"]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_after_a_write_every_reader_gets_every_page_as_built_fresh(site, kind):
    """Every reader (attendee, author with drafts, manager, staff) fills the cache
    with every page, something of ``kind`` changes, and each gets what they would
    get from an empty cache; the write changed some page (or this proves nothing)."""
    clients = {persona: logged_in(user) for persona, user in site["people"].items()}
    urls = site["urls"]

    def pages() -> dict:
        return {(persona, url): shown(client.get(url)) for persona, client in clients.items()
                for url in urls}  # fmt: skip

    before = pages()
    writes(site)[kind]()
    served = pages()
    cache.clear()
    built = pages()
    assert [page for page in built if served[page] != built[page]] == []
    assert [page for page in built if built[page] != before[page]] != []


def shown(response) -> str:
    """The page without what differs on every response (CSRF values) or per user by
    design (feed keys)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"key=[\w:.-]+", "key=K", html)
