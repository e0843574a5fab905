"""Page fragments cached under the versions of what they show, so they are never stale.

PostgreSQL counts the commits that change what pages show, per scope (the table
``talks_contentversion``, bumped by triggers at commit, migrations talks 0015,
actions 0015 and 0022): one counter per kind of content (``KINDS``), one per event
(any row that belongs to it), one per assignee (their action points), "all" (every
change) and "epoch" (a TRUNCATE, which names no rows). Writes from any path count:
forms, the admin, imports, bulk updates, raw SQL; a transaction that rolls back
counts nothing.

Each fragment declares what it shows (``FRAGMENTS``, keyed by the name its template
gives it): the kinds, and whether it shows one event only (its first key part is the
event, or a talk or open space of it), in which case the rows of that event count
through the event's counter instead of their kinds'. One person's action points have
a counter too, "assignee:<user id>" (actions 0022): bumped for the old and the new
assignee of an action point written (its tags and history too), and for the
assignees of the action points written with a note that becomes, or stops being, a
draft. A fragment that shows one person's action points only (``per_assignee``: its
first key part is that user) depends on that counter instead of "action_points", so
a follow-up raised for nobody, or someone else's changed, leaves their list cached.

A fragment is stored under the counters of what it shows (read before it is built)
and today's date (overdue marks
change without a write): a change to anything it shows moves it to a new key, and a
change to anything else leaves it cached. So a note written at one event leaves the
other events' pages, the tag list, the overview... as they were, which one counter
for everything did not. A fragment built from data newer than the counters it is
stored under is harmless: readers that read those counters before the change see a
page at least as new as their own reads, and later readers read newer counters.

Getting a dependency wrong serves a stale page, which is worse than a slow one, so:
a kind is declared when the fragment shows anything of it, even only a name (users'
names are "people", and so are roles and permissions, which decide links); "drafts"
(which notes are drafts, and whose) when it lists takeaways or action points hidden
while their note is a draft (a per-assignee fragment's counter already counts that
of its action points); and a fragment nobody declared depends on "all", as every
fragment did before.

Readers' own drafts: lists of takeaways and action points show a reader the rows of
their own draft notes too, so those fragments were kept per reader. Declared with
``readers_drafts``, they are kept per reader only for readers who have a draft note
(few); everyone else shares one copy, which is exactly what anybody without drafts
sees. That copy is stored only if the counters it depends on and the reader's
having no drafts still hold after it is built: a draft its builder saved meanwhile
must not reach the shared copy.

The counters a request needs are read in one query (the first fragment reads every
kind's counter, the reader's own "assignee:" counter, its event's and whether the
reader has drafts; a second event or another person's list on the same page costs
one more). Fragments with something personal in them (a user's follow-ups, their
Edit links, what their role sees) carry that in the key their template gives them.

Two levels, so that a change costs one build, not one per web process: the process's
memory (``CACHES``; a hit there costs no query), then a table every process shares
(``common.SharedFragment``, one query on a local miss). A fragment built is stored in
both, under the same key, by the same rule (nothing read inside a transaction; the
copy shared by readers only if nothing changed while it was built), so a copy another
process built is exactly what this one would have stored: never stale. The key also
carries a hash of the code (``code_version()``), so that processes running another
release never read each other's fragments. The table keeps one row per fragment and
key (its newest version replaces the last), rows expire with ``FRAGMENT_TIMEOUT``, and
storing culls at most once a minute per process (expired rows, then the least recent
beyond ``SHARED_MAX_ROWS``): nothing else has to run. ``cache.clear()`` empties both
levels (``LocalAndShared``).
"""

import functools
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connection, models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

# Old versions' fragments are never read again; the cache's size bound evicts them.
FRAGMENT_TIMEOUT = 60 * 60
# The shared table: at most this many rows (a few KB to about 150 KB of HTML each, which
# PostgreSQL compresses), culled at most every CULL_EVERY seconds by each process.
SHARED_MAX_ROWS = 2000
CULL_EVERY = 60.0

