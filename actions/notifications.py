"""Email about action points: who is told about a change, the daily reminders,
and the outbox they (and the weekly digests of what people follow) go through.

Every email is first a ``Notification`` row, written in the transaction that made
the change (or the reminder, or the digest) and sent once that transaction has
committed. A mail
server that is down leaves the row pending, with its error, for ``send_reminders``
to retry; a person without an email address gets a skipped row and a warning in
the log. The database refuses a second row for one person and one change, and a
second reminder for one person on one day, so nothing is ever sent twice.
"""

import contextlib
import dataclasses
import datetime
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionPoint, ActionPointChange, Notification, ReminderLog
from common.roles import MANAGER
from talks.models import Note

logger = logging.getLogger(__name__)
User = get_user_model()

# Why someone is told about a change; their first reason names the email.
ASSIGNED, DUE_DATE, STATUS = "assigned", "due_date", "status"
HEADLINES = {
    ASSIGNED: "{by} assigned an action point to you",
    DUE_DATE: "{by} changed the due date of an action point assigned to you",
    STATUS: "{by} changed the status of an action point you raised",
}
BECAUSE = {
    ASSIGNED: "it is assigned to you",
    DUE_DATE: "it is assigned to you",
    STATUS: "you raised it",
}

# Hourly runs for a day, then the row is marked failed and left alone.
MAX_ATTEMPTS = 24
# Failures in a row that mean the mail server is down rather than one address bad:
# the run stops there and leaves the rest of the outbox for the next one.
STOP_AFTER_FAILURES = 3
# Seconds to wait for the mail server (unless EMAIL_TIMEOUT is set): a server that
# does not answer must not hold a page for long.
SEND_TIMEOUT = 10
# Emails sent straight after a commit; more (a bulk action over many rows) wait
# for the next send_reminders run rather than hold up the page.
SEND_NOW_LIMIT = 50
# Other people's overdue action points listed in a manager's reminder.
TEAM_LIST_LIMIT = 30

_batch: ContextVar[list[int] | None] = ContextVar("notification_batch", default=None)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- Who is told about a change ----------------------------------------------------


def recipients(entry: ActionPointChange) -> list[tuple[User, list[str]]]:
    """Who is told about ``entry``, and why: the assignee when it is assigned (or
    reassigned) to them or its due date changes, and the person who raised it when
    its status changes (not when it is created). Never the person who made the
    change, nor an inactive account."""
    action_point, changes = entry.action_point, entry.changes
    found: dict[int, tuple[User, list[str]]] = {}

    def tell(user, reason: str) -> None:
        # Raised in a draft note: nobody but its author hears of it before it is
        # published (queue_held_for_note tells the assignee then).
        if (
            user is not None
            and user.pk != entry.changed_by_id
            and user.is_active
            and action_point.is_visible_to(user)
        ):
            found.setdefault(user.pk, (user, []))[1].append(reason)

    if "assignee" in changes:
        tell(action_point.assignee, ASSIGNED)
    elif "due_on" in changes:
        tell(action_point.assignee, DUE_DATE)
    if "status" in changes and changes["status"][0] is not None:
        tell(action_point.raised_by, STATUS)
    return list(found.values())


def queue_for_change(entry: ActionPointChange) -> list[Notification]:
    """Queue one email per person told about ``entry``; they are sent once the
    transaction commits. Side effects: writes Notification rows (skipped, with a
    warning logged, for someone without an email address)."""
    rows = []
    for recipient, reasons in recipients(entry):
        subject, body = render_change(entry, recipient, reasons)
        rows.append(outbox_row(recipient, subject, body, change=entry))
    Notification.objects.bulk_create(rows)
    with sending_after_commit():
        _batch.get().extend(row.pk for row in rows if row.state == Notification.State.PENDING)
    return rows


