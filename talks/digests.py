"""What people follow: the newest takeaways and published notes in the tags and
events they follow, for their dashboard and for a weekly digest email.

A takeaway is "in" a followed tag when it carries the tag; a note, when its talk or
open space does (as in the Atom feeds). Anything at a followed event counts too.
Drafts never do.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from talks.models import DigestLog, Follow, Note, Takeaway

logger = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
# A first digest (or one after a long pause) covers at most this far back.
FIRST_DIGEST_DAYS = 7
# Per kind; the email says when there were more and links to the dashboard.
DIGEST_ITEMS = 50


def shown_at(item: Takeaway | Note) -> datetime.datetime:
    """When a list of new things shows ``item`` as new: a note when it was published."""
    if isinstance(item, Note):
        return item.published_at or item.created_at
    return getattr(item, "appeared_at", item.created_at)


@dataclass(frozen=True)
class FollowedItem:
    """A takeaway or a published note, for lists that mix the two."""

    kind: str  # "takeaway" or "note"
    item: Takeaway | Note

    @property
    def at(self) -> datetime.datetime:
        return shown_at(self.item)


def newest_of(takeaways, notes, *, limit: int) -> list[FollowedItem]:
    """The ``limit`` newest of ``takeaways`` and ``notes`` (querysets, each newest
    first) together, newest first: one query each."""
    items = [FollowedItem("takeaway", t) for t in takeaways[:limit]]
    items += [FollowedItem("note", n) for n in notes[:limit]]
    items.sort(key=lambda entry: entry.at, reverse=True)
    return items[:limit]


def followed_takeaways(user):
    return (
        Takeaway.objects.public()
        .followed_by(user)
        .select_related("event", "talk", "open_space", "author")
        .newest_first()
    )


def followed_notes(user):
    return (
        Note.objects.published()
        .followed_by(user)
        .select_related("event", "talk", "open_space", "author")
        .order_by("-published_at", "-pk")
    )


def newest_followed(user, *, limit: int) -> list[FollowedItem]:
    """The ``limit`` newest takeaways and published notes in what ``user`` follows,
    newest first: two queries (and one for the takeaways' tags)."""
    return newest_of(followed_takeaways(user).with_tags(), followed_notes(user), limit=limit)


def site_url() -> str:
    return getattr(settings, "SITE_URL", DEFAULT_SITE_URL).rstrip("/")


def week_start(now: datetime.datetime) -> datetime.date:
    """The Monday of ``now``'s week, in the site's time zone."""
    today = timezone.localdate(now)
    return today - datetime.timedelta(days=today.weekday())


@dataclass
class DigestRun:
    """What one run of ``send_digests`` did, for its summary line."""

    sent: list[str] = field(default_factory=list)  # usernames
    takeaways: int = 0
    notes: int = 0
    nothing_new: int = 0
    already_sent: int = 0
    no_email: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Sent {len(self.sent)} digest(s) with {self.takeaways} takeaway(s) and "
            f"{self.notes} note(s). Skipped {self.nothing_new} with nothing new, "
            f"{self.already_sent} already sent this week, {self.no_email} without an "
            f"email address. Failed: {len(self.failed)}."
        )


def send_digests(*, now: datetime.datetime | None = None) -> DigestRun:
    """Email every active user who follows something and has an email address the
    takeaways and published notes new in what they follow since their last digest
    (or the last ``FIRST_DIGEST_DAYS`` days), at most once per week.

    Side effects: sends at most one email per user, and records each sent one as a
    ``DigestLog`` (in the same transaction, so a failed send records nothing and the
    next run tries again). Users with nothing new get no email and no log entry.
    """
    now = now or timezone.now()
    week = week_start(now)
    run = DigestRun()
    followers = get_user_model().objects.filter(
        Exists(Follow.objects.filter(user=OuterRef("pk"))), is_active=True
    )
    run.no_email = followers.filter(email="").count()
    users = (
        followers.exclude(email="")
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
    for user in users:
        if user.sent_this_week:
            run.already_sent += 1
            continue
        _send_one(user, now=now, week=week, run=run)
    return run


def _send_one(user, *, now: datetime.datetime, week: datetime.date, run: DigestRun) -> None:
    # The window ends at ``now``, which the log records: the next digest starts
    # exactly where this one ended. Notes count from when they were published.
    since = user.last_sent or now - datetime.timedelta(days=FIRST_DIGEST_DAYS)
    takeaways = list(followed_takeaways(user).appeared_between(since, now)[: DIGEST_ITEMS + 1])
    notes = list(
        followed_notes(user).filter(published_at__gt=since, published_at__lte=now)[
            : DIGEST_ITEMS + 1
        ]
    )
    if not takeaways and not notes:
        run.nothing_new += 1
        return
    context = {
        "user": user,
        "since": since,
        "site_url": site_url(),
        "dashboard_url": site_url() + reverse("home"),
        "takeaways": takeaways[:DIGEST_ITEMS],
        "more_takeaways": len(takeaways) > DIGEST_ITEMS,
        "notes": notes[:DIGEST_ITEMS],
        "more_notes": len(notes) > DIGEST_ITEMS,
        "follows": user.follows.all(),
    }
    subject = _subject(len(context["takeaways"]), len(context["notes"]))
    try:
        with transaction.atomic():
            DigestLog.objects.create(
                user=user,
                week_start=week,
                sent_at=now,
                takeaway_count=len(context["takeaways"]),
                note_count=len(context["notes"]),
            )
            send_mail(
                subject,
                render_to_string("talks/digest_email.txt", context),
                None,
                [user.email],
            )
    except IntegrityError:
        # Another run sent this week's digest in the meantime.
        run.already_sent += 1
        return
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the digest to %s", user.get_username())
        run.failed.append(user.get_username())
        return
    run.sent.append(user.get_username())
    run.takeaways += len(context["takeaways"])
    run.notes += len(context["notes"])


def _subject(takeaways: int, notes: int) -> str:
    parts = []
    if takeaways:
        parts.append(f"{takeaways} new takeaway{'s' if takeaways != 1 else ''}")
    if notes:
        parts.append(f"{notes} new note{'s' if notes != 1 else ''}")
    return f"Notesite weekly: {' and '.join(parts)} in what you follow"
