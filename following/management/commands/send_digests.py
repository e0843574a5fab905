from django.core.management.base import BaseCommand, CommandError

from following.digests import send_digests


class Command(BaseCommand):
    help = (
        "Email each active user who follows tags or events, and has an email address, "
        "the takeaways and published notes new there since their last digest (or the "
        "last 7 days). At most one digest per user per week; nothing new, no email. "
        "Run it weekly (e.g. from a timer): running it again never sends twice. A digest "
        "the mail server refuses stays in the outbox, and send_reminders retries it."
    )

    def handle(self, *args, **options) -> None:
        run = send_digests()
        self.stdout.write(run.summary())
        if run.failed:
            # A non-zero exit, so that the scheduler reports it; nothing is lost.
            raise CommandError(
                f"Could not send to: {', '.join(run.failed)} yet (see the log); "
                "kept in the outbox for send_reminders to retry."
            )
