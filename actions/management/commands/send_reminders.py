import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from actions.outbox import MAX_ATTEMPTS, send_notifications
from actions.reminders import queue_reminders

logger = logging.getLogger("actions.reminders")


class Command(BaseCommand):
    help = (
        "Email each person one reminder of their open action points that are overdue or "
        "due within --days days (default 3), and each manager (the “manager” group) the "
        "team's overdue ones as part of theirs. Safe to run from cron every hour: a "
        "person gets at most one reminder a day, and none if they turned reminders off "
        "on their account page. Also sends whatever a failing mail server left in the "
        "outbox (change notices, reminders, weekly digests), each up to "
        f"{MAX_ATTEMPTS} times. Exits with status 1 when the database is unavailable; "
        "each person's reminder is written whole or not at all, so the next run carries on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=3,
            help="Remind of action points due within this many days (default 3).",
        )

    def handle(self, *args, days: int, **options) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        try:
            reminders = queue_reminders(days=days)
            delivery = send_notifications()
        except (OperationalError, InterfaceError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "no reason"
            logger.error(
                "send_reminders: the database is unavailable (%s); nothing was half-written, "
                "the next run carries on.",
                reason,
            )
            raise SystemExit(1) from None
        self.stdout.write(
            f"Reminders for {reminders.today:%Y-%m-%d} (due by {reminders.until:%Y-%m-%d}): "
            f"{reminders.queued} queued ({reminders.to_managers} to managers, "
            f"{reminders.no_address} skipped: no email address). "
            f"Emails: {delivery.sent} sent, {delivery.failed} failed and kept to retry, "
            f"{delivery.gave_up} given up, {delivery.skipped} skipped, "
            f"{delivery.left} not tried."
        )
