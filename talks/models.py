"""Events, the sessions held at them, and what attendees wrote about them."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from common.db import IsAnyOf, SearchVectorDeferred, SubqueryCount, search_vector
from common.links import HttpURLField
from common.markdown import (
    NOTE_BODY_MAX_LENGTH,
    SHORT_MARKDOWN_MAX_LENGTH,
    RendersMarkdown,
    markdown_field,
)
from common.roles import is_staff
from common.slugs import unique_slug
from common.validators import validate_sensible_date
from talks.tagging import TaggedQuerySet


class EventQuerySet(models.QuerySet):
    def in_year(self, year: int) -> "EventQuerySet":
        return self.filter(starts_on__year=year)

    def newest_first(self) -> "EventQuerySet":
        return self.order_by("-starts_on", "name")

    def years(self) -> list[int]:
        """The years that have events, newest first (one DISTINCT query)."""
        return [day.year for day in self.dates("starts_on", "year", order="DESC")]

    def tagged(self, tag: Tag) -> "EventQuerySet":
        """Events that carry ``tag``, or hold a talk or open space that does."""
        return self.filter(
            Exists(TaggedEvent.objects.filter(content_object=OuterRef("pk"), tag=tag))
            | Exists(TaggedTalk.objects.filter(content_object__event=OuterRef("pk"), tag=tag))
            | Exists(TaggedOpenSpace.objects.filter(content_object__event=OuterRef("pk"), tag=tag))
        )

    def with_counts(self, user) -> "EventQuerySet":
        """Annotate ``talk_count``, ``note_count`` (the notes ``user`` may see) and
        ``takeaway_count``, each an indexed subquery per event."""
        at_event = {"event": OuterRef("pk")}
        return self.annotate(
            talk_count=SubqueryCount(Talk.objects.filter(**at_event).values("pk")),
            note_count=SubqueryCount(Note.objects.visible_to(user).filter(**at_event).values("pk")),
            takeaway_count=SubqueryCount(
                Takeaway.objects.visible_to(user).filter(**at_event).values("pk")
            ),
        )


class Event(RendersMarkdown, models.Model):
    markdown_fields = {"description": "description_html"}

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, blank=True)
    starts_on = models.DateField(validators=[validate_sensible_date])
    ends_on = models.DateField(validators=[validate_sensible_date])
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    website = HttpURLField(blank=True)
    description = markdown_field(SHORT_MARKDOWN_MAX_LENGTH, blank=True)
    # Rendered once at save; pages show this, never the raw Markdown.
    description_html = models.TextField(blank=True, editable=False)
    tags = TaggableManager(through="TaggedEvent", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="event_ends_on_or_after_start",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]
        indexes = [models.Index(fields=["-starts_on"], name="event_starts_on_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%Y})"

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self, f"{self.name} {self.starts_on:%Y}")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("talks:event-detail", args=[self.slug])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "An event cannot end before it starts."})

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)


class SpeakerQuerySet(models.QuerySet):
    def by_lower_name(self, names: Iterable[str]) -> dict[str, "Speaker"]:
        """The speakers called any of ``names`` (ignoring case), by lower-cased name.
        When two share a name the older one wins, so a talk form and an import both
        link the speaker that was there first."""
        lowered = {name.lower() for name in names}
        if not lowered:
            return {}
        found: dict[str, Speaker] = {}
        matches = self.annotate(lower_name=Lower("name")).filter(lower_name__in=lowered)
        for speaker in matches.order_by("pk"):
            found.setdefault(speaker.lower_name, speaker)
        return found


class Speaker(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, blank=True)
    # Names are not English words: no stemming.
    search_vector = search_vector(("name", "A"), config="simple")

    objects = SearchVectorDeferred.from_queryset(SpeakerQuerySet)()

    class Meta:
        ordering = ["name"]
        indexes = [GinIndex(fields=["search_vector"], name="speaker_search_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("talks:speaker-detail", args=[self.slug])


class TalkQuerySet(TaggedQuerySet):
    def for_event(self, event: Event) -> "TalkQuerySet":
        return self.filter(event=event)

    def with_listing_relations(self) -> "TalkQuerySet":
        """Everything a list of talks shows, in a fixed number of queries."""
        return self.select_related("event").prefetch_related("speakers").with_tags()


class Talk(RendersMarkdown, models.Model):
    markdown_fields = {"abstract": "abstract_html"}

    class Kind(models.TextChoices):
        KEYNOTE = "keynote", "Keynote"
        TALK = "talk", "Talk"
        IGNITE = "ignite", "Ignite / lightning talk"
        WORKSHOP = "workshop", "Workshop"
        PANEL = "panel", "Panel"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="talks")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=220, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TALK)
    speakers = models.ManyToManyField(Speaker, related_name="talks", blank=True)
    slides_url = HttpURLField("slides", blank=True)
    video_url = HttpURLField("video", blank=True)
    abstract = markdown_field(SHORT_MARKDOWN_MAX_LENGTH, blank=True)
    abstract_html = models.TextField(blank=True, editable=False)
    tags = TaggableManager(through="TaggedTalk", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    search_vector = search_vector(("title", "A"), ("abstract", "B"))

    objects = SearchVectorDeferred.from_queryset(TalkQuerySet)()

    class Meta:
        ordering = ["event", "title"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="talk_slug_unique_per_event"),
            # Target of the (talk, event) foreign keys that make notes, takeaways and
            # action points agree with their talk about the event.
            models.UniqueConstraint(fields=["id", "event"], name="talk_id_event_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["keynote", "talk", "ignite", "workshop", "panel"]),
                name="talk_kind_valid",
            ),
        ]
        indexes = [GinIndex(fields=["search_vector"], name="talk_search_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self, self.title, scope={"event_id": self.event_id})
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("talks:talk-detail", args=[self.event.slug, self.slug])


class OpenSpaceQuerySet(TaggedQuerySet):
    def with_listing_relations(self) -> "OpenSpaceQuerySet":
        return self.select_related("event").with_tags()


class OpenSpace(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="open_spaces")
    topic = models.CharField(max_length=300)
    slug = models.SlugField(max_length=220, blank=True)
    convenor = models.CharField(max_length=200, blank=True, help_text="Who proposed it.")
    session_label = models.CharField(
        max_length=100, blank=True, help_text="When or where it ran, e.g. “Day 2, room B, 14:00”."
    )
    tags = TaggableManager(through="TaggedOpenSpace", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    search_vector = search_vector(("topic", "A"), ("convenor", "B"))

    objects = SearchVectorDeferred.from_queryset(OpenSpaceQuerySet)()

    class Meta:
        ordering = ["event", "topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slug"], name="openspace_slug_unique_per_event"
            ),
            models.UniqueConstraint(fields=["id", "event"], name="openspace_id_event_unique"),
        ]
        indexes = [GinIndex(fields=["search_vector"], name="openspace_search_idx")]

    def __str__(self) -> str:
        return self.topic

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self, self.topic, scope={"event_id": self.event_id})
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("talks:open-space-detail", args=[self.event.slug, self.slug])


class SessionSource(models.Model):
    """What a note, takeaway or action point is about: an event, and at most one of
    its talks or open spaces.

    The database enforces both halves: a check constraint (at most one session) and
    composite foreign keys (talk_id, event_id) and (open_space_id, event_id), added
    by migration, so the event always agrees with the session's.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="%(class)ss")
    talk = models.ForeignKey(
        Talk, on_delete=models.CASCADE, null=True, blank=True, related_name="%(class)ss"
    )
    open_space = models.ForeignKey(
        OpenSpace, on_delete=models.CASCADE, null=True, blank=True, related_name="%(class)ss"
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(talk__isnull=True) | Q(open_space__isnull=True),
                name="%(app_label)s_%(class)s_one_session_at_most",
                violation_error_message="Choose a talk or an open space, not both.",
            ),
        ]

    @property
    def session(self) -> Talk | OpenSpace | None:
        return self.talk or self.open_space

    @property
    def source(self) -> Talk | OpenSpace | Event:
        return self.talk or self.open_space or self.event

    def source_url(self) -> str:
        """The source's page, built from this row's own event (which the database
        holds equal to the session's), so a list needs no query per row for it."""
        if self.talk_id:
            return reverse("talks:talk-detail", args=[self.event.slug, self.talk.slug])
        if self.open_space_id:
            return reverse("talks:open-space-detail", args=[self.event.slug, self.open_space.slug])
        return reverse("talks:event-detail", args=[self.event.slug])

    def clean_fields(self, exclude=None) -> None:
        # The event follows from the session; fill it in before "event is required".
        session = self.talk if self.talk_id else self.open_space if self.open_space_id else None
        if session is not None and not self.event_id:
            self.event_id = session.event_id
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        """Refuse two sessions, or a session from another event."""
        super().clean()
        if self.talk_id and self.open_space_id:
            raise ValidationError({"open_space": "Choose a talk or an open space, not both."})
        session = self.talk if self.talk_id else self.open_space if self.open_space_id else None
        if session is not None and session.event_id != self.event_id:
            field = "talk" if self.talk_id else "open_space"
            raise ValidationError({field: f"“{session}” belongs to another event."})


