"""Fill an empty database with a realistic synthetic data set (demo.seeding)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo import seeding
from demo.seeding.plan import DEMO_PASSWORD, HEAVY_USERNAME, MANAGER_USERNAME, STAFF_USERNAME


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a synthetic data set: --scale 1 is small (50 events, "
        "2,000 notes), --scale 100 is a 5,000-person company over ten years (5,000 events, "
        "100,000 talks, 200,000 notes, takeaways and action points, 3,000 tags, 5,000 users). "
        "Counts grow linearly with the scale. Refuses, writing nothing, when the database "
        "already has users, events or tags; to seed again, start from a fresh database. "
        f"Every user's password is '{DEMO_PASSWORD}'; '{HEAVY_USERNAME}' has "
        f"many open follow-ups, '{MANAGER_USERNAME}' is a manager and "
        f"'{STAFF_USERNAME}' is staff. The same --seed gives the same data; dates are "
        "relative to today. Ends with VACUUM ANALYZE."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Size of the data set (default 1)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, scale: float, seed: int, **options) -> None:
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        started = time.perf_counter()
        try:
            report = seeding.seed(scale=scale, seed=seed, progress=self.stdout.write)
        except seeding.AlreadySeeded as refused:
            raise CommandError(str(refused)) from None
        loaded = time.perf_counter()
        self.stdout.write(f"Committed in {loaded - started:.1f} s; running VACUUM ANALYZE...")
        seeding.vacuum_analyze()
        finished = time.perf_counter()
        self.stdout.write(f"VACUUM ANALYZE: {finished - loaded:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded scale {scale:g} (seed {seed}) in {finished - started:.1f} s: "
                + ", ".join(
                    f"{report.counts[kind]:,} {kind}"
                    for kind in (
                        "events",
                        "talks",
                        "open spaces",
                        "notes",
                        "takeaways",
                        "action points",
                        "tags",
                        "users",
                        "speakers",
                    )
                )
            )
        )