def queue_held_for_note(note) -> list[Notification]:
    """Tell the assignees of ``note``'s action points, now that it is published, of
    the assignment that was held back while it was a draft: the latest history entry
    that set each one's assignee, unless they were told of it already (the author,
    who could see it). Side effects: as ``queue_for_change``."""
    rows = []
    assigned = note.action_points.filter(assignee__isnull=False).select_related(
        "assignee", "event", "talk", "open_space"
    )
    for action_point in assigned:
        entry = (
            action_point.history.filter(changes__has_key="assignee")
            .select_related("changed_by")
            .order_by("-changed_at", "-pk")
            .first()
        )
        recipient = action_point.assignee
        if (
            entry is None
            or recipient.pk == entry.changed_by_id
            or not recipient.is_active
            or entry.notifications.filter(recipient=recipient).exists()
        ):
            continue
        entry.action_point = action_point
        subject, body = render_change(entry, recipient, [ASSIGNED])
        rows.append(outbox_row(recipient, subject, body, change=entry))
    Notification.objects.bulk_create(rows)
    with sending_after_commit():
        _batch.get().extend(row.pk for row in rows if row.state == Notification.State.PENDING)
    return rows


def render_change(entry: ActionPointChange, recipient, reasons: list[str]) -> tuple[str, str]:
    """The subject and plain-text body of the email about ``entry``."""
    action_point = entry.action_point
    by = entry.changed_by.get_username() if entry.changed_by else "Someone"
    title = action_point.title
    if reasons[0] == ASSIGNED:
        subject = f"Assigned to you: {title}"
    elif reasons[0] == DUE_DATE:
        subject = f"New due date for: {title}"
    else:
        subject = f"{action_point.get_status_display()}: {title}"
    context = {
        "name": recipient.get_short_name() or recipient.get_username(),
        "headline": HEADLINES[reasons[0]].format(by=by),
        "by": by,
        "because": BECAUSE[reasons[0]],
        "action_point": action_point,
        "source": _source(action_point),
        "entry": entry,
        "url": absolute_url(action_point.get_absolute_url()),
        "account_url": absolute_url(reverse("actions:preferences")),
    }
    return _one_line(subject), render_to_string("email/actions/change.txt", context)


def source_kind(action_point: ActionPoint) -> str:
    """What an action point was raised at, in the words emails and exports use."""
    if action_point.talk_id:
        return "talk"
    return "open space" if action_point.open_space_id else "event"


def _source(action_point: ActionPoint) -> str:
    if action_point.session is None:
        return action_point.event.name
    return f"the {source_kind(action_point)} “{action_point.session}” at {action_point.event.name}"


# --- Daily reminders ---------------------------------------------------------------


@dataclasses.dataclass
class Reminders:
    """What a reminder run queued."""

    today: datetime.date
    until: datetime.date
    queued: int = 0
    to_managers: int = 0
    no_address: int = 0


def queue_reminders(*, days: int = 3, today: datetime.date | None = None) -> Reminders:
    """Queue today's reminder for everyone who has one due: their open action points
    that are overdue or due within ``days`` days and, for managers, the team's
    overdue ones. Skips people who turned reminders off, inactive accounts, and
    whoever already has today's reminder.

    Side effects: for each person, in its own transaction, one ReminderLog row and
    one Notification (skipped, with a warning, without an email address), and any
    older reminder of theirs still waiting marked skipped (it is out of date).
    """
    today = today or timezone.localdate()
    run = Reminders(today=today, until=today + datetime.timedelta(days=days))
    # Raised in someone else's draft note: no reminder until it is published.
    in_others_draft = Note.objects.filter(pk=OuterRef("note_id"), status=Note.Status.DRAFT)
    due = (
        ActionPoint.objects.open()
        .filter(due_on__lte=run.until)
        .exclude(Exists(in_others_draft.exclude(author_id=OuterRef("assignee_id"))))
    )
    others_overdue = (
        ActionPoint.objects.overdue(today)
        .exclude(assignee=OuterRef("pk"))
        .exclude(Exists(in_others_draft.exclude(author_id=OuterRef(OuterRef("pk")))))
    )
    is_manager = Exists(
        User.groups.through.objects.filter(user=OuterRef("pk"), group__name=MANAGER)
    )
    people = (
        User.objects.filter(is_active=True)
        .exclude(followup_preferences__reminders_enabled=False)
        .exclude(Exists(ReminderLog.objects.filter(user=OuterRef("pk"), sent_on=today)))
        .annotate(is_manager=is_manager)
        .filter(Exists(due.filter(assignee=OuterRef("pk"))) | (is_manager & Exists(others_overdue)))
        .order_by("pk")
    )
    for person in list(people):
        notification = queue_reminder(person, today=today, until=run.until, team=person.is_manager)
        if notification is None:
            continue
        run.queued += 1
        run.to_managers += person.is_manager
        run.no_address += notification.state == Notification.State.SKIPPED
    return run