def delete_with_draft(collector, field, sub_objs, using) -> None:
    """``on_delete`` of the note a takeaway or action point was written in: deleting a
    draft deletes what was drafted with it (nobody else ever saw it); deleting a
    published note leaves its takeaways and action points where they are, public."""
    drafted = Note.objects.filter(pk=OuterRef("note_id"), status=Note.Status.DRAFT)
    models.CASCADE(collector, field, sub_objs.filter(Exists(drafted)), using)
    models.SET_NULL(collector, field, sub_objs.exclude(Exists(drafted)), using)


class DraftedQuerySet(models.QuerySet):
    """Visibility of the rows that can be written in a note's form (takeaways, action
    points): such a row stays its author's until the note is published, then appears
    with it. Rows with no note (the admin, imports) are public."""

    def visible_to(self, user) -> "DraftedQuerySet":
        """What ``user`` may see: all but the rows of other people's draft notes, as
        one NOT EXISTS (drafts are few; no join, no extra query)."""
        hidden = Note.objects.filter(pk=OuterRef("note_id"), status=Note.Status.DRAFT)
        if user.pk is not None:
            hidden = hidden.exclude(author_id=user.pk)
        return self.filter(~Exists(hidden))

    def drafted(self) -> "DraftedQuerySet":
        """The rows of draft notes (few: for excluding them by id)."""
        return self.filter(note__status=Note.Status.DRAFT)

    def public(self) -> "DraftedQuerySet":
        """What everyone may see (counts and lists shared by all readers)."""
        return self.filter(
            ~Exists(Note.objects.filter(pk=OuterRef("note_id"), status=Note.Status.DRAFT))
        )


