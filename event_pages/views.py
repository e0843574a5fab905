"""The event, talk and open-space pages. Each shows talks' things (sessions, notes,
takeaways) with action points and the links to write notes, follow and export, so
they live above every app they show; talks names their addresses
(``talks.urls.urlconf``)."""

import functools

from django.contrib.postgres.fields import ArrayField
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Model, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.decorators.http import require_safe

from actions.models import ActionPoint
from common.caching import Newest
from common.roles import sees_everyones_follow_ups
from talks.feeds import signed_feed_url
from talks.models import Event, Follow, OpenSpace, Takeaway, Talk, programme
from talks.tagging import tagged_item_model

# The event page shows the newest takeaways, action points and notes on its sessions,
# and links to the rest (its cost is rendering: the biggest event has ~750 rows).
TAKEAWAYS_ON_EVENT_PAGE = 30
ACTION_POINTS_ON_EVENT_PAGE = 30
SESSION_NOTES_PER_PAGE = 30
# Notes on the event as a whole are shown in full.
EVENT_NOTES_PER_PAGE = 20

# What the lists show of a row: when and where a session sits in the programme; the
# talk or open space a note, takeaway or action point came from; who wrote it.
SCHEDULED_COLUMNS = ("event_id", "day", "starts_at", "room", "created_at")
SOURCE_COLUMNS = (
    "event_id",
    "talk__slug",
    "talk__title",
    "open_space__slug",
    "open_space__topic",
)
SESSION_IDS = ("event_id", "talk_id", "open_space_id")
NAME_FIELDS = ("username", "first_name", "last_name")
AUTHOR_COLUMNS = tuple(f"author__{field}" for field in NAME_FIELDS)
ASSIGNEE_COLUMNS = tuple(f"assignee__{field}" for field in NAME_FIELDS)


# The event page reads each row's tags (the event's own, each list's rows', and a
# talk's speakers) as an array of [name, slug] pairs in the row's own query, written
# in SQL: the same subquery built by the ORM (an ArraySubquery of JSONObject) cost
# more to build and compile than it took to run, and its JSON more to decode:
# together about 40 % of loading the 112 talks of the biggest event, and 0.4 ms of
# the event's own query, which every request runs. Every name in the SQL comes from
# the models' metadata.


@functools.cache
def _pairs_sql(model: type[Model], link: type[Model], to: str, order: str) -> str:
    """``[[name, slug], …]`` of the rows of ``link`` (a through table) that point at
    the outer query's row and, through its field ``to``, at a row with a name and a
    slug, ordered by ``order`` (SQL over the aliases ``link`` and ``named``)."""
    q = connection.ops.quote_name
    outer = link._meta.get_field(to).remote_field.model  # the named model
    (source,) = [
        field
        for field in link._meta.concrete_fields
        if field.is_relation and field.related_model is model
    ]
    # Names from the models' metadata only, quoted: nothing a request brings.
    return (
        f"ARRAY(SELECT ARRAY[named.{q('name')}, named.{q('slug')}] "  # noqa: S608
        f"FROM {q(link._meta.db_table)} link JOIN {q(outer._meta.db_table)} named "
        f"ON named.{q(outer._meta.pk.column)} = link.{q(link._meta.get_field(to).column)} "
        f"WHERE link.{q(source.column)} = {q(model._meta.db_table)}.{q(model._meta.pk.column)} "
        f"ORDER BY {order})"
    )


def _pairs(sql: str) -> RawSQL:
    return RawSQL(sql, (), output_field=ArrayField(ArrayField(TextField())))  # noqa: S611


def tag_pairs(model: type[Model]) -> RawSQL:
    """A row's tags by name, as ``[[name, slug], …]``."""
    return _pairs(_pairs_sql(model, tagged_item_model(model), "tag", 'named."name"'))


