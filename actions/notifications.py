"""Who is told about a change to an action point, and why: the email about it,
queued in the outbox in the transaction that made the change."""

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from actions.models import ActionPoint, ActionPointChange, Notification
from actions.outbox import absolute_url, outbox_row, send_after_commit

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
    send_after_commit(rows)
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
    send_after_commit(rows)
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


def _one_line(subject: str) -> str:
    """Email headers cannot hold line breaks; the subject column holds 300 characters."""
    return " ".join(subject.split())[:300]
