"""Fold the tag use counters' rows into one per tag (their sums unchanged).

Every write that tags or untags something adds a row to ``talks_taguse``; pages
sum a tag's rows, so they stay exact however many there are, but the tag list
and the dashboard sum every tag's. Run it from the scheduler (hourly is plenty):
it takes no lock that writers wait on."""

from django.core.management.base import BaseCommand

from talks.models import TagUse


class Command(BaseCommand):
    help = "Fold the tag use counters into one row per tag."

    def handle(self, *args, **options) -> None:
        before = TagUse.objects.count()
        TagUse.compact()
        after = TagUse.objects.count()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Tag use counters: {before} rows folded into {after}.")
