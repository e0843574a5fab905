"""Action points raised at events, and the history of every change to them."""

import datetime
import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from common.db import SearchVectorDeferred, search_vector
from common.markdown import SHORT_MARKDOWN_MAX_LENGTH, RendersMarkdown, markdown_field
from common.reversing import fast_reverse
from common.roles import has_a_role, is_staff
from common.validators import validate_sensible_date
from talks.models import DraftedQuerySet, SessionSource, delete_with_draft, note_allows
from talks.tagging import TaggedQuerySet

ACTIVE_STATUSES = ("open", "in_progress")


def overdue_q(today: datetime.date | None = None) -> Q:
    """Not finished and due before ``today`` (the local date by default)."""
    return Q(status__in=ACTIVE_STATUSES, due_on__lt=today or timezone.localdate())


class ActionPointQuerySet(DraftedQuerySet, TaggedQuerySet):
    def open(self) -> "ActionPointQuerySet":
        """Not finished: open or in progress."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def assigned_to(self, user) -> "ActionPointQuerySet":
        return self.filter(assignee=user)

    def unassigned(self) -> "ActionPointQuerySet":
        return self.filter(assignee__isnull=True)

    def overdue(self, today: datetime.date | None = None) -> "ActionPointQuerySet":
        return self.filter(overdue_q(today))

    def not_overdue(self, today: datetime.date | None = None) -> "ActionPointQuerySet":
        return self.exclude(overdue_q(today))

    def tagged(self, tag) -> "ActionPointQuerySet":
        """Carrying ``tag``: a subquery, so no duplicate rows and no DISTINCT."""
        links = TaggedActionPoint.objects.filter(content_object=OuterRef("pk"), tag=tag)
        return self.filter(Exists(links))

    def overdue_first(self, today: datetime.date | None = None) -> "ActionPointQuerySet":
        """Overdue ones first, then by due date (none last), newest first within a day."""
        overdue = Case(When(overdue_q(today), then=Value(True)), default=Value(False))
        return self.order_by(overdue.desc(), F("due_on").asc(nulls_last=True), "-created_at", "-pk")

    def with_listing_relations(self) -> "ActionPointQuerySet":
        """Everything a list of action points shows, in a fixed number of queries.

        Links to the talk or open space are built from the row's own event
        (``SessionSource.source_url``), so the session's event is not loaded.
        """
        return (
            self.select_related("event", "talk", "open_space", "assignee")
            .defer("talk__search_vector", "open_space__search_vector")
            .with_tags()
        )


class ActionPoint(RendersMarkdown, SessionSource):
    markdown_fields = {"details": "details_html"}

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    title = models.CharField(max_length=300)
    details = markdown_field(SHORT_MARKDOWN_MAX_LENGTH, blank=True)
    details_html = models.TextField(blank=True, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="action_points_raised",
    )
    # Optional until someone takes it on.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_points",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # The note it was raised in, if any: private to that note's author, and nobody is
    # emailed about it, while the note is a draft.
    note = models.ForeignKey(
        "talks.Note",
        on_delete=delete_with_draft,
        null=True,
        blank=True,
        editable=False,
        related_name="action_points",
    )
    due_on = models.DateField(
        "due date", null=True, blank=True, validators=[validate_sensible_date]
    )
    # Set exactly when the status is done (a database constraint holds it to that).
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    tags = TaggableManager(through="TaggedActionPoint", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change; a save from a stale form is refused by comparing it.
    version = models.PositiveIntegerField(default=1, editable=False)
    search_vector = search_vector(("title", "A"), ("details", "B"))

    objects = SearchVectorDeferred.from_queryset(ActionPointQuerySet)()

    class Meta(SessionSource.Meta):
        ordering = ["due_on", "-created_at"]
        constraints = [
            *SessionSource.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "done", "dropped"]),
                name="actionpoint_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="actionpoint_completed_at_iff_done",
                violation_error_message="Only a done action point has a completion time.",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="actionpoint_title_not_empty"),
        ]
        indexes = [
            # "My open follow-ups" and reminders: open rows per assignee by due date.
            models.Index(
                fields=["assignee", "due_on"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="actionpoint_open_assignee_idx",
            ),
            # Overdue lists across the team, and the overview's counts of what is
            # still to do (by status, assignee, overdue), read from the index alone:
            # ``note`` is there for ``public()``.
            models.Index(
                fields=["due_on"],
                include=["status", "assignee", "note"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="actionpoint_active_due_idx",
            ),
            # An event's newest action points (its page shows 30 of up to 300): a
            # walk down this index instead of joining and sorting all of them.
            models.Index(
                fields=["event", "-created_at", "-id"], name="actionpoint_event_newest_idx"
            ),
            # Counts per event and status (the overview), from the index alone.
            models.Index(
                fields=["event", "status"],
                include=["due_on", "note"],
                name="actionpoint_event_cnt_idx",
            ),
            GinIndex(fields=["search_vector"], name="actionpoint_search_idx"),
            # Newest first (tag pages), and raised per month on the overview from the
            # index alone (the event for when it was raised, the note for drafts).
            models.Index(
                fields=["-created_at", "-id"],
                include=["event", "note"],
                name="actionpoint_newest_idx",
            ),
            # Done per month and the median time to done, without touching the rows.
            models.Index(
                fields=["completed_at"],
                include=["created_at", "event", "note"],
                condition=Q(status="done"),
                name="actionpoint_done_at_idx",
            ),
            # Counts per assignee and status (the overview), from the index alone.
            models.Index(
                fields=["assignee", "status"],
                include=["note"],
                name="actionpoint_assignee_cnt_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return fast_reverse("actions:detail", self.pk)

    def save(self, *args, **kwargs) -> None:
        self.sync_completed_at()
        super().save(*args, **kwargs)

    def sync_completed_at(self, now: datetime.datetime | None = None) -> None:
        """Stamp completion when the status becomes done; clear it when it leaves done."""
        if self.status == self.Status.DONE:
            self.completed_at = self.completed_at or now or timezone.now()
        else:
            self.completed_at = None

    def is_visible_to(self, user) -> bool:
        """``ActionPointQuerySet.visible_to`` for one row (reads its note)."""
        return note_allows(self.note, user)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return (
            self.is_active
            and self.due_on is not None
            and self.due_on < (today or timezone.localdate())
        )

    # Who may do what on the page. Model permission and ownership both count: the
    # attendee role grants change_actionpoint, being the assignee makes it theirs.
    # Whoever is assigned updates their own follow-up whatever their role (a manager
    # has no change permission but is assigned work too); someone in no role is not.
    def can_change_status(self, user) -> bool:
        """Staff, or the assignee when they have a role."""
        if is_staff(user):
            return True
        return user.is_authenticated and self.assignee_id == user.pk and has_a_role(user)

    def can_comment(self, user) -> bool:
        """Whoever may change the status, and the person who raised it."""
        if self.can_change_status(user):
            return True
        return (
            user.is_authenticated
            and self.raised_by_id == user.pk
            and user.has_perm("actions.change_actionpoint")
        )

    def can_reassign(self, user) -> bool:
        """Reassigning and moving the due date are staff decisions."""
        return is_staff(user)


class TaggedActionPoint(TaggedItemBase):
    content_object = models.ForeignKey(ActionPoint, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedactionpoint_unique"
            )
        ]
        indexes = [
            # A tag's action points read from the index alone (counted on the tag
            # page), as takeaways' are: the tag_id index alone sends each to the table.
            models.Index(fields=["tag", "content_object"], name="taggedactionpoint_tag_idx")
        ]


class ActionPointChange(models.Model):
    """One entry in an action point's history: who changed what, when, and why.

    ``changes`` maps a field name to ``[old, new]`` as people read them (user names,
    ISO dates, status labels), so the history still reads right after a user or a
    status label is renamed. An entry with only a comment is a comment.
    """

    class Via(models.TextChoices):
        WEB = "web", "Web"
        ADMIN = "admin", "Admin form"
        ADMIN_LIST = "admin_list", "Admin list edit"
        ADMIN_BULK = "admin_bulk", "Admin bulk action"
        IMPORT = "import", "Import"
        COMMAND = "command", "Command"

    action_point = models.ForeignKey(ActionPoint, on_delete=models.CASCADE, related_name="history")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict, blank=True)
    # Forms hold comments to this length: a history is read, not a place for pastes.
    COMMENT_MAX_LENGTH = 2_000
    comment = models.TextField(blank=True)
    via = models.CharField(max_length=20, choices=Via.choices)

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [
            models.Index(fields=["action_point", "changed_at"], name="actionpointchange_ap_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(changes={}) | ~Q(comment=""),
                name="actionpointchange_not_empty",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.action_point} changed by {self.changed_by} at {self.changed_at:%Y-%m-%d %H:%M}"
        )

    def summary(self) -> str:
        """One sentence, e.g. "alice changed status from Open to Done at 14:02"."""
        who = self.changed_by.get_username() if self.changed_by else "Someone"
        changes = [f"{label} from {old} to {new}" for label, old, new in self.describe()]
        if len(changes) > 1:
            changes = [", ".join(changes[:-1]) + " and " + changes[-1]]
        what = f"changed {changes[0]}" if changes else ""
        if self.comment:
            what = f"{what} and commented" if what else "commented"
        when = timezone.localtime(self.changed_at)
        at = f"at {when:%H:%M}"
        if when.date() != timezone.localdate():
            at = f"on {when.day} {when:%b %Y} {at}"
        return f"{who} {what} {at}"

    def describe(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for each change, for templates."""
        labels = {f.name: str(f.verbose_name) for f in ActionPoint._meta.get_fields() if f.concrete}
        labels["tags"] = "tags"
        return [
            (labels.get(name, name), old or "—", new or "—")
            for name, (old, new) in self.changes.items()
        ]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Preferences(models.Model):
    """A person's follow-up settings: reminders, and the secret calendar address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followup_preferences"
    )
    reminders_enabled = models.BooleanField(
        "email me reminders", default=True, help_text="A daily email of what is due or overdue."
    )
    # The secret in the personal calendar feed's URL; resetting it revokes old links.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"Follow-up preferences of {self.user}"

    @classmethod
    def for_user(cls, user) -> "Preferences":
        preferences, _ = cls.objects.get_or_create(user=user)
        return preferences

    def reset_calendar_token(self) -> None:
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])


class ReminderLog(models.Model):
    """One daily reminder made for one person on one day: the row that keeps an
    hourly cron job to one reminder a day. Written in the same transaction as the
    reminder's outbox row, so a run that fails half-way leaves neither."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The local date the reminder is for (a second run that day finds this row).
    sent_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="reminderlog_once_a_day")
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.user} on {self.sent_on}"