# The kinds of content, each with its counter (what the triggers bump for each table).
EVENTS = "events"  # events and their tags
SESSIONS = "sessions"  # talks, open spaces, their speakers and tags
SPEAKERS = "speakers"
NOTES = "notes"
DRAFTS = "drafts"  # which notes are drafts, and whose
TAKEAWAYS = "takeaways"  # and their tags
ACTION_POINTS = "action_points"  # and their tags and history
TAGS = "tags"  # the tags themselves: names and slugs
FOLLOWS = "follows"
PEOPLE = "people"  # users' names, roles (groups) and permissions
KINDS = (EVENTS, SESSIONS, SPEAKERS, NOTES, DRAFTS, TAKEAWAYS, ACTION_POINTS, TAGS, FOLLOWS,
         PEOPLE)  # fmt: skip
EVERYTHING = "all"  # bumped by every change
EPOCH = "epoch"  # bumped by a TRUNCATE: every fragment depends on it


@dataclass(frozen=True)
class Shows:
    """What a fragment shows. ``per_event``: one event's rows only (its first key part
    is the event or a row with ``event_id``), counted by that event's counter, plus
    ``kinds`` for what it shows of other rows (names of people, speakers, tags).
    ``per_assignee``: of action points, only those assigned to one person (its first
    key part is that user, or their id), counted by that person's counter, which
    also counts their action points' tags, history and notes' drafts, plus ``kinds``
    for the rest (events, sessions, tags: names). ``readers_drafts``: it lists rows
    visible to their draft note's author only, so it is kept per reader for readers
    with drafts (the template leaves the reader out of its key)."""

    kinds: frozenset[str]
    per_event: bool = False
    readers_drafts: bool = False
    per_assignee: bool = False


def shows(
    *kinds: str, per_event: bool = False, readers_drafts: bool = False, per_assignee: bool = False
) -> Shows:
    unknown = set(kinds) - {*KINDS, EVERYTHING}
    if unknown:
        raise ValueError(f"Unknown kinds of content: {sorted(unknown)}.")
    if per_assignee and (per_event or ACTION_POINTS in kinds):
        # Its action points count through their assignee's counter, not everyone's.
        raise ValueError("A per-assignee fragment depends on neither action_points nor an event.")
    return Shows(frozenset(kinds), per_event, readers_drafts, per_assignee)


