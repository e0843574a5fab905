"""Sessions held at an event: talks and open spaces, where they sit in the event's
programme, and what can be written about one."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from common.db import SearchVectorDeferred, search_vector
from common.links import HttpURLField
from common.markdown import (
    SHORT_MARKDOWN_MAX_LENGTH,
    RendersMarkdown,
    markdown_field,
)
from common.reversing import fast_reverse
from common.slugs import unique_slug
from talks.models.events import Event
from talks.models.speakers import Speaker
from talks.tagging import TaggedQuerySet

# Sessions with a known place in the programme first (by day, start time, room), the
# rest in the order they were entered, which is the order the notes gave them.
PROGRAMME_ORDER = (
    F("day").asc(nulls_last=True),
    F("starts_at").asc(nulls_last=True),
    "room",
    "created_at",
    "pk",
)


class ScheduledQuerySet(TaggedQuerySet):
    def in_programme_order(self):
        return self.order_by(*PROGRAMME_ORDER)


class Scheduled(models.Model):
    """When and where a session ran, each part optional: notes often give one without
    the others."""

    day = models.DateField(null=True, blank=True, help_text="One of the event's days.")
    starts_at = models.TimeField(
        "start time", null=True, blank=True, help_text="When it started, e.g. 14:30."
    )
    # The database default too: bulk loaders (COPY) that list only the columns they
    # know still write a valid row.
    room = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="The room, stage or track, e.g. “Room B”.",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        """Refuse a day outside the event's dates; a one-day event's sessions with a
        start time are on its day."""
        super().clean()
        event = self.event if self.event_id else None
        if event is None:
            return
        if self.day is None and self.starts_at is not None and event.starts_on == event.ends_on:
            self.day = event.starts_on
        if self.day is not None and not event.starts_on <= self.day <= event.ends_on:
            raise ValidationError({"day": day_outside_message(self.day, event)})


def day_outside_message(day: datetime.date, event: Event) -> str:
    first, last = (f"{d:%-d %b %Y}" for d in (event.starts_on, event.ends_on))
    dates = first if first == last else f"{first} to {last}"
    return f"{day:%-d %b %Y} is not a day of {event.name}, which ran {dates}."


@dataclass
class ProgrammeDay:
    """One day of an event's programme (``day`` None: sessions without a day)."""

    day: datetime.date | None
    sessions: list = field(default_factory=list)


@dataclass
class Programme:
    days: list[ProgrammeDay]

    @property
    def scheduled(self) -> bool:
        """Whether any session has a day or a start time: else there is no programme
        to show, only the sessions in the order the notes gave them."""
        return any(s.day or s.starts_at for day in self.days for s in day.sessions)


def programme(sessions: Iterable["Talk | OpenSpace"]) -> Programme:
    """``sessions`` (talks and open spaces, any mix) in programme order, grouped by
    day; those without a day last, in the order they were entered."""

    def key(session):
        return (
            session.day is None,
            session.day or datetime.date.min,
            session.starts_at is None,
            session.starts_at or datetime.time.min,
            session.room,
            session.created_at,
            session.pk,
        )

    days: list[ProgrammeDay] = []
    for session in sorted(sessions, key=key):
        if not days or days[-1].day != session.day:
            days.append(ProgrammeDay(session.day))
        days[-1].sessions.append(session)
    return Programme(days)


class TalkQuerySet(ScheduledQuerySet):
    def for_event(self, event: Event) -> "TalkQuerySet":
        return self.filter(event=event)

    def with_listing_relations(self) -> "TalkQuerySet":
        """Everything a list of talks shows, in a fixed number of queries."""
        return self.select_related("event").prefetch_related("speakers").with_tags()


class Talk(RendersMarkdown, Scheduled):
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

    is_open_space = False

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self, self.title, scope={"event_id": self.event_id})
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return fast_reverse("talks:talk-detail", self.event.slug, self.slug)


class TaggedTalk(TaggedItemBase):
    content_object = models.ForeignKey(Talk, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedtalk_unique")
        ]


class OpenSpaceQuerySet(ScheduledQuerySet):
    def with_listing_relations(self) -> "OpenSpaceQuerySet":
        return self.select_related("event").with_tags()


class OpenSpace(Scheduled):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="open_spaces")
    topic = models.CharField(max_length=300)
    slug = models.SlugField(max_length=220, blank=True)
    convenor = models.CharField(max_length=200, blank=True, help_text="Who proposed it.")
    session_label = models.CharField(
        max_length=100,
        blank=True,
        help_text="The round it was part of, e.g. “Session One” (its day, start time and "
        "room have fields of their own).",
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

    is_open_space = True

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self, self.topic, scope={"event_id": self.event_id})
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return fast_reverse("talks:open-space-detail", self.event.slug, self.slug)


class TaggedOpenSpace(TaggedItemBase):
    content_object = models.ForeignKey(OpenSpace, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedopenspace_unique")
        ]


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
            return fast_reverse("talks:talk-detail", self.event.slug, self.talk.slug)
        if self.open_space_id:
            return fast_reverse("talks:open-space-detail", self.event.slug, self.open_space.slug)
        return fast_reverse("talks:event-detail", self.event.slug)

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