class NotificationQuerySet(models.QuerySet):
    def pending(self) -> "NotificationQuerySet":
        return self.filter(state=Notification.State.PENDING)


class Notification(models.Model):
    """An email in the outbox: queued in the transaction that made the change, sent
    once it commits, and retried by ``send_reminders`` while the mail server fails.

    About exactly one of: a history entry (at most one email per person per entry),
    a daily reminder (one per ``ReminderLog``), or a weekly digest of what someone
    follows (one per ``talks.DigestLog``).
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        # Never to be sent: no email address, an inactive account, a newer reminder.
        SKIPPED = "skipped", "Skipped"
        # Gave up after too many failed attempts.
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    change = models.ForeignKey(
        ActionPointChange,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    reminder = models.OneToOneField(
        ReminderLog,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    digest = models.OneToOneField(
        "talks.DigestLog",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    # Rendered when queued, so a retry sends what the change looked like then.
    subject = models.CharField(max_length=300)
    body = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "recipient"], name="notification_once_per_change"
            ),
            models.CheckConstraint(
                condition=Q(change__isnull=False, reminder__isnull=True, digest__isnull=True)
                | Q(change__isnull=True, reminder__isnull=False, digest__isnull=True)
                | Q(change__isnull=True, reminder__isnull=True, digest__isnull=False),
                name="notification_about_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False)
                | (~Q(state="sent") & Q(sent_at__isnull=True)),
                name="notification_sent_at_iff_sent",
            ),
        ]
        indexes = [
            # The outbox: what is still to be sent, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(state="pending"),
                name="notification_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.recipient}, {self.get_state_display().lower()})"