# Every {% fragment %} by name: what it shows (read the template and the view's
# querysets: names, sources, tags, counts, what drafts hide). Keep it next to the
# template when one changes. A name missing here depends on everything.
FRAGMENTS: dict[str, Shows] = {
    # My open follow-ups (their sources, tags) and how many: what drafts hide of them
    # counts through my counter too.
    "dashboard-my-follow-ups": shows(EVENTS, SESSIONS, TAGS, per_assignee=True),
    # What I follow (events, tags) and the newest takeaways (authors, sources, tags)
    # and published notes there.
    "dashboard-followed": shows(EVENTS, SESSIONS, NOTES, DRAFTS, TAKEAWAYS, TAGS, FOLLOWS, PEOPLE),
    # Recent takeaways (authors, sources at their events, tags).
    "dashboard-everyones": shows(
        EVENTS, SESSIONS, TAKEAWAYS, DRAFTS, TAGS, PEOPLE, readers_drafts=True
    ),
    # Recent events (names, dates, places); the key says whether the reader is staff
    # (an empty list offers staff the admin's form).
    "dashboard-events": shows(EVENTS),
    # Popular tags: names and uses by talks, open spaces, takeaways and action points
    # (not events'; not drafts', so the same for every reader).
    "dashboard-tags": shows(TAGS, SESSIONS, TAKEAWAYS, ACTION_POINTS, DRAFTS),
    # Takeaways with filters: tag facets, events, speakers, authors.
    "takeaways": shows(
        EVENTS, SESSIONS, SPEAKERS, TAKEAWAYS, DRAFTS, TAGS, PEOPLE, readers_drafts=True
    ),
    # Counts of published action points per status, event and assignee, overdue ones.
    "overview": shows(EVENTS, SESSIONS, ACTION_POINTS, DRAFTS, PEOPLE),
    # Everyone's or one assignee's follow-ups with sources, assignees, tags; the
    # filters' errors (unknown events, tags, usernames).
    "follow-ups": shows(EVENTS, SESSIONS, ACTION_POINTS, DRAFTS, TAGS, PEOPLE),
    # The reader's own follow-ups (sources, tags), what drafts hide of them counting
    # through their counter; the filters' errors (unknown events, tags, usernames).
    "my-follow-ups": shows(EVENTS, SESSIONS, TAGS, PEOPLE, per_assignee=True),
    # The follow-ups filters' suggestions: the newest events; the busiest assignees
    # (counted over published action points still to do).
    "follow-ups-events": shows(EVENTS),
    "follow-ups-assignees": shows(ACTION_POINTS, DRAFTS, PEOPLE),
    "search": shows(
        EVENTS, SESSIONS, SPEAKERS, NOTES, DRAFTS, TAKEAWAYS, ACTION_POINTS, TAGS, PEOPLE
    ),
    # Tags with their uses (not counting what drafts hide).
    "tags": shows(TAGS, EVENTS, SESSIONS, TAKEAWAYS, ACTION_POINTS, DRAFTS),
    "tag-usage": shows(TAGS, EVENTS, SESSIONS, TAKEAWAYS, ACTION_POINTS, DRAFTS),
    # What carries a tag, a fragment per kind, each with its count (kept per tag by the
    # tag links' triggers, so moved by the writes that move the rows) and its rows'
    # tags, event and source: talks with their speakers; open spaces; takeaways
    # (authors; drafts' left out) and action points (assignees; drafts' left out).
    "tag-talks": shows(TAGS, EVENTS, SESSIONS, SPEAKERS),
    "tag-open-spaces": shows(TAGS, EVENTS, SESSIONS),
    "tag-takeaways": shows(TAGS, EVENTS, SESSIONS, TAKEAWAYS, DRAFTS, PEOPLE),
    "tag-follow-ups": shows(TAGS, EVENTS, SESSIONS, ACTION_POINTS, DRAFTS, PEOPLE),
    # "Nothing carries this tag": every count, as "tag-usage" (no tag's name).
    "tag-empty": shows(EVENTS, SESSIONS, TAKEAWAYS, ACTION_POINTS, DRAFTS),
    # An event's talks (speakers, tags), open spaces, takeaways and action points.
    "event-sessions": shows(SPEAKERS, TAGS, PEOPLE, per_event=True, readers_drafts=True),
    "event-notes": shows(PEOPLE, per_event=True),
    "session-notes": shows(PEOPLE, per_event=True),
    "session-follow-ups": shows(TAGS, PEOPLE, per_event=True, readers_drafts=True),
    # The admin's action point changelist (every row, drafts' too): rows with their
    # assignees' names and versions, the busiest assignees (published rows only),
    # the events with rows, the tags most used on them, the due-date hierarchy.
    "admin-action-points": shows(ACTION_POINTS, PEOPLE, EVENTS, TAGS, DRAFTS),
}
UNDECLARED = shows(EVERYTHING)


@dataclass
class Versions:
    """The counters a request has read, and whether its reader has draft notes."""

    counters: dict[str, int]
    reader_has_drafts: bool


def _read_versions(request: HttpRequest, scopes: set[str]) -> Versions:
    """``scopes``' counters (0 for one never bumped) and the reader's drafts, in one
    query."""
    user = getattr(request, "user", None)
    reader = user.pk if user is not None and user.is_authenticated else None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT scope, version FROM talks_contentversion WHERE scope = ANY(%s) "
            "UNION ALL SELECT '', count(*) FROM (SELECT FROM talks_note "
            "WHERE author_id = %s AND status = 'draft' LIMIT 1) drafts",
            [sorted(scopes), reader],
        )
        rows = dict(cursor.fetchall())
    has_drafts = bool(rows.pop(""))
    return Versions({scope: rows.get(scope, 0) for scope in scopes}, has_drafts)


def content_versions(request: HttpRequest, scopes: set[str]) -> Versions | None:
    """The counters of ``scopes``, read once per request (every kind's with the
    first); None when nothing may be cached.

    Inside a transaction a page could show its own uncommitted writes (and they may
    roll back), so nothing read there is cached."""
    if connection.in_atomic_block:
        return None
    known: Versions | None = getattr(request, "_content_versions", None)
    if known is None:
        # The reader's own follow-ups are the lists kept per assignee that pages show.
        user = getattr(request, "user", None)
        own = {assignee_scope(user.pk)} if user is not None and user.is_authenticated else set()
        known = _read_versions(request, {EVERYTHING, EPOCH, *KINDS, *own, *scopes})
        request._content_versions = known
    elif missing := scopes - known.counters.keys():
        known.counters.update(_read_versions(request, missing).counters)
    return known


def query_key(request: HttpRequest) -> tuple:
    """The query string as part of a key: parameters sorted, repeated values in order."""
    return tuple(sorted((name, tuple(values)) for name, values in request.GET.lists()))


