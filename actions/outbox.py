"""The outbox every email goes through: a ``Notification`` row is written in the
transaction that made the change (or the reminder, or the digest) and sent once
that transaction has committed.

A mail server that is down leaves the row pending, with its error, for
``send_reminders`` to retry; a person without an email address gets a skipped row
and a warning in the log. The database refuses a second row for one person and one
change, and a second reminder for one person on one day, so nothing is ever sent
twice.
"""

import contextlib
import dataclasses
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from actions.models import Notification

logger = logging.getLogger(__name__)

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

_batch: ContextVar[list[int] | None] = ContextVar("notification_batch", default=None)


def absolute_url(path: str) -> str:
    """``path`` on the site, for links in emails (read away from the site)."""
    return settings.SITE_URL.rstrip("/") + path


def send_after_commit(rows: Iterable[Notification]) -> None:
    """Send the pending ones of ``rows`` (saved) once the transaction commits, with
    the rest of the enclosing ``sending_after_commit`` block if there is one."""
    with sending_after_commit():
        _batch.get().extend(row.pk for row in rows if row.state == Notification.State.PENDING)


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
