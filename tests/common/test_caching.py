"""Cached page fragments (common.caching): served from memory while nothing changed,
rebuilt after any committed change, whatever wrote it, and never shown to the wrong
person. These tests commit for real (caching is off inside a transaction)."""

import datetime

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client

from actions.models import ActionPoint
from common import caching
from talks.models import ContentVersion, Note, Talk
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries, logged_in, pages_served_differently_from_the_cache

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Tables whose rows no cached page shows (bookkeeping), and the counter itself.
NOT_SHOWN = {
    "talks_digestlog",
    "talks_contentversion",
    # Feed links carry it, but are built for each request, outside cached fragments.
    "talks_feedkeygeneration",
    "actions_preferences",
    "actions_reminderlog",
    "actions_notification",
    # Tag use counters: written only with the tag links, notes and rows they count
    # (whose writes bump the versions); folding them changes no count.
    "talks_taguse",
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def version() -> int:
    """The counter every committed change bumps."""
    return ContentVersion.objects.get(scope="all").version


def test_every_table_a_page_shows_bumps_the_version_when_written():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE '%%_content_changed'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    shown = {
        model._meta.db_table
        for label in ("talks", "actions")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    } - NOT_SHOWN
    assert shown - triggered == set()
    assert {"taggit_tag", "auth_user", "auth_user_groups"} <= triggered


def test_a_committed_transaction_bumps_the_version_once_and_a_rolled_back_one_not_at_all():
    event = EventFactory()
    before = version()
    with transaction.atomic():
        TalkFactory.create_batch(3, event=event)
        assert version() == before  # counted at commit
    assert version() == before + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        TalkFactory(event=event)
        raise RuntimeError("roll back")
    assert version() == before + 1


def test_bulk_updates_and_raw_sql_bump_the_version_too():
    talk = TalkFactory()
    before = version()
    Talk.objects.filter(pk=talk.pk).update(title="Renamed in bulk")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE talks_event SET venue = 'Hall B' WHERE id = %s", [talk.event_id])
    assert version() == before + 2


def test_logging_in_does_not_bump_the_version_but_renaming_someone_does():
    user = UserFactory(first_name="Bo")
    before = version()
    logged_in(user)  # force_login updates last_login
    Client().post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert version() == before
    user.first_name = "Bob"
    user.save()
    assert version() == before + 1


def test_the_event_page_is_served_from_the_cache_until_something_changes(attendee):
    event = EventFactory(name="Cached Conf")
    talk = TalkFactory(event=event, title="First title")
    ActionPointFactory(event=event, talk=talk, title="Follow me up")
    client = logged_in(attendee)
    url = event.get_absolute_url()
    built = count_queries(client, url)
    cached = count_queries(client, url)
    assert cached < built
    page = client.get(url).content.decode()
    assert "First title" in page and "Follow me up" in page

    # A write no model method sees (QuerySet.update) still retires the fragment.
    Talk.objects.filter(pk=talk.pk).update(title="Second title")
    page = client.get(url).content.decode()
    assert "Second title" in page and "First title" not in page


def test_nobody_sees_someone_elses_draft_or_edit_link_from_the_cache(attendee):
    # Both attendees: only who they are tells their pages apart.
    colleague = UserFactory(username="dave", role="attendee")
    event = EventFactory()
    talk = TalkFactory(event=event)
    NoteFactory(event=event, talk=talk, author=attendee, status=Note.Status.DRAFT,
                title="Bob's draft")  # fmt: skip
    NoteFactory(event=event, talk=talk, author=attendee, status=Note.Status.PUBLISHED,
                title="Bob's published note")  # fmt: skip
    for url in (event.get_absolute_url(), talk.get_absolute_url()):
        as_author = logged_in(attendee).get(url).content.decode()
        assert "Bob&#x27;s draft" in as_author
        as_colleague = logged_in(colleague).get(url).content.decode()
        assert "Bob&#x27;s draft" not in as_colleague
        assert "Bob&#x27;s published note" in as_colleague
    # The talk page shows notes in full, with Edit links on the reader's own.
    assert "note-edit" in as_author and "note-edit" not in as_colleague


def test_each_page_keeps_its_own_fragments(attendee):
    event, other_event = EventFactory(), EventFactory()
    first, second = TalkFactory(event=event), TalkFactory(event=event)
    open_space = OpenSpaceFactory(event=event)
    TakeawayFactory(talk=first, text="Only on the first talk")
    TakeawayFactory(talk=second, text="Only on the second talk")
    TakeawayFactory(talk=None, open_space=open_space, event=event, text="Only in the open space")
    TalkFactory(event=other_event, title="A talk elsewhere")
    client = logged_in(attendee)
    pages = {
        page: client.get(page.get_absolute_url()).content.decode()
        for page in (first, second, open_space, event, other_event)
    }
    assert "Only on the first talk" in pages[first]
    assert "Only on the second talk" not in pages[first]
    assert "Only on the second talk" in pages[second]
    assert "Only on the first talk" not in pages[second]
    assert "Only in the open space" in pages[open_space]
    assert "Only on the first talk" not in pages[open_space]
    assert "A talk elsewhere" in pages[other_event]
    assert "A talk elsewhere" not in pages[event]


def test_lists_keep_a_fragment_per_query_and_follow_ups_per_reader(attendee, manager):
    TakeawayFactory(text="Tagged alpha").tags.add("alpha")
    TakeawayFactory(text="Tagged beta").tags.add("beta")
    ActionPointFactory(title="Bob's follow-up", assignee=attendee)
    ActionPointFactory(title="Carol's follow-up", assignee=manager)
    client = logged_in(attendee)
    alpha = client.get("/takeaways/", {"tag": "alpha"}).content.decode()
    beta = client.get("/takeaways/", {"tag": "beta"}).content.decode()
    assert "Tagged alpha" in alpha and "Tagged beta" not in alpha
    assert "Tagged beta" in beta and "Tagged alpha" not in beta
    mine = client.get("/follow-ups/").content.decode()
    theirs = logged_in(manager).get("/follow-ups/").content.decode()
    assert "Bob&#x27;s follow-up" in mine and "Carol&#x27;s follow-up" not in mine
    assert "Carol&#x27;s follow-up" in theirs and "Bob&#x27;s follow-up" not in theirs


@pytest.mark.parametrize(
    "first, second",
    [("attendee", "manager"), ("manager", "attendee"), ("staff", "attendee"),
     ("attendee", "staff"), ("attendee", "colleague")],
)  # fmt: skip
def test_a_reader_gets_from_the_cache_what_they_would_get_without_it(first, second, request):
    users = {role: request.getfixturevalue(role) for role in ("attendee", "manager", "staff")}
    users["colleague"] = UserFactory(username="dave", role="attendee")
    event = EventFactory(name="Cached Conf")
    talk = TalkFactory(event=event, title="Scaling the pager")
    talk.tags.add("sre")
    NoteFactory(talk=talk, event=event, author=users["attendee"], status=Note.Status.DRAFT,
                title="Bob's draft")  # fmt: skip
    NoteFactory(talk=talk, event=event, author=users["colleague"], title="Dave's note")
    TakeawayFactory(talk=talk, event=event, author=users["attendee"]).tags.add("sre")
    # More follow-ups than a tag page lists, so it links to the full list, whose
    # scope depends on the reader's role.
    for assignee in [users["attendee"], users["colleague"]] * 11:
        ActionPointFactory(event=event, talk=talk, assignee=assignee).tags.add("sre")
    urls = [
        "/", event.get_absolute_url(), talk.get_absolute_url(), "/tags/", "/tags/sre/",
        "/takeaways/", "/follow-ups/", "/follow-ups/?scope=all", "/search/?q=scaling",
        "/follow-ups/overview/",
    ]  # fmt: skip
    assert pages_served_differently_from_the_cache(users[first], users[second], urls) == []


def test_search_results_are_cached_per_reader(attendee, manager):
    NoteFactory(author=attendee, status=Note.Status.DRAFT, body="The zeppelin plan")
    found = logged_in(attendee).get("/search/", {"q": "zeppelin"}).content.decode()
    assert "1 result for" in found
    other = logged_in(manager).get("/search/", {"q": "zeppelin"}).content.decode()
    assert "0 results for" in other


def test_an_overdue_mark_appears_the_day_after_the_due_date_without_any_write(
    attendee, monkeypatch
):
    today = datetime.date(2026, 11, 20)
    ap = ActionPointFactory(title="Due today", assignee=attendee, due_on=today)
    client = logged_in(attendee)
    url = ap.event.get_absolute_url()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today)
    assert "overdue" not in client.get(url).content.decode()
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args: today + datetime.timedelta(1)
    )
    assert "overdue" in client.get(url).content.decode()


def test_nothing_is_cached_inside_a_transaction(rf):
    request = rf.get("/")
    with transaction.atomic():
        assert caching.content_versions(request, set()) is None
    assert caching.content_versions(rf.get("/"), set()).counters["all"] == version()


def test_a_key_part_must_name_its_value_exactly():
    event = EventFactory()
    assert caching.key_part(("event", event, 2, None)) == (
        "event",
        ("talks.Event", event.pk),
        2,
        None,
    )
    with pytest.raises(TypeError, match="must be a row or a plain value"):
        caching.key_part(object())
    with pytest.raises(TypeError):
        caching.key_part(ActionPoint.objects.all())


def test_a_fragment_rendered_outside_a_request_is_simply_rendered():
    template = Template(
        '{% load fragments %}{% fragment "greeting" name %}Hi {{ name }}{% endfragment %}'
    )
    assert template.render(Context({"name": "<b>"})) == "Hi &lt;b&gt;"