class NoteQuerySet(models.QuerySet):
    def published(self) -> "NoteQuerySet":
        return self.filter(status=Note.Status.PUBLISHED)

    def visible_to(self, user) -> "NoteQuerySet":
        """Published notes, plus the user's own drafts."""
        return self.filter(Q(status=Note.Status.PUBLISHED) | Q(author_id=user.pk))

    def followed_by(self, user) -> "NoteQuerySet":
        """Notes at the events ``user`` follows, or on a talk or open space carrying a
        tag they follow (as in the tag feeds: notes carry no tags themselves)."""
        follows = Follow.objects.of(user)
        return self.filter(
            Q(event__in=follows.event_ids())
            | Q(talk__in=TaggedTalk.objects.filter(tag__in=follows.tag_ids()).values(
                "content_object_id"))
            | Q(open_space__in=TaggedOpenSpace.objects.filter(tag__in=follows.tag_ids()).values(
                "content_object_id"))
        )  # fmt: skip

    def on_sessions_tagged(self, tag: Tag) -> "NoteQuerySet":
        """Notes on a talk or an open space that carries ``tag``."""
        return self.filter(
            Q(talk__in=TaggedTalk.objects.filter(tag=tag).values("content_object_id"))
            | Q(open_space__in=TaggedOpenSpace.objects.filter(tag=tag).values("content_object_id"))
        )


