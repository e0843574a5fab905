from django.core.management.base import BaseCommand, CommandError

from talks.digests import send_digests


class Command(BaseCommand):
    help = (
        "Email each active user who follows tags or events, and has an email address, "
        "the takeaways and published notes new there since their last digest (or the "
        "last 7 days). At most one digest per user per week; nothing new, no email. "
        "Run it daily or weekly (e.g. from cron): running it again never sends twice."
    )

    def handle(self, *args, **options) -> None:
        run = send_digests()
        self.stdout.write(run.summary())
        if run.failed:
            # A non-zero exit, so that cron reports it; the next run retries them.
            raise CommandError(f"Could not send to: {', '.join(run.failed)} (see the log).")
