"""Tags across both apps: how often each is used, and what carries one.

Counts come from the use counters the database keeps per tag (``talks.models.TagUse``),
never from ``obj.tags``; the lists use the models' named eager loading, and load only
the columns they show."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import F, IntegerField, Model, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from taggit.models import Tag

from actions.models import ActionPoint
from common.roles import sees_everyones_follow_ups
from talks.feeds import signed_feed_url
from talks.models import (
    OpenSpace,
    Speaker,
    Takeaway,
    Talk,
)
from talks.templatetags.takeaway_rows import CARD_COLUMNS

# What a tag page lists of each kind before pointing to the full list.
SECTION_LIMIT = 20


# Each annotation and the ``TagUse`` column that keeps it.
COUNT_COLUMNS = {
    "event_count": "events",
    "talk_count": "talks",
    "open_space_count": "open_spaces",
    "takeaway_count": "takeaways",
    "action_point_count": "action_points",
}
KIND_COUNTS = ("talk_count", "open_space_count", "takeaway_count", "action_point_count")


def _counted() -> QuerySet[Tag]:
    """Tags with their counts, read from the counters the database keeps as tags
    are added and removed (``TagUse``: a row or a few per tag), instead of counting
    a million tag links per page."""
    return Tag.objects.annotate(
        **{
            name: Coalesce(Sum(f"use_counts__{column}"), 0, output_field=IntegerField())
            for name, column in COUNT_COLUMNS.items()
        }
    )


def tag_usage() -> QuerySet[Tag]:
    """Tags with ``talk_count``, ``open_space_count``, ``takeaway_count``,
    ``action_point_count`` and their ``total``, and ``event_count`` apart: events
    are not what people browse tags for, but a tag on an event is not unused."""
    return _counted().annotate(total=sum((F(name) for name in KIND_COUNTS[1:]), F(KIND_COUNTS[0])))


def usage_of(tag: Tag) -> Tag:
    """``tag`` as a ``tag_usage()`` row (one query)."""
    counted = _counted().get(pk=tag.pk)
    counted.total = sum(getattr(counted, name) for name in KIND_COUNTS)
    return counted


def by_use(tags: QuerySet[Tag]) -> QuerySet[Tag]:
    """Most used first, then by name; unused tags end up last."""
    return tags.order_by("-total", "name")


def popular_tags(limit: int = 20) -> list[Tag]:
    """The ``limit`` most used tags, each with ``total``: how many talks, open spaces,
    takeaways and action points carry it (as in ``tag_usage``: not events, nor the
    takeaways and action points of draft notes); most used first, then by name.
    Read from the use counters: one query over their index. Only the tags that can
    make the list (a total at least the ``limit``-th largest) are joined to their names,
    where ranking every tag by total and name cost the dashboard about twice as much.
    """
    if limit <= 0:
        return []
    sql = """
        WITH totals AS MATERIALIZED (
            SELECT tag_id, sum(talks + open_spaces + takeaways + action_points) AS total
            FROM talks_taguse GROUP BY tag_id
            HAVING sum(talks + open_spaces + takeaways + action_points) > 0
        )
        SELECT g.id, g.name, g.slug, t.total FROM totals t JOIN taggit_tag g ON g.id = t.tag_id
        WHERE t.total >= COALESCE(
            (SELECT total FROM totals ORDER BY total DESC OFFSET %s LIMIT 1), 0
        )
        ORDER BY t.total DESC, g.name LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit - 1, limit])
        rows = cursor.fetchall()
    tags = []
    for tag_id, name, slug, total in rows:
        tag = Tag(id=tag_id, name=name, slug=slug)
        tag.total = total
        tags.append(tag)
    return tags


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    count: int
    items: list[Model]
    # The full, filtered list, where the site has one, and what its link says.
    more_url: str | None = None
    more_label: str = ""

    @property
    def has_more(self) -> bool:
        return self.count > len(self.items)


# What the sections' rows show, the only columns loaded with them: their title, their
# source's and event's names and addresses, a person's name.
EVENT_COLUMNS = ("event__name", "event__slug")
SOURCE_COLUMNS = (
    *EVENT_COLUMNS,
    "talk__title",
    "talk__slug",
    "open_space__topic",
    "open_space__slug",
)
FOLLOW_UP_COLUMNS = ("title", "status", "due_on", *SOURCE_COLUMNS, "assignee__username",
                     "assignee__first_name", "assignee__last_name")  # fmt: skip


