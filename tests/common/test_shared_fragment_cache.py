"""The fragment cache the web processes share (common.caching): a fragment one process
built is read by the others from a table instead of being built again, under the same
key, so it is never stale; a write makes every process rebuild; nothing read inside a
transaction is stored; the table culls itself. Two "processes" are two local-memory
caches over the one table. These tests commit for real (caching is off inside a
transaction)."""

import datetime

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common import caching
from common.models import SharedFragment
from talks.models import Note
from tests.factories import (
    EventFactory,
    NoteFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


class Worker:
    """A web process: its own local-memory cache, the shared table everyone's."""

    def __init__(self, monkeypatch, name: str):
        self.monkeypatch = monkeypatch
        self.local = LocMemCache(f"worker-{name}", {"OPTIONS": {"MAX_ENTRIES": 300}})
        self.builds = 0

    def fragment(self, user, name: str, key: tuple, html: str | None = None) -> str:
        """``name``'s fragment for ``user`` as this process serves it; a build
        returns ``html``, or fails the test when None (it must come from a cache)."""

        def build() -> str:
            assert html is not None, f"{name} was built, not read from a cache"
            self.builds += 1
            return html

        self.monkeypatch.setattr(caching, "cache", self.local)
        request = RequestFactory().get("/")
        request.user = user
        return str(caching.cached_fragment(request, name, key, build))

    def get(self, client, url: str) -> tuple[str, str]:
        """A page as this process serves it, and its fragments' counts: "<from a
        cache> <built>"."""
        self.monkeypatch.setattr(caching, "cache", self.local)
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode(), response["X-Fragments"]


@pytest.fixture
def workers(monkeypatch):
    return Worker(monkeypatch, "a"), Worker(monkeypatch, "b")


def shared_rows() -> int:
    return SharedFragment.objects.count()


def test_a_fragment_one_process_built_is_read_by_the_other_without_building(workers, attendee):
    a, b = workers

    built = a.fragment(attendee, "tags", ("q",), "<p>Tags, as built</p>")
    read = b.fragment(attendee, "tags", ("q",))

    assert (built, read, a.builds, b.builds) == (
        "<p>Tags, as built</p>",
        "<p>Tags, as built</p>",
        1,
        0,
    )


def test_a_local_hit_costs_no_query_and_a_shared_hit_one(workers, attendee):
    a, b = workers
    a.fragment(attendee, "tags", ("q",), "<p>Tags</p>")
    b.fragment(attendee, "tags", ("other",), "<p>Read the counters first</p>")

    with CaptureQueriesContext(connection) as shared_hit:
        b.fragment(attendee, "tags", ("q",))  # the counters are read once per request
    with CaptureQueriesContext(connection) as local_hit:
        b.fragment(attendee, "tags", ("q",))

    # One to read the counters (a new request), one for the shared row; then only the
    # counters again, now that b keeps it in memory.
    assert (len(shared_hit.captured_queries), len(local_hit.captured_queries)) == (2, 1)


def test_a_write_makes_both_processes_rebuild_and_neither_serves_the_old_page(
    workers, attendee, settings
):
    settings.FRAGMENT_COUNTS_HEADER = True
    settings.MIDDLEWARE = ["common.caching.fragment_counts_header", *settings.MIDDLEWARE]
    a, b = workers
    event = EventFactory(name="Shared Conf")
    talk = TalkFactory(event=event)
    TakeawayFactory(event=event, talk=talk, text="The first takeaway")
    client = logged_in(attendee)
    url = reverse("talks:takeaway-list")
    first, built_by_a = a.get(client, url)
    read, read_by_b = b.get(client, url)
    assert "The first takeaway" in first and "The first takeaway" in read
    assert (built_by_a, read_by_b) == ("0 1", "1 0")

    TakeawayFactory(event=event, talk=talk, text="A takeaway written since")
    after_b, built_by_b = b.get(client, url)
    after_a, read_by_a = a.get(client, url)

    assert "A takeaway written since" in after_b and "A takeaway written since" in after_a
    assert (built_by_b, read_by_a) == ("0 1", "1 0")


def test_a_write_retires_the_shared_copy_for_both(workers, attendee):
    a, b = workers
    event = EventFactory()
    a.fragment(attendee, "event-notes", (event,), "<p>Before</p>")
    b.fragment(attendee, "event-notes", (event,))

    NoteFactory(talk=TalkFactory(event=event))
    # Neither may serve "Before" now: each builds, or reads what the other built since.
    after_a = a.fragment(attendee, "event-notes", (event,), "<p>After</p>")
    after_b = b.fragment(attendee, "event-notes", (event,))

    assert (after_a, after_b, a.builds, b.builds) == ("<p>After</p>", "<p>After</p>", 2, 0)
    assert shared_rows() == 1  # the newer version replaced the older one


def test_nothing_read_inside_a_transaction_is_stored_in_either_level(workers, attendee):
    a, b = workers
    with transaction.atomic():
        a.fragment(attendee, "tags", ("q",), "<p>Maybe rolled back</p>")

    assert shared_rows() == 0
    assert b.fragment(attendee, "tags", ("q",), "<p>Built</p>") == "<p>Built</p>"
    assert a.fragment(attendee, "tags", ("q",)) == "<p>Built</p>"  # from b, via the table
    assert (a.builds, b.builds) == (1, 1)


def test_the_copy_shared_by_readers_is_stored_nowhere_if_a_draft_was_saved_while_building(
    workers, attendee
):
    a, b = workers
    event = EventFactory()

    def build_while_saving_a_draft() -> str:
        NoteFactory(talk=TalkFactory(event=event), author=attendee, status=Note.Status.DRAFT)
        return "<p>Built with the builder's draft</p>"

    a.monkeypatch.setattr(caching, "cache", a.local)
    request = RequestFactory().get("/")
    request.user = attendee
    caching.cached_fragment(request, "takeaways", ("q",), build_while_saving_a_draft)

    assert shared_rows() == 0
    other_reader = UserFactory()  # has no drafts: would read the shared copy
    assert b.fragment(other_reader, "takeaways", ("q",), "<p>Without drafts</p>") == (
        "<p>Without drafts</p>"
    )


def test_another_release_does_not_read_the_fragment(workers, attendee, monkeypatch):
    a, b = workers
    a.fragment(attendee, "tags", ("q",), "<p>Rendered by the old templates</p>")

    monkeypatch.setattr(caching, "code_version", lambda: "another release")
    read = b.fragment(attendee, "tags", ("q",), "<p>Rendered by the new templates</p>")

    assert (read, b.builds) == ("<p>Rendered by the new templates</p>", 1)


def test_the_code_version_changes_with_a_template(settings, tmp_path):
    template = tmp_path / "page.html"
    template.write_text("<p>{{ old }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    caching.code_version.cache_clear()
    try:
        before = caching.code_version()
        template.write_text("<p>{{ new }}</p>")
        caching.code_version.cache_clear()
        after = caching.code_version()
    finally:
        caching.code_version.cache_clear()

    assert before != after


def test_an_expired_row_is_not_read(workers, attendee):
    a, b = workers
    a.fragment(attendee, "tags", ("q",), "<p>Old</p>")
    SharedFragment.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))

    assert b.fragment(attendee, "tags", ("q",), "<p>Rebuilt</p>") == "<p>Rebuilt</p>"