@transaction.atomic
def queue_reminder(
    user, *, today: datetime.date, until: datetime.date, team: bool
) -> Notification | None:
    """Queue ``user``'s reminder for ``today``, unless they already have one or it
    would be empty. Side effects: as ``queue_reminders``, for one person."""
    mine = list(
        ActionPoint.objects.visible_to(user)
        .open()
        .assigned_to(user)
        .filter(due_on__lte=until)
        .select_related("event")
        .order_by("due_on", "pk")
    )
    others = ActionPoint.objects.visible_to(user).overdue(today).exclude(assignee=user)
    team_rows = (
        list(others.select_related("event", "assignee").order_by("due_on", "pk")[:TEAM_LIST_LIMIT])
        if team
        else []
    )
    if not mine and not team_rows:
        return None
    log, created = ReminderLog.objects.get_or_create(user=user, sent_on=today)
    if not created:
        return None  # another run got there first
    Notification.objects.pending().filter(recipient=user, reminder__isnull=False).update(
        state=Notification.State.SKIPPED, last_error="Out of date: a newer reminder replaced it."
    )
    team_count = others.count() if len(team_rows) == TEAM_LIST_LIMIT else len(team_rows)
    subject, body = render_reminder(
        user, mine=mine, team=team_rows, team_count=team_count, today=today, until=until
    )
    notification = outbox_row(user, subject, body, reminder=log)
    notification.save()
    return notification


def render_reminder(
    user,
    *,
    mine: list[ActionPoint],
    team: list[ActionPoint],
    team_count: int,
    today: datetime.date,
    until: datetime.date,
) -> tuple[str, str]:
    overdue = [_row(ap, today) for ap in mine if ap.due_on < today]
    due_soon = [_row(ap, today) for ap in mine if ap.due_on >= today]
    counts = []
    if overdue:
        counts.append(f"{len(overdue)} overdue")
    if due_soon:
        counts.append(f"{len(due_soon)} due soon")
    if team_count:
        counts.append(f"{team_count} overdue across the team")
    team_url = reverse("actions:list") + "?scope=all&overdue=yes"
    context = {
        "name": user.get_short_name() or user.get_username(),
        "overdue": overdue,
        "due_soon": due_soon,
        "until": until,
        "team": [_row(ap, today) for ap in team],
        "team_more": team_count - len(team),
        "team_url": absolute_url(team_url),
        "list_url": absolute_url(reverse("actions:list")),
        "account_url": absolute_url(reverse("actions:preferences")),
    }
    subject = "Your follow-ups: " + ", ".join(counts)
    return subject, render_to_string("email/actions/reminder.txt", context)


def _row(action_point: ActionPoint, today: datetime.date) -> dict:
    days = (action_point.due_on - today).days
    if days < 0:
        when = f"{-days} day{'s' if days < -1 else ''} overdue"
    elif days == 0:
        when = "due today"
    elif days == 1:
        when = "due tomorrow"
    else:
        when = f"due in {days} days"
    return {
        "title": action_point.title,
        "due_on": action_point.due_on,
        "when": when,
        "assignee": action_point.assignee.get_username() if action_point.assignee else None,
        "url": absolute_url(action_point.get_absolute_url()),
    }


# --- The outbox --------------------------------------------------------------------


def outbox_row(recipient, subject: str, body: str, **about) -> Notification:
    """An unsaved outbox row; skipped (and logged) when there is nowhere to send it."""
    notification = Notification(recipient=recipient, subject=subject, body=body, **about)
    if not recipient.email.strip():
        notification.state = Notification.State.SKIPPED
        notification.last_error = "No email address."
        logger.warning(
            "Not emailing %s about “%s”: they have no email address.",
            recipient.get_username(),
            subject,
        )
    return notification