class Note(RendersMarkdown, SessionSource):
    markdown_fields = {"body": "body_html"}

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    title = models.CharField(max_length=300, blank=True)
    body = markdown_field(NOTE_BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The writing form's one-time value: the same form sent twice (a double click,
    # Save pressed again after a slow response) finds the note it made the first time.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)
    search_vector = search_vector(("title", "A"), ("body", "B"))

    objects = SearchVectorDeferred.from_queryset(NoteQuerySet)()

    class Meta(SessionSource.Meta):
        ordering = ["-created_at", "-id"]
        constraints = [
            *SessionSource.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="note_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(body=""), name="note_body_not_empty",
                violation_error_message="A note needs some text.",
            ),
            # Partial: only notes written through the form carry a token.
            models.UniqueConstraint(
                fields=["author", "submission_token"], name="note_submitted_once_per_author",
                condition=Q(submission_token__isnull=False),
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["event", "-created_at"], name="note_event_idx"),
            models.Index(fields=["author", "-created_at"], name="note_author_idx"),
            # The newest notes in the default order (the admin's list of 200,000).
            models.Index(fields=["-created_at", "-id"], name="note_created_idx"),
            # The newest published notes across events (tag feeds, "from what you
            # follow", digests), walked instead of sorting every published note.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="note_published_idx",
            ),
            GinIndex(fields=["search_vector"], name="note_search_idx"),
            # The few drafts, for hiding what was drafted with them (DraftedQuerySet):
            # read from this index alone instead of scanning every note.
            models.Index(
                fields=["id"],
                include=["author"],
                condition=Q(status="draft"),
                name="note_draft_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.author} on {self.source}"

    def save(self, *args, **kwargs) -> None:
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.source_url()}#note-{self.pk}"

    def can_edit(self, user) -> bool:
        """Authors edit their own notes; staff can edit anyone's."""
        return is_staff(user) or (self.author_id == user.pk and user.has_perm("talks.change_note"))

    def can_delete(self, user) -> bool:
        return is_staff(user) or (self.author_id == user.pk and user.has_perm("talks.delete_note"))


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
    # per tag and no DISTINCT over wide rows (DESIGN.md, "Known pitfalls").
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


def note_allows(note: "Note | None", user) -> bool:
    """Whether a row written with ``note`` is visible to ``user`` (see DraftedQuerySet)."""
    return note is None or note.status == Note.Status.PUBLISHED or note.author_id == user.pk


# Per-model tag links with real foreign keys: no django_content_type join, and 64-bit
# object ids (taggit's generic default stores them as 32-bit integers).
class TaggedEvent(TaggedItemBase):
    content_object = models.ForeignKey(Event, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedevent_unique")
        ]


class TaggedTalk(TaggedItemBase):
    content_object = models.ForeignKey(Talk, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedtalk_unique")
        ]


class TaggedOpenSpace(TaggedItemBase):
    content_object = models.ForeignKey(OpenSpace, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedopenspace_unique")
        ]


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


