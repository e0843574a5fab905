from django.core.management.base import BaseCommand
from django.utils import timezone

from actions import tallies


class Command(BaseCommand):
    help = (
        "Fill again, for the site's time zone (TIME_ZONE), the rows the progress overview "
        "reads its months and its median time to done from. They are kept for one zone; "
        "after TIME_ZONE changes the overview counts the action points themselves (right, "
        "but slower) until this or the next `migrate` runs. Writes to action points, "
        "notes and events wait while it runs (seconds for a few hundred thousand action "
        "points)."
    )

    def handle(self, *args, **options) -> None:
        zone = timezone.get_current_timezone_name()
        before = tallies.kept_zone()
        tallies.rebuild_recent(zone=zone)
        self.stdout.write(
            f"Overview months kept for {zone} (were kept for {before})."
            if before != zone
            else f"Overview months kept for {zone} again (they already were)."
        )