@contextmanager
def sending_after_commit() -> Iterator[None]:
    """Send the notifications queued inside this block together, once the
    transaction commits; nothing is sent if it rolls back. Nested blocks join the
    outer one, so a bulk change sends its emails in one go."""
    if _batch.get() is not None:
        yield
        return
    ids: list[int] = []
    token = _batch.set(ids)
    try:
        yield
    finally:
        _batch.reset(token)
    if ids:
        if len(ids) > SEND_NOW_LIMIT:
            logger.info(
                "%d emails wait for the next send_reminders run.", len(ids) - SEND_NOW_LIMIT
            )
        # robust: a failure here is logged and must not turn a saved change into an error page.
        transaction.on_commit(partial(send_notifications, ids[:SEND_NOW_LIMIT]), robust=True)


@dataclasses.dataclass
class Delivery:
    """What a pass over the outbox did."""

    sent: int = 0
    failed: int = 0  # left pending, to retry
    gave_up: int = 0
    skipped: int = 0
    left: int = 0  # not tried: the run stopped after repeated failures


def send_notifications(ids: Iterable[int] | None = None) -> Delivery:
    """Send the pending notifications in ``ids`` (or the whole outbox), oldest and
    least-tried first, each at most once even with several senders at a time.

    Side effects: sends email; marks each row sent, or counts the failed attempt and
    keeps its error, logged (marking it failed after MAX_ATTEMPTS); marks rows whose
    recipient has no email address skipped. Stops after STOP_AFTER_FAILURES failures
    in a row. A mail failure never raises.
    """
    outbox = Notification.objects.pending()
    if ids is not None:
        outbox = outbox.filter(pk__in=list(ids))
    pks = list(outbox.order_by("attempts", "created_at", "pk").values_list("pk", flat=True))
    delivery = Delivery()
    connection = mail.get_connection(timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT)
    failures_in_a_row = 0
    try:
        for index, pk in enumerate(pks):
            if failures_in_a_row >= STOP_AFTER_FAILURES:
                delivery.left = len(pks) - index
                logger.error(
                    "Stopped sending after %d failures in a row; %d emails wait for the next run.",
                    failures_in_a_row,
                    delivery.left,
                )
                break
            outcome = _send_one(pk, connection)
            if outcome is not None:
                setattr(delivery, outcome, getattr(delivery, outcome) + 1)
            failures_in_a_row = failures_in_a_row + 1 if outcome in {"failed", "gave_up"} else 0
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return delivery


@transaction.atomic
def _send_one(pk: int, connection) -> str | None:
    """Send one pending row, holding its lock so no other sender takes it. Returns
    the Delivery field to count it under, or None if it was no longer pending."""
    notification = (
        Notification.objects.pending()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .filter(pk=pk)
        .first()
    )
    if notification is None:
        return None
    recipient = notification.recipient
    address = recipient.email.strip() if recipient.is_active else ""
    if not address:
        notification.state = Notification.State.SKIPPED
        notification.last_error = "No email address." if recipient.is_active else "Inactive."
        notification.save(update_fields=["state", "last_error"])
        logger.warning(
            "Not emailing %s about “%s”: %s",
            recipient.get_username(),
            notification.subject,
            notification.last_error,
        )
        return "skipped"
    notification.attempts += 1
    message = mail.EmailMessage(
        notification.subject, notification.body, to=[address], connection=connection
    )
    try:
        message.send()
    except Exception as error:  # whatever the backend raises: keep the row, retry later
        with contextlib.suppress(Exception):
            connection.close()
        notification.last_error = f"{type(error).__name__}: {error}"
        gave_up = notification.attempts >= MAX_ATTEMPTS
        if gave_up:
            notification.state = Notification.State.FAILED
        notification.save(update_fields=["state", "attempts", "last_error"])
        logger.log(
            logging.ERROR if gave_up else logging.WARNING,
            "Could not email %s about “%s” (attempt %d%s): %s",
            address,
            notification.subject,
            notification.attempts,
            ", giving up" if gave_up else ", will retry",
            notification.last_error,
        )
        return "gave_up" if gave_up else "failed"
    notification.state = Notification.State.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["state", "attempts", "sent_at", "last_error"])
    return "sent"


def _one_line(subject: str) -> str:
    """Email headers cannot hold line breaks; the subject column holds 300 characters."""
    return " ".join(subject.split())[:300]
