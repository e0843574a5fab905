"""Write an event's report as Markdown."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.importer import event_report
from talks.models import Event


class Command(BaseCommand):
    help = (
        "Write the report on the event with the slug SLUG as Markdown: the event, each "
        "talk and open space with its speakers, every published note (drafts are left "
        "out), the takeaways, and the action points with assignee and status. The same "
        "report as /events/SLUG/report.md; import_notes reads it back. To standard output, "
        "or to --output FILE."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--event", required=True, metavar="SLUG")
        parser.add_argument("--output", type=Path, metavar="FILE")

    def handle(self, *args, **options) -> None:
        try:
            event = Event.objects.get(slug=options["event"])
        except Event.DoesNotExist:
            raise CommandError(f"No event with the slug “{options['event']}”.") from None
        report = event_report(event)
        if options["output"] is None:
            self.stdout.write(report, ending="")
            return
        try:
            options["output"].write_text(report, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{options['output']}: {error.strerror}.") from None
        self.stdout.write(f"Wrote the report on {event} to {options['output']}.")