def speaker_pairs() -> RawSQL:
    """A talk's speakers by name, as ``[[name, slug], …]``."""
    through = Talk.speakers.through
    return _pairs(_pairs_sql(Talk, through, "speaker", 'named."name", link."speaker_id"'))


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.annotate(tag_rows=tag_pairs(Event)), slug=slug)
    user = request.user
    talks = SimpleLazyObject(lambda: list(_talks(event)))
    open_spaces = SimpleLazyObject(lambda: list(_open_spaces(event)))
    note_counts = SimpleLazyObject(lambda: _note_counts(event, user))
    # Everything below the event's heading is lazy, its querysets too (building them
    # costs a page served from the cache a few milliseconds): the template's cached
    # fragments (common.caching) query only when they are built.
    context = {
        "event": event,
        "talks": talks,
        "open_spaces": open_spaces,
        # Built from the two lists above when first used (no further queries).
        "programme": SimpleLazyObject(lambda: programme([*talks, *open_spaces])),
        "event_notes": SimpleLazyObject(
            lambda: CountedPaginator(
                _event_notes(event, user), EVENT_NOTES_PER_PAGE, count=note_counts["on_event"]
            ).get_page(request.GET.get("event_notes_page"))
        ),
        "session_notes": SimpleLazyObject(
            lambda: CountedPaginator(
                _session_notes(event, user),
                SESSION_NOTES_PER_PAGE,
                count=note_counts["on_sessions"],
            ).get_page(request.GET.get("session_notes_page"))
        ),
        "takeaways": SimpleLazyObject(
            lambda: _from_sessions(
                Newest(_takeaways(event, user), TAKEAWAYS_ON_EVENT_PAGE), talks, open_spaces
            )
        ),
        "action_points": SimpleLazyObject(
            lambda: _from_sessions(
                Newest(_action_points(event, user), ACTION_POINTS_ON_EVENT_PAGE),
                talks,
                open_spaces,
            )
        ),
        "sees_everyones_follow_ups": sees_everyones_follow_ups(user),
        "feed_url": signed_feed_url("talks:event-feed", event.slug, user),
        "following": Follow.objects.of(user).filter(event=event).exists(),
    }
    return render(request, "event_pages/event_detail.html", context)


# The event page's lists load only the columns they show (and the programme's order);
# rows loaded through the event's related managers know their event without a join.


def _talks(event: Event) -> QuerySet:
    return (
        event.talks.in_programme_order()
        .only(*SCHEDULED_COLUMNS, "title", "slug", "kind")
        .annotate(tag_rows=tag_pairs(Talk), speaker_rows=speaker_pairs())
    )


def _open_spaces(event: Event) -> QuerySet:
    return (
        event.open_spaces.in_programme_order()
        .only(*SCHEDULED_COLUMNS, "topic", "slug", "convenor", "session_label")
        .annotate(tag_rows=tag_pairs(OpenSpace))
    )


# Notes on the event as a whole, and on its sessions: the two lists' filters.
ON_THE_EVENT = Q(talk=None, open_space=None)


class CountedPaginator(Paginator):
    """A paginator told how many rows its list has (both lists of notes are counted
    in one query), rather than counting them itself."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


def _note_counts(event: Event, user) -> dict[str, int]:
    """How many notes on the event as a whole, and on its sessions, ``user`` sees."""
    return event.notes.visible_to(user).aggregate(
        on_event=Count("pk", filter=ON_THE_EVENT), on_sessions=Count("pk", filter=~ON_THE_EVENT)
    )


def _event_notes(event: Event, user) -> QuerySet:
    """Notes on the event as a whole, newest first, as their bylines and bodies show."""
    return (
        event.notes.visible_to(user)
        .filter(ON_THE_EVENT)
        .select_related("author")
        .only(
            "event_id",
            *AUTHOR_COLUMNS,
            "title",
            "body_html",
            "status",
            "created_at",
            "published_at",
        )
        .order_by("-created_at", "-pk")
    )


def _session_notes(event: Event, user) -> QuerySet:
    """Notes on the event's sessions, newest first, as links with their source."""
    return (
        event.notes.visible_to(user)
        .exclude(ON_THE_EVENT)
        .select_related("talk", "open_space", "author")
        .only(*SOURCE_COLUMNS, "title", "status", *AUTHOR_COLUMNS)
        .order_by("-created_at", "-pk")
    )


