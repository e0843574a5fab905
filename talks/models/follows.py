"""Following a tag or an event, the weekly digests' log, and revocable feed keys."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from taggit.models import Tag

from talks.models.events import Event


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
            return reverse("talks:tag-detail", args=[self.tag.slug])
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
