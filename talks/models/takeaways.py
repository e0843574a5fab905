"""Takeaways: short, tagged lessons, the part managers browse."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.indexes import GinIndex
from django.db import connection, models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from common.db import IsAnyOf, SearchVectorDeferred, search_vector
from talks.models.notes import DraftedQuerySet, delete_with_draft, note_allows
from talks.models.sessions import SessionSource, Talk
from talks.models.speakers import Speaker
from talks.tagging import TaggedQuerySet

# Tag facets count the tags of at most this many takeaways, the latest (see tag_counts).
TAG_COUNT_SAMPLE = 2_000


class TakeawayQuerySet(DraftedQuerySet, TaggedQuerySet):
    def with_listing_relations(self) -> "TakeawayQuerySet":
        """Everything a list of takeaways shows, in a fixed number of queries (the
        sessions without their search vectors, which no list shows)."""
        return (
            self.select_related("event", "talk", "open_space", "author")
            .defer("talk__search_vector", "open_space__search_vector")
            .with_tags()
        )

    def newest_first(self) -> "TakeawayQuerySet":
        return self.order_by("-created_at", "-pk")

    def by_event_date(self) -> "TakeawayQuerySet":
        """Latest events first, each event's takeaways together, newest first: a walk
        down the events' date index and each event's takeaways (no sort of all matches)."""
        return self.order_by("-event__starts_on", "-event_id", "-created_at", "-pk")

    def readable_by(self, user) -> "TakeawayQuerySet":
        """``visible_to(user)`` for pages that filter by tags: the takeaways of other
        people's draft notes are left out by id (an array built once per query), so
        that a filter the tag index answers needs no takeaway row to check who may
        read it."""
        return self.exclude(IsAnyOf(F("pk"), ArraySubquery(hidden_from(user))))

    def appeared_between(
        self, since: datetime.datetime, until: datetime.datetime
    ) -> "TakeawayQuerySet":
        """Takeaways that appeared after ``since`` and by ``until``: when written, or,
        for those drafted with a note, when it was published (``appeared_at``)."""
        appeared = Greatest("created_at", Coalesce("note__published_at", "created_at"))
        return self.annotate(appeared_at=appeared).filter(
            appeared_at__gt=since, appeared_at__lte=until
        )

    # Tag filters are subqueries on the through table: no duplicate rows, no join
    # per tag (as chained filters on tags__ would be) and no DISTINCT over wide rows.
    def with_all_tags(self, tag_ids: Iterable[int]) -> "TakeawayQuerySet":
        """Takeaways carrying every one of the tags (AND): one EXISTS per tag, each
        answered by the through table's (takeaway, tag) index. The planner estimates
        each tag's share on its own, so a page of the newest matches walks the
        ``created_at`` index instead of joining every match (a grouped
        ``HAVING count = n`` subquery was misestimated and ran once per use)."""
        queryset = self
        for tag_id in sorted(set(tag_ids)):
            carrying = TaggedTakeaway.objects.filter(content_object=OuterRef("pk"), tag_id=tag_id)
            queryset = queryset.filter(Exists(carrying))
        return queryset

    def with_any_tag(self, tag_ids: Iterable[int]) -> "TakeawayQuerySet":
        """Takeaways carrying at least one of the tags (OR)."""
        return self.filter(
            pk__in=TaggedTakeaway.objects.filter(tag_id__in=list(tag_ids)).values(
                "content_object_id"
            )
        )

    def without_tags(self, tag_ids: Iterable[int]) -> "TakeawayQuerySet":
        """Takeaways carrying none of the tags (NOT)."""
        tag_ids = list(tag_ids)
        if not tag_ids:
            return self
        return self.filter(
            ~Exists(
                TaggedTakeaway.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids)
            )
        )

    def followed_by(self, user) -> "TakeawayQuerySet":
        """Takeaways at the events ``user`` follows or carrying a tag they follow."""
        from talks.models.follows import Follow  # follows imports this module

        follows = Follow.objects.of(user)
        carrying = TaggedTakeaway.objects.filter(tag__in=follows.tag_ids())
        return self.filter(
            Q(event__in=follows.event_ids()) | Q(pk__in=carrying.values("content_object_id"))
        )

    def by_speaker(self, speaker: Speaker) -> "TakeawayQuerySet":
        """Takeaways from the talks ``speaker`` gave."""
        return self.filter(
            talk__in=Talk.speakers.through.objects.filter(speaker=speaker).values("talk_id")
        )

    def tag_counts(
        self, *, limit: int, include: Iterable[int] = (), within: int = TAG_COUNT_SAMPLE
    ) -> list[Tag]:
        """The tags on the latest ``within`` of these takeaways (by id, the order they
        were added in), each with ``count`` (how many of those carry it): the ``limit``
        most used plus any of ``include``, most used first.

        Exact when at most ``within`` takeaways match; beyond that the counts describe
        the latest ``within`` (pages say so), which bounds the cost however many
        match: walking ids backwards is a merge of the tags' index entries, where
        counting every match meant joining all of them.

        One GROUP BY over the through table, read from its indexes alone.
        """
        include = list(include)
        latest = self.order_by("-pk").values("pk")[:within]
        rows = (
            # The ids as an array built once: under IN, a planner without statistics
            # (a fresh database) ran the LIMITed subquery once per tag link.
            TaggedTakeaway.objects.filter(IsAnyOf(F("content_object_id"), ArraySubquery(latest)))
            .values("tag_id", "tag__name", "tag__slug")
            .annotate(
                n=Count("*"),
                wanted=models.Case(
                    models.When(tag_id__in=include, then=1),
                    default=0,
                    output_field=IntegerField(),
                ),
            )
            .order_by("-wanted", "-n", "tag__name")[: limit + len(include)]
        )
        tags = []
        for row in rows:
            tag = Tag(id=row["tag_id"], name=row["tag__name"], slug=row["tag__slug"])
            tag.count = row["n"]
            tags.append(tag)
        return sorted(tags, key=lambda tag: (-tag.count, tag.name.lower()))

    def tag_counts_by_year(
        self,
        *,
        limit: int,
        include: Iterable[int] = (),
        within: int = TAG_COUNT_SAMPLE,
        dated: int | None = None,
        undated: Iterable[int] = (),
    ) -> list[Tag]:
        """``tag_counts`` with each tag's ``years`` too ({event year: count}), over
        the same latest ``within`` takeaways: the themes of a list and their trend
        (``dated`` and ``undated`` as in ``tag_counts_by_year``)."""
        latest = self.order_by("-pk").values("pk")[:within]
        return tag_counts_by_year(
            latest, limit=limit, include=include, dated=dated, undated=undated
        )


def hidden_from(user) -> models.QuerySet:
    """The ids of the takeaways ``user`` may not read: those of other people's draft
    notes. Found from the notes' side through the note index (drafts are few)."""
    from talks.models.notes import Note  # notes imports this module's base classes

    hidden = (
        Takeaway.objects.filter(note__isnull=False, note__status=Note.Status.DRAFT)
        .order_by()
        .values("pk")
    )
    if user.pk is not None:
        hidden = hidden.exclude(note__author_id=user.pk)
    return hidden


