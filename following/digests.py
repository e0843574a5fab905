"""The weekly digest email: the takeaways and published notes new in the tags and
events someone follows since their last digest.

A digest goes out the way every other email does, through the outbox: its
``DigestLog`` and its ``Notification`` are written in one transaction, the email is
sent once that has committed, and a mail server that is down leaves it pending for
``send_reminders`` to retry. The log's one-per-week constraint keeps anyone from
getting a digest twice, however often the command runs.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import Notification
from actions.outbox import Delivery, absolute_url, outbox_row, send_notifications
from talks.followed import followed_notes, followed_takeaways
from talks.models import DigestLog, Follow, Note, Takeaway

# A first digest (or one after a long pause) covers at most this far back.
FIRST_DIGEST_DAYS = 7
# Per kind; the email says when there were more and links to the dashboard.
DIGEST_ITEMS = 50


def week_start(now: datetime.datetime) -> datetime.date:
    """The Monday of ``now``'s week, in the site's time zone."""
    today = timezone.localdate(now)
    return today - datetime.timedelta(days=today.weekday())


@dataclass
class DigestRun:
    """What one run of ``send_digests`` did, for its summary line."""

    queued: list[str] = field(default_factory=list)  # usernames
    takeaways: int = 0
    notes: int = 0
    nothing_new: int = 0
    already_sent: int = 0
    no_email: int = 0
    notification_ids: list[int] = field(default_factory=list)
    delivery: Delivery = field(default_factory=Delivery)
    failed: list[str] = field(default_factory=list)  # usernames still in the outbox

    def summary(self) -> str:
        return (
            f"Queued {len(self.queued)} digest(s) with {self.takeaways} takeaway(s) and "
            f"{self.notes} note(s). Skipped {self.nothing_new} with nothing new, "
            f"{self.already_sent} already sent this week, {self.no_email} without an "
            f"email address. Emails: {self.delivery.sent} sent, {self.delivery.failed} "
            f"failed and kept to retry, {self.delivery.left} not tried."
        )


def digest_recipients(*, week: datetime.date):
    """Active users who follow something and have an email address, with when
    their last digest ended (``last_sent``), whether they have this week's
    (``sent_this_week``), and what they follow, in the order the email lists it."""
    return (
        followers()
        .exclude(email="")
        .annotate(
            last_sent=Max("digest_logs__sent_at"),
            sent_this_week=Exists(DigestLog.objects.filter(user=OuterRef("pk"), week_start=week)),
        )
        .prefetch_related(
            Prefetch(
                "follows",
                queryset=Follow.objects.select_related("tag", "event").order_by(
                    "tag__name", "event__name"
                ),
            )
        )
        .order_by("pk")
    )


def followers():
    """Active users who follow at least one tag or event."""
    return get_user_model().objects.filter(
        Exists(Follow.objects.filter(user=OuterRef("pk"))), is_active=True
    )


def new_takeaways(user, *, since: datetime.datetime, until: datetime.datetime) -> list[Takeaway]:
    """Up to ``DIGEST_ITEMS + 1`` takeaways new in what ``user`` follows (one more
    than fits, so the email can say there were more), newest first."""
    window = followed_takeaways(user).appeared_between(since, until)
    return list(window[: DIGEST_ITEMS + 1])


def new_notes(user, *, since: datetime.datetime, until: datetime.datetime) -> list[Note]:
    """As ``new_takeaways``, for notes published in the window (never drafts)."""
    window = followed_notes(user).filter(published_at__gt=since, published_at__lte=until)
    return list(window[: DIGEST_ITEMS + 1])


def send_digests(*, now: datetime.datetime | None = None) -> DigestRun:
    """Email every active user who follows something and has an email address the
    takeaways and published notes new in what they follow since their last digest
    (or the last ``FIRST_DIGEST_DAYS`` days), at most once per week.

    Call it outside a transaction (as the command does): each digest is committed
    on its own before any is sent.

    Side effects: for each user with something new, in its own transaction, a
    ``DigestLog`` and an outbox ``Notification``; then sends those emails. One the
    mail server refuses stays pending, and ``send_reminders`` retries it. Users
    with nothing new get no email and no log entry.
    """
    now = now or timezone.now()
    week = week_start(now)
    run = DigestRun()
    run.no_email = followers().filter(email="").count()
    for user in digest_recipients(week=week):
        if user.sent_this_week:
            run.already_sent += 1
            continue
        _queue_one(user, now=now, week=week, run=run)
    if run.notification_ids:
        run.delivery = send_notifications(run.notification_ids)
        pending = Notification.objects.pending().filter(pk__in=run.notification_ids)
        run.failed = sorted(pending.values_list("recipient__username", flat=True))
    return run


def _queue_one(user, *, now: datetime.datetime, week: datetime.date, run: DigestRun) -> None:
    # The window ends at ``now``, which the log records: the next digest starts
    # exactly where this one ended. Notes count from when they were published.
    since = user.last_sent or now - datetime.timedelta(days=FIRST_DIGEST_DAYS)
    takeaways = new_takeaways(user, since=since, until=now)
    notes = new_notes(user, since=since, until=now)
    if not takeaways and not notes:
        run.nothing_new += 1
        return
    subject, body = render_digest(user, since=since, takeaways=takeaways, notes=notes)
    shown_takeaways, shown_notes = min(len(takeaways), DIGEST_ITEMS), min(len(notes), DIGEST_ITEMS)
    try:
        with transaction.atomic():
            log = DigestLog.objects.create(
                user=user,
                week_start=week,
                sent_at=now,
                takeaway_count=shown_takeaways,
                note_count=shown_notes,
            )
            notification = outbox_row(user, subject, body, digest=log)
            notification.save()
    except IntegrityError:
        # Another run queued this week's digest in the meantime.
        run.already_sent += 1
        return
    run.notification_ids.append(notification.pk)
    run.queued.append(user.get_username())
    run.takeaways += shown_takeaways
    run.notes += shown_notes


def render_digest(
    user, *, since: datetime.datetime, takeaways: list[Takeaway], notes: list[Note]
) -> tuple[str, str]:
    """The subject and plain-text body of ``user``'s digest; ``takeaways`` and
    ``notes`` may hold one more than fits, which the email mentions."""
    context = {
        "user": user,
        "since": since,
        "site_url": absolute_url(""),
        "dashboard_url": absolute_url(reverse("home")),
        "takeaways": takeaways[:DIGEST_ITEMS],
        "more_takeaways": len(takeaways) > DIGEST_ITEMS,
        "notes": notes[:DIGEST_ITEMS],
        "more_notes": len(notes) > DIGEST_ITEMS,
        "follows": user.follows.all(),
    }
    subject = _subject(len(context["takeaways"]), len(context["notes"]))
    return subject, render_to_string("email/following/digest.txt", context)


def _subject(takeaways: int, notes: int) -> str:
    parts = []
    if takeaways:
        parts.append(f"{takeaways} new takeaway{'s' if takeaways != 1 else ''}")
    if notes:
        parts.append(f"{notes} new note{'s' if notes != 1 else ''}")
    return f"Notesite weekly: {' and '.join(parts)} in what you follow"
