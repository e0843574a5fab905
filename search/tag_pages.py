"""Tags across both apps: how often each is used, and what carries one.

Counts come from the use counters the database keeps per tag (``talks.models.TagUse``),
never from ``obj.tags``; the lists use the models' named eager loading."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import F, IntegerField, Model, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from taggit.models import Tag

from actions.models import ActionPoint
from common.roles import sees_everyones_follow_ups
from talks.feeds import signed_feed_url
from talks.models import (
    OpenSpace,
    Takeaway,
    Talk,
)

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


def _newest_public(model: type[Takeaway] | type[ActionPoint], tag: Tag, limit: int) -> QuerySet:
    """The newest ``limit`` of ``model``'s rows carrying ``tag`` outside draft notes,
    with what a list shows of them. The rows are chosen in a subquery of their own:
    one query of seven tables (the row, its tags, the drafts it must not be in, and
    the event, session and person shown) took the planner about 20 ms to order,
    for well under one to run; apart, the two plan in about 1.5 ms."""
    newest = (
        model.objects.public().filter(tags=tag).order_by("-created_at", "-pk").values("pk")[:limit]
    )
    return (
        model.objects.filter(pk__in=newest).with_listing_relations().order_by("-created_at", "-pk")
    )


def sections(tag: Tag, user: AbstractBaseUser, *, limit: int = SECTION_LIMIT) -> list[Section]:
    """Everything carrying ``tag`` (a ``tag_usage()`` row), newest first, by kind,
    with links to the filtered lists ``user`` can open."""
    talks = (
        Talk.objects.filter(tags=tag)
        .with_listing_relations()
        .order_by("-event__starts_on", "title", "pk")
    )
    open_spaces = (
        OpenSpace.objects.filter(tags=tag)
        .with_listing_relations()
        .order_by("-event__starts_on", "topic", "pk")
    )
    takeaways = _newest_public(Takeaway, tag, limit)
    action_points = _newest_public(ActionPoint, tag, limit)

    def newest(rows: QuerySet, count: int) -> list[Model]:
        return list(rows[:limit]) if count else []  # no query for an empty section

    takeaways_url = f"{reverse('talks:takeaway-list')}?{urlencode({'tag': tag.slug})}"
    # The follow-ups list shows open ones, and only the user's own unless they may
    # see everyone's: the link says which.
    if sees_everyones_follow_ups(user):
        follow_ups_query, whose = {"tag": tag.slug, "scope": "all"}, "Open follow-ups"
    else:
        follow_ups_query, whose = {"tag": tag.slug}, "My open follow-ups"
    follow_ups_url = f"{reverse('actions:list')}?{urlencode(follow_ups_query)}"
    return [
        Section("talks", "Talks", tag.talk_count, newest(talks, tag.talk_count)),
        Section(
            "open_spaces",
            "Open spaces",
            tag.open_space_count,
            newest(open_spaces, tag.open_space_count),
        ),
        Section(
            "takeaways",
            "Takeaways",
            tag.takeaway_count,
            newest(takeaways, tag.takeaway_count),
            takeaways_url,
            f"All {tag.takeaway_count} takeaways tagged {tag.name}",
        ),
        Section(
            "action_points",
            "Follow-ups",
            tag.action_point_count,
            newest(action_points, tag.action_point_count),
            follow_ups_url,
            f"{whose} tagged {tag.name}",
        ),
    ]


def feed_url(tag: Tag, user: AbstractBaseUser) -> str:
    """The tag's Atom feed with ``user``'s key, so a feed reader can fetch it."""
    return signed_feed_url("talks:tag-feed", tag.slug, user)