class FollowQuerySet(models.QuerySet):
    def of(self, user) -> "FollowQuerySet":
        return self.filter(user_id=user.pk)

    def tag_ids(self) -> "FollowQuerySet":
        """The followed tags' ids, as a subquery."""
        return self.filter(tag__isnull=False).values("tag_id")

    def event_ids(self) -> "FollowQuerySet":
        """The followed events' ids, as a subquery."""
        return self.filter(event__isnull=False).values("event_id")

    def newest_first(self) -> "FollowQuerySet":
        return self.order_by("-created_at", "-pk")

    def start(self, user, *, tag: Tag | None = None, event: Event | None = None) -> "Follow":
        """Follow ``tag`` or ``event``; following twice is the same as once."""
        follow, _ = self.get_or_create(user=user, tag=tag, event=event)
        return follow

    def stop(self, user, *, tag: Tag | None = None, event: Event | None = None) -> bool:
        """Stop following; False when ``user`` was not following it."""
        deleted, _ = self.filter(user=user, tag=tag, event=event).delete()
        return bool(deleted)


class Follow(models.Model):
    """Someone following a tag or an event: its new takeaways and published notes
    show on their dashboard and come in their weekly digest email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    # Exactly one of the two (a check constraint holds it to that).
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__isnull=False, event__isnull=True)
                | Q(tag__isnull=True, event__isnull=False),
                name="follow_tag_or_event",
                violation_error_message="Follow a tag or an event, not both or neither.",
            ),
            # NULLs are distinct in a unique index, so a user's event follows (tag
            # NULL) do not collide in the first, nor tag follows in the second.
            models.UniqueConstraint(fields=["user", "tag"], name="follow_unique_user_tag"),
            models.UniqueConstraint(fields=["user", "event"], name="follow_unique_user_event"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.subject_label}"

    def get_absolute_url(self) -> str:
        if self.tag_id:
            return reverse("search:tag-detail", args=[self.tag.slug])
        return self.event.get_absolute_url()

    @property
    def subject(self) -> Tag | Event:
        return self.tag if self.tag_id else self.event

    @property
    def subject_label(self) -> str:
        return f"tag “{self.tag.name}”" if self.tag_id else f"event “{self.event.name}”"


class DigestLog(models.Model):
    """One weekly digest email made for one user: at most one per user per week
    (the unique constraint holds it even when two runs overlap), and where the next
    digest starts (``sent_at``, the end of the window this one covered)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_logs"
    )
    # The Monday of the week it was sent in (local time).
    week_start = models.DateField()
    sent_at = models.DateTimeField()
    takeaway_count = models.PositiveIntegerField(default=0)
    note_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="digestlog_one_per_week")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user}, week of {self.week_start:%d %b %Y}"


class ContentVersion(models.Model):
    """How many committed transactions have changed what pages show: one row, bumped
    by database triggers on every table pages read (migrations talks 0006 and actions
    0008), so writes from any path count: forms, the admin, imports, bulk updates,
    raw SQL. Cached page fragments are keyed by it (``common.caching``).

    Unmanaged: the table and its triggers are created in SQL, and test flushes leave
    the counter alone, so it only ever goes up while a process may hold fragments."""

    id = models.SmallIntegerField(primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "talks_contentversion"

    def __str__(self) -> str:
        return f"Content version {self.version}"


class FeedKeyGeneration(models.Model):
    """Which feed key of a user's is the valid one. A feed key signs the user id and
    this number; resetting bumps it, so every key made before stops working. No row
    means generation 0 (nobody reset yet), so showing a feed link writes nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="feed_key_generation",
    )
    generation = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Feed key generation {self.generation} of {self.user}"

    @classmethod
    def current(cls, user_id: int) -> int:
        row = cls.objects.filter(user_id=user_id).values("generation").first()
        return row["generation"] if row else 0

    @classmethod
    def bump(cls, user_id: int) -> int:
        """Make every key of ``user_id`` issued so far invalid; the new generation."""
        row, created = cls.objects.get_or_create(user_id=user_id, defaults={"generation": 1})
        if not created:
            # F() so that two resets at once both count.
            cls.objects.filter(pk=row.pk).update(generation=models.F("generation") + 1)
            row.refresh_from_db()
        return row.generation
