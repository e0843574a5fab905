"""The daily reminders: each person's open action points that are overdue or due
soon and, for managers, the team's overdue ones, one email a day at most, queued
in the outbox."""

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionPoint, Notification, ReminderLog
from actions.outbox import absolute_url, outbox_row
from common.roles import MANAGER
from talks.models import Note

User = get_user_model()

# Other people's overdue action points listed in a manager's reminder.
TEAM_LIST_LIMIT = 30


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