def add_rows(count: int, *, expired: bool = False, first: int = 0) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO common_sharedfragment (slot, cache_key, html, expires) "
            "SELECT n, 'k', 'x', now() + make_interval(secs => %s * (n + 1)) "
            "FROM generate_series(%s, %s) n",
            [-60 if expired else 60, first, first + count - 1],
        )


def test_culling_deletes_expired_rows_then_the_least_recent_beyond_the_bound(monkeypatch):
    monkeypatch.setattr(caching, "SHARED_MAX_ROWS", 5)
    add_rows(3, expired=True, first=100)
    add_rows(8)  # slot n expires 60 * (n + 1) s from now: 0 is the least recent

    deleted = caching.cull_shared()

    assert deleted == 6
    assert sorted(SharedFragment.objects.values_list("slot", flat=True)) == [3, 4, 5, 6, 7]


def test_storing_culls_at_most_once_a_minute_per_process(workers, attendee, monkeypatch):
    a, _ = workers
    monkeypatch.setitem(caching._last_cull, "at", float("-inf"))
    add_rows(2, expired=True, first=100)
    a.fragment(attendee, "tags", ("one",), "<p>One</p>")
    assert shared_rows() == 1  # the expired rows went, the new one stayed

    add_rows(2, expired=True, first=200)
    a.fragment(attendee, "tags", ("two",), "<p>Two</p>")
    assert shared_rows() == 4  # within the minute: not culled again


def test_clearing_the_cache_empties_both_levels(attendee):
    client = logged_in(attendee)
    client.get(reverse("talks:takeaway-list"))
    assert shared_rows() > 0

    cache.clear()

    assert shared_rows() == 0


def test_the_table_is_a_cache_postgresql_does_not_log():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = 'common_sharedfragment'"
        )
        assert cursor.fetchone() == ("u",)


def test_a_shared_table_that_cannot_be_used_means_building_not_an_error_page(attendee, caplog):
    TakeawayFactory(text="Still shown")
    client = logged_in(attendee)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE common_sharedfragment RENAME TO common_sharedfragment_away")
    try:
        response = client.get(reverse("talks:takeaway-list"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE common_sharedfragment_away RENAME TO common_sharedfragment")

    assert response.status_code == 200
    assert "Still shown" in response.content.decode()
    assert [r.getMessage() for r in caplog.records if r.name == "common.caching"] == [
        "Could not read a shared fragment.",
        "Could not store a shared fragment.",
    ]
