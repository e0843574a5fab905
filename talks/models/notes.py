"""Notes: one attendee's write-up of a session or an event, draft or published."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from taggit.models import Tag

from common.db import SearchVectorDeferred, search_vector
from common.markdown import (
    NOTE_BODY_MAX_LENGTH,
    RendersMarkdown,
    markdown_field,
)
from common.roles import is_staff
from talks.models.sessions import SessionSource, TaggedOpenSpace, TaggedTalk


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
        """The rows of draft notes (few: for excluding them by id).

        ``note_id IS NOT NULL`` says nothing new, but lets the planner see from the
        column's statistics how few rows have a note at all, and start from them,
        instead of hashing every draft and reading the whole table to join them."""
        return self.filter(note__isnull=False, note__status=Note.Status.DRAFT)

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
        from talks.models.follows import Follow  # follows imports this module

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


def note_allows(note: "Note | None", user) -> bool:
    """Whether a row written with ``note`` is visible to ``user`` (see DraftedQuerySet)."""
    return note is None or note.status == Note.Status.PUBLISHED or note.author_id == user.pk