def _newest_public(
    model: type[Takeaway] | type[ActionPoint], tag: Tag, limit: int, columns: tuple[str, ...]
) -> QuerySet:
    """The newest ``limit`` of ``model``'s rows carrying ``tag`` outside draft notes,
    with what a list shows of them (only ``columns``). The rows are chosen in a
    subquery of their own: one query of seven tables (the row, its tags, the drafts it
    must not be in, and the event, session and person shown) took the planner about
    20 ms to order, for well under one to run; apart, the two plan in about 1.5 ms."""
    newest = (
        model.objects.public().filter(tags=tag).order_by("-created_at", "-pk").values("pk")[:limit]
    )
    return (
        model.objects.filter(pk__in=newest)
        .with_listing_relations()
        .only(*columns)
        .order_by("-created_at", "-pk")
    )


class TagSections:
    """What carries a tag (a ``tag_usage()`` row), newest first, by kind, with links
    to the filtered lists ``user`` can open: ``talks``, ``open_spaces``, ``takeaways``
    and ``action_points``, in that order when iterated. Each section is loaded when
    first read, and none when its count is 0: the page caches each in a fragment of
    its own, so a page built after a write loads only the sections that write
    changed."""

    def __init__(self, tag: Tag, user: AbstractBaseUser, *, limit: int = SECTION_LIMIT) -> None:
        self.tag = tag
        self.user = user
        self.limit = limit

    def __iter__(self) -> Iterator[Section]:
        return iter((self.talks, self.open_spaces, self.takeaways, self.action_points))

    def _newest(self, rows: QuerySet, count: int) -> list[Model]:
        return list(rows[: self.limit]) if count else []  # no query for an empty section

    @cached_property
    def talks(self) -> Section:
        rows = (
            # with_listing_relations(), with the speakers' shown columns only.
            Talk.objects.filter(tags=self.tag)
            .select_related("event")
            .prefetch_related(Prefetch("speakers", Speaker.objects.only("name", "slug")))
            .with_tags()
            .only("title", "slug", "kind", *EVENT_COLUMNS)
            .order_by("-event__starts_on", "title", "pk")
        )
        count = self.tag.talk_count
        return Section("talks", "Talks", count, self._newest(rows, count))

    @cached_property
    def open_spaces(self) -> Section:
        rows = (
            OpenSpace.objects.filter(tags=self.tag)
            .with_listing_relations()
            .only("topic", "slug", "convenor", *EVENT_COLUMNS)
            .order_by("-event__starts_on", "topic", "pk")
        )
        count = self.tag.open_space_count
        return Section("open_spaces", "Open spaces", count, self._newest(rows, count))

    @cached_property
    def takeaways(self) -> Section:
        tag, count = self.tag, self.tag.takeaway_count
        return Section(
            "takeaways",
            "Takeaways",
            count,
            self._newest(_newest_public(Takeaway, tag, self.limit, CARD_COLUMNS), count),
            f"{reverse('talks:takeaway-list')}?{urlencode({'tag': tag.slug})}",
            f"All {count} takeaways tagged {tag.name}",
        )

    @cached_property
    def action_points(self) -> Section:
        tag, count = self.tag, self.tag.action_point_count
        # The follow-ups list shows open ones, and only the user's own unless they may
        # see everyone's: the link says which.
        if sees_everyones_follow_ups(self.user):
            query, whose = {"tag": tag.slug, "scope": "all"}, "Open follow-ups"
        else:
            query, whose = {"tag": tag.slug}, "My open follow-ups"
        return Section(
            "action_points",
            "Follow-ups",
            count,
            self._newest(_newest_public(ActionPoint, tag, self.limit, FOLLOW_UP_COLUMNS), count),
            f"{reverse('actions:list')}?{urlencode(query)}",
            f"{whose} tagged {tag.name}",
        )


def sections(tag: Tag, user: AbstractBaseUser, *, limit: int = SECTION_LIMIT) -> TagSections:
    """Everything carrying ``tag`` (a ``tag_usage()`` row), by kind, each kind loaded
    when first read (``TagSections``)."""
    return TagSections(tag, user, limit=limit)


def feed_url(tag: Tag, user: AbstractBaseUser) -> str:
    """The tag's Atom feed with ``user``'s key, so a feed reader can fetch it."""
    return signed_feed_url("talks:tag-feed", tag.slug, user)