KEY_TYPES = (str, int, bool, type(None))


def key_part(value):
    """A key part whose repr names it exactly: a row becomes (model, pk); anything
    else that is not a plain value is refused rather than risk two fragments sharing a
    key (a model instance's repr is only its name)."""
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk)
    if isinstance(value, tuple | list):
        return tuple(key_part(item) for item in value)
    if isinstance(value, KEY_TYPES):
        return value
    raise TypeError(f"A fragment key part must be a row or a plain value, not {value!r}.")


def assignee_scope(user) -> str:
    """The counter of one person's action points: a per-assignee fragment's first key
    part, a user or a user's id."""
    pk = user.pk if isinstance(user, models.Model) else user
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise TypeError(f"A per-assignee fragment's first key part must be a user, not {user!r}.")
    return f"assignee:{pk}"


def event_of(row) -> int:
    """The event a per-event fragment shows: its first key part, an event or a row of one."""
    if not isinstance(row, models.Model):
        raise TypeError(f"A per-event fragment's first key part must be a row, not {row!r}.")
    return row.event_id if hasattr(row, "event_id") else row.pk


def _count(request: HttpRequest, what: str) -> None:
    counts = request.__dict__.setdefault("_fragment_counts", {"hits": 0, "builds": 0})
    counts[what] += 1


def cached_fragment(
    request: HttpRequest, name: str, key: tuple, build: Callable[[], str]
) -> SafeString:
    """``build()``'s HTML, from the cache when nothing it shows changed since it was built."""
    fragment = FRAGMENTS.get(name, UNDECLARED)
    scopes = {EPOCH, *fragment.kinds}
    if fragment.per_event:
        scopes.add(f"event:{event_of(key[0])}")
    if fragment.per_assignee:
        scopes.add(assignee_scope(key[0]))
    versions = content_versions(request, scopes)
    if versions is None:
        return mark_safe(build())  # noqa: S308 - rendered template output, escaped there
    counters = tuple(sorted((scope, versions.counters[scope]) for scope in scopes))
    reader = None
    shared_by_readers = False
    if fragment.readers_drafts:
        if versions.reader_has_drafts:
            reader = request.user.pk
        else:
            shared_by_readers = True
    # Today is part of every key: pages mark overdue follow-ups without any write.
    today = timezone.localdate().isoformat()
    which = (name, reader, key_part(key))
    digest = hashlib.sha256(repr((which, counters, today, code_version())).encode()).hexdigest()
    cache_key = f"fragment:{digest}"
    html = cache.get(cache_key)
    if html is None and (html := shared_get(slot_of(which), digest)) is not None:
        cache.set(cache_key, html, FRAGMENT_TIMEOUT)  # another process built it
    if html is not None:
        _count(request, "hits")
        return mark_safe(html)  # noqa: S308 - rendered template output, escaped there
    _count(request, "builds")
    html = str(build())
    if shared_by_readers:
        # Built with the reader's drafts if they saved one meanwhile: shared only if
        # nothing it shows changed and they still have none.
        after = _read_versions(request, scopes)
        if after.reader_has_drafts or any(
            after.counters[scope] != versions.counters[scope] for scope in scopes
        ):
            return mark_safe(html)  # noqa: S308 - rendered template output, escaped there
    cache.set(cache_key, html, FRAGMENT_TIMEOUT)
    shared_set(slot_of(which), digest, html)
    return mark_safe(html)  # noqa: S308 - rendered template output, escaped there


# --- The level the processes share ------------------------------------------------------


def slot_of(which: tuple) -> int:
    """The shared table's row for a fragment and key, whatever their versions: 64 bits
    of their hash (a signed bigint)."""
    return int.from_bytes(hashlib.sha256(repr(which).encode()).digest()[:8], "big", signed=True)