def carrying_all_tags(
    tag_ids: Iterable[int], *, without: Iterable[int] = (), reader
) -> models.QuerySet:
    """The ids (``content_object_id``) of the takeaways ``reader`` may read that carry
    every one of the tags and none of ``without``, answered by the tag index alone.

    ``Takeaway.objects.with_all_tags(...)`` gives the same takeaways, but counting
    them reads each one's row in the takeaway table's index only to confirm what the
    tag index already says (the foreign key guarantees it): for two popular tags at
    scale 100, 20,000 index pages against 550 here.
    """
    first, *rest = sorted(set(tag_ids))
    links = TaggedTakeaway.objects.filter(tag_id=first)
    for tag_id in rest:
        links = links.filter(
            Exists(
                TaggedTakeaway.objects.filter(
                    content_object_id=OuterRef("content_object_id"), tag_id=tag_id
                )
            )
        )
    without = list(without)
    if without:
        links = links.exclude(
            Exists(
                TaggedTakeaway.objects.filter(
                    content_object_id=OuterRef("content_object_id"), tag_id__in=without
                )
            )
        )
    hidden = ArraySubquery(hidden_from(reader))
    return links.exclude(IsAnyOf(F("content_object_id"), hidden)).values("content_object_id")


def tag_counts_by_year(
    latest: models.QuerySet,
    *,
    limit: int,
    include: Iterable[int] = (),
    dated: int | None = None,
    undated: Iterable[int] = (),
) -> list[Tag]:
    """The tags of the takeaways whose ids ``latest`` selects (one column, a bounded
    sample), each with ``count`` and ``years`` ({event year: count}): the ``limit``
    most used plus any of ``include``, most used first.

    ``years`` costs each sampled takeaway's row and its event's, so a page that shows
    the years of its top tags only asks for those: with ``dated``, only the ``dated``
    most used tags but those of ``undated`` (and any tied with the last of them) get
    their years, the others ``{}``. The takeaways page dates its themes only, not the
    tags every takeaway shown carries (the chosen ones): about 300 of the sample's
    takeaways read instead of 2,000.

    One statement: the sample's ids built once as an array (as in ``tag_counts``),
    their tags from the tag index alone, counted and ranked; then the years of the
    tags to date, from their takeaways' events. Raw SQL for the two levels of
    grouping, which the ORM cannot express; the sample is the ORM's own query.
    """
    include = list(include)
    undated = list(undated)
    latest_sql, latest_params = latest.query.sql_with_params()
    takeaways, tagged = Takeaway._meta.db_table, TaggedTakeaway._meta.db_table
    events = Takeaway._meta.get_field("event").related_model._meta.db_table
    tags = Tag._meta.db_table
    if dated is None:
        to_date = "SELECT tag_id FROM top"
        to_date_params: list = []
    else:
        # The cut at the ``dated``-th total keeps ties: the caller orders ties by name
        # in Python, which need not be the database's collation.
        to_date = """
            SELECT tag_id FROM top WHERE NOT tag_id = ANY(%s) AND total >= COALESCE((
                SELECT total FROM top WHERE NOT tag_id = ANY(%s)
                ORDER BY total DESC OFFSET %s LIMIT 1
            ), 0)
        """
        to_date_params = [undated, undated, max(dated - 1, 0)]
        if dated <= 0:
            to_date, to_date_params = "SELECT NULL::int WHERE false", []
    sql = f"""
        WITH sample AS MATERIALIZED (
            SELECT unnest(ARRAY({latest_sql})) AS id
        ), links AS MATERIALIZED (
            -- Each sampled takeaway's tags from the (takeaway, tag) index. The planner
            -- takes the sample for about ten rows: joined to the links as a table, it
            -- compared every link with every sampled takeaway (11 million pairs at
            -- scale 300); from each takeaway to its links cannot go that way.
            SELECT l.tag_id, s.id FROM sample s CROSS JOIN LATERAL (
                SELECT tag_id FROM {tagged} WHERE content_object_id = s.id
            ) l
        ), top AS MATERIALIZED (
            SELECT l.tag_id, g.name, g.slug, COUNT(*)::int AS total
            FROM links l JOIN {tags} g ON g.id = l.tag_id
            GROUP BY l.tag_id, g.name, g.slug
            ORDER BY (l.tag_id = ANY(%s)) DESC, total DESC, g.name
            LIMIT %s
        ), dated AS MATERIALIZED (
            SELECT l.tag_id, EXTRACT(YEAR FROM e.starts_on)::int AS year, COUNT(*)::int AS n
            FROM links l JOIN {takeaways} t ON t.id = l.id JOIN {events} e ON e.id = t.event_id
            WHERE l.tag_id IN ({to_date})
            GROUP BY l.tag_id, year
        )
        SELECT t.tag_id, t.name, t.slug, t.total,
               ARRAY_AGG(d.year ORDER BY d.year) FILTER (WHERE d.year IS NOT NULL),
               ARRAY_AGG(d.n ORDER BY d.year) FILTER (WHERE d.year IS NOT NULL)
        FROM top t LEFT JOIN dated d ON d.tag_id = t.tag_id
        GROUP BY t.tag_id, t.name, t.slug, t.total
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*latest_params, include, limit + len(include), *to_date_params])
        rows = cursor.fetchall()
    tags = []
    for tag_id, name, slug, total, years, counts in rows:
        tag = Tag(id=tag_id, name=name, slug=slug)
        tag.count = total
        tag.years = dict(zip(years or (), counts or (), strict=True))
        tags.append(tag)
    return sorted(tags, key=lambda tag: (-tag.count, tag.name.lower()))


class Takeaway(SessionSource):
    text = models.CharField(max_length=500, help_text="One or two sentences.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="takeaways"
    )
    # The note it was written with, if any: private while that note is a draft.
    note = models.ForeignKey(
        "Note",
        on_delete=delete_with_draft,
        null=True,
        blank=True,
        editable=False,
        related_name="takeaways",
    )
    tags = TaggableManager(through="TaggedTakeaway", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    search_vector = search_vector(("text", "A"))

    objects = SearchVectorDeferred.from_queryset(TakeawayQuerySet)()

    class Meta(SessionSource.Meta):
        ordering = ["-created_at", "-id"]
        constraints = [
            *SessionSource.Meta.constraints,
            models.CheckConstraint(condition=~Q(text=""), name="takeaway_text_not_empty"),
        ]
        indexes = [
            models.Index(fields=["event", "-created_at"], name="takeaway_event_idx"),
            # The newest takeaways (dashboard, takeaways page, tag pages, feeds): a
            # walk down this index instead of sorting every row.
            models.Index(fields=["-created_at", "-id"], name="takeaway_created_idx"),
            GinIndex(fields=["search_vector"], name="takeaway_search_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return f"{self.source_url()}#takeaway-{self.pk}"

    def is_visible_to(self, user) -> bool:
        """``TakeawayQuerySet.visible_to`` for one row (reads its note)."""
        return note_allows(self.note, user)


class TaggedTakeaway(TaggedItemBase):
    content_object = models.ForeignKey(Takeaway, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedtakeaway_unique")
        ]
        indexes = [
            # A tag's takeaways in id order, read from the index alone: "all of these
            # tags" becomes a merge join of each tag's ids (the takeaways page).
            models.Index(fields=["tag", "content_object"], name="taggedtakeaway_tag_idx")
        ]