# Takeaways and action points name their talk or open space from the event's lists,
# which the same fragment loads anyway (the database holds a row's session to its
# event): no join to either, which was most of planning their queries.


def _takeaways(event: Event, user) -> QuerySet:
    return (
        event.takeaways.visible_to(user)
        .select_related("author")
        .only(*SESSION_IDS, "text", "created_at", *AUTHOR_COLUMNS)
        .annotate(tag_rows=tag_pairs(Takeaway))
        .newest_first()
    )


def _action_points(event: Event, user) -> QuerySet:
    return (
        event.actionpoints.visible_to(user)
        .select_related("assignee")
        .annotate(tag_rows=tag_pairs(ActionPoint))
        .only(*SESSION_IDS, "title", "status", "due_on", *ASSIGNEE_COLUMNS)
        .order_by("-created_at", "-pk")
    )


def _from_sessions(rows: Newest, talks: list[Talk], open_spaces: list[OpenSpace]) -> Newest:
    """``rows`` (takeaways or action points of the event) with their talk or open space
    set from the event's lists; one that a list lacks (added since it was read) is
    read by itself."""
    talk_by_id = {talk.pk: talk for talk in talks}
    space_by_id = {space.pk: space for space in open_spaces}
    shown = list(rows)
    missing_talks = {row.talk_id for row in shown if row.talk_id} - talk_by_id.keys()
    missing_spaces = {row.open_space_id for row in shown if row.open_space_id} - space_by_id.keys()
    if missing_talks:
        talk_by_id |= Talk.objects.only("event_id", "title", "slug").in_bulk(missing_talks)
    if missing_spaces:
        space_by_id |= OpenSpace.objects.only("event_id", "topic", "slug").in_bulk(missing_spaces)
    for row in shown:
        if row.talk_id:
            row.talk = talk_by_id[row.talk_id]
        elif row.open_space_id:
            row.open_space = space_by_id[row.open_space_id]
    return rows


def _session_page(
    request: HttpRequest, model: type[Talk] | type[OpenSpace], event_slug: str, slug: str
) -> HttpResponse:
    """A talk's or an open space's page: the session, and its notes, takeaways and
    action points. The template and the session's name in it follow the model
    (``talk_detail.html`` with ``talk``, ``open_space_detail.html`` with ``open_space``)."""
    # The heading's tags and speakers come in the session's own query; the lists below
    # it are lazy, as on the event page: a page served from its cached fragments runs
    # none of their queries, nor builds them.
    heading = {"tag_rows": tag_pairs(model)}
    if model is Talk:
        heading["speaker_rows"] = speaker_pairs()
    session = get_object_or_404(
        model.objects.select_related("event").annotate(**heading), event__slug=event_slug, slug=slug
    )
    name = "talk" if model is Talk else "open_space"
    user = request.user
    context = {
        name: session,
        "event": session.event,
        "notes": SimpleLazyObject(lambda: session.notes.visible_to(user).select_related("author")),
        "takeaways": SimpleLazyObject(
            lambda: session.takeaways.visible_to(user).with_listing_relations().newest_first()
        ),
        "action_points": SimpleLazyObject(
            lambda: (
                ActionPoint.objects.filter(**{name: session})
                .visible_to(user)
                .with_listing_relations()
            )
        ),
    }
    return render(request, f"event_pages/{name}_detail.html", context)


@require_safe
def talk_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    return _session_page(request, Talk, event_slug, slug)


@require_safe
def open_space_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    return _session_page(request, OpenSpace, event_slug, slug)