def shared_get(slot: int, digest: str) -> str | None:
    """The fragment another process stored under exactly this key, if not expired."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT html FROM common_sharedfragment "
                "WHERE slot = %s AND cache_key = %s AND expires > now()",
                [slot, digest],
            )
            row = cursor.fetchone()
    except DatabaseError:
        # A cache that cannot be read is a miss (the page is built), not an error page.
        logger.warning("Could not read a shared fragment.", exc_info=True)
        return None
    return row[0] if row else None


_last_cull = {"at": float("-inf")}
_cull_lock = threading.Lock()


def shared_set(slot: int, digest: str, html: str) -> None:
    """Store a fragment for the other processes, replacing the row's older version;
    cull the table if this process has not for CULL_EVERY seconds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO common_sharedfragment (slot, cache_key, html, expires) "
                "VALUES (%s, %s, %s, now() + make_interval(secs => %s)) "
                "ON CONFLICT (slot) DO UPDATE SET cache_key = EXCLUDED.cache_key, "
                "html = EXCLUDED.html, expires = EXCLUDED.expires",
                [slot, digest, html, FRAGMENT_TIMEOUT],
            )
    except DatabaseError:
        logger.warning("Could not store a shared fragment.", exc_info=True)
        return
    with _cull_lock:
        due = time.monotonic() - _last_cull["at"] >= CULL_EVERY
        if due:
            _last_cull["at"] = time.monotonic()
    if due:
        cull_shared()


def cull_shared() -> int:
    """Delete the expired rows of the shared table, and the least recently stored beyond
    SHARED_MAX_ROWS; return how many went."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM common_sharedfragment WHERE expires <= now() OR slot IN ("
                "SELECT slot FROM common_sharedfragment ORDER BY expires DESC OFFSET %s)",
                [SHARED_MAX_ROWS],
            )
            return cursor.rowcount
    except DatabaseError:
        logger.warning("Could not cull the shared fragments.", exc_info=True)
        return 0


def clear_shared() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM common_sharedfragment")


class LocalAndShared(LocMemCache):
    """The process's memory (Django's local-memory cache), whose ``clear()`` also
    empties the table the processes share: "the cache emptied" means both levels, as
    tests and the benchmark's built figures need."""

    def clear(self) -> None:
        super().clear()
        clear_shared()


@functools.cache
def code_version() -> str:
    """A hash of the code and templates that render pages (the project's apps, its
    settings among them, template and static directories, the locked requirements), computed
    once per process: part of every fragment's key, so that a process never reads a
    fragment another release rendered from the shared table."""
    base = Path(settings.BASE_DIR).resolve()
    roots = {Path(config.path).resolve() for config in apps.get_app_configs()}
    roots = {root for root in roots if root.is_relative_to(base)}
    for engine in settings.TEMPLATES:
        roots.update(Path(directory).resolve() for directory in engine.get("DIRS", ()))
    for directory in settings.STATICFILES_DIRS:  # a path, or (prefix, path)
        roots.add(Path(directory[1] if isinstance(directory, tuple) else directory).resolve())
    files = set(base.glob("*.lock"))
    for root in roots:
        for directory, subdirectories, names in os.walk(root):
            subdirectories[:] = [name for name in subdirectories if name != "__pycache__"]
            files.update(Path(directory, name) for name in names)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(f"{path.relative_to(base) if path.is_relative_to(base) else path}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fragment_counts_header(get_response: Callable) -> Callable:
    """Middleware (installed when ``settings.FRAGMENT_COUNTS_HEADER`` is on, as the
    benchmark does): ``X-Fragments: <from the cache> <built>`` on every response
    that rendered fragments, so a load test can tell the share served from the cache."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        counts = getattr(request, "_fragment_counts", None)
        if counts is not None and getattr(settings, "FRAGMENT_COUNTS_HEADER", False):
            response["X-Fragments"] = f"{counts['hits']} {counts['builds']}"
        return response

    return middleware


# Lists for fragments: loaded when first rendered, so a cached fragment costs no query.


class Newest:
    """The first ``limit`` rows of ``queryset`` and whether there are more (one query,
    run when first iterated or asked)."""

    def __init__(self, queryset, limit: int):
        self.queryset = queryset
        self.limit = limit

    @cached_property
    def _rows(self) -> list:
        return list(self.queryset[: self.limit + 1])

    @property
    def more(self) -> bool:
        return len(self._rows) > self.limit

    def __iter__(self):
        return iter(self._rows[: self.limit])

    def __len__(self) -> int:
        return min(len(self._rows), self.limit)

    def __bool__(self) -> bool:
        return bool(self._rows)


def lazy_page(queryset, per_page: int, number) -> Page:
    """``Paginator(queryset, per_page).get_page(number)``, counted and loaded when the
    template first uses it."""
    return SimpleLazyObject(lambda: Paginator(queryset, per_page).get_page(number))
