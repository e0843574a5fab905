"""A realistic synthetic data set at any scale, for benchmarks and query-count tests.

``manage.py seed_demo --scale N`` calls ``seed()``. Scale 100 is a company of 5,000
engineers that has sent people to conferences for ten years; scale 1 is small enough
for tests. Every count is proportional to the scale (``Plan.for_scale``), with a floor
so that a tiny scale still has something of every kind:

| kind | per unit of scale | scale 1 | scale 100 |
| --- | --- | --- | --- |
| events | 50 | 50 | 5,000 |
| talks | 1,000 | 1,000 | 100,000 |
| open spaces | 100 | 100 | 10,000 |
| notes | 2,000 | 2,000 | 200,000 |
| takeaways | 2,000 | 2,000 | 200,000 |
| action points | 2,000 | 2,000 | 200,000 |
| tags | 30 | 30 | 3,000 |
| users | 50 | 50 | 5,000 |
| speakers | 400 | 400 | 40,000 |

How it is realistic (figures from scale 100, seed 1):

- Words: sentences come from templates whose slots draw from ranked vocabularies with
  Zipf-like weights (rank r weighs 1/(r+1)), so a few words are everywhere and most are
  rare. ``COMMON_WORD`` (the eleventh noun) is in about half of the notes (103,034),
  a fifth of the talks and a seventh of the action points; ``RARE_PHRASE`` is in no
  vocabulary and is planted in 10 notes, 4 takeaways and one talk. The benchmark
  searches for both.
- Tags: 1/(r+1)^1.1 weights over the tag vocabulary, and takeaways and action points
  mostly take their talk's tags: the top tag is on 57,667 takeaways, the second on
  29,576, the median tag on 22.
- Events spread over the last ten years with log-normal sizes (median 17 talks, the
  biggest 120); about a third hold open spaces. Keynotes and first talks draw more
  notes (the busiest talk has 33). Authors, speakers and assignees are long-tailed.
- Notes are Markdown of 250 to 6,000 characters (median 1,350): paragraphs, lists,
  headings, quotes, a little code; 5% are drafts. Action points on events more than
  six months old are mostly done: 76% done, 10% dropped, 14% open or in progress, of
  which most (22,628) are overdue.
- Every user's password is ``DEMO_PASSWORD``, hashed once. ``HEAVY_USERNAME`` (an
  attendee) has many open follow-ups (421), ``MANAGER_USERNAME`` is a manager and
  ``STAFF_USERNAME`` is staff with admin access; the others are mostly attendees, some
  managers and staff, a few inactive (leavers).

Rendering: the ``*_html`` columns are filled here, since COPY bypasses ``save()``.
Rendering 200,000 notes at ~1.4 ms/KB would take minutes, so note bodies, abstracts,
descriptions and details are assembled from a pool of Markdown blocks each rendered
once. Markdown renders block by block, so the joined HTML is exactly what
``render_markdown`` gives for the joined Markdown (a test checks it). Every note is a
different combination of blocks, but blocks repeat across notes: the text is more
repetitive than people's, which a search index does not mind.

Rows go in with PostgreSQL ``COPY`` (psycopg's ``cursor.copy()``) inside one
transaction with explicit ids; generated columns (the search vectors) are computed by
PostgreSQL as rows arrive. The same seed gives the same rows; dates are relative to the
day of seeding, so "overdue" stays meaningful.

Here: ``seed()`` and what it needs around the run. The rest, in the order a run uses
it: ``plan`` (how much of everything, the benchmark's names and words), ``text``
(words and Markdown blocks), ``rows`` (COPY and its helpers), ``catalogue`` (tags,
people, events, sessions), ``writing`` (notes, takeaways, action points, and the whole
run), ``benchmark`` (what the benchmark looks at afterwards).
"""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connection, transaction
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange, TaggedActionPoint
from demo.seeding.catalogue import SeedReport
from demo.seeding.plan import Plan
from demo.seeding.writing import Seeder
from talks.models import (
    Event,
    Note,
    OpenSpace,
    Speaker,
    TaggedEvent,
    TaggedOpenSpace,
    TaggedTakeaway,
    TaggedTalk,
    Takeaway,
    Talk,
)


class AlreadySeeded(Exception):
    """The database already has users, events or tags: seeding refuses to mix in."""


def has_data() -> bool:
    """Whether the database has users, events or tags (seeding refuses then)."""
    return User.objects.exists() or Event.objects.exists() or Tag.objects.exists()


def seed(
    *, scale: float, seed: int = 1, progress: Callable[[str], None] | None = None
) -> SeedReport:
    """Fill an empty database with the data set for ``scale`` (see the module docstring).

    Side effects: inserts users (with role groups), tags, speakers, events, talks, open
    spaces, notes, takeaways, action points with their tags and history, all in one
    transaction, and moves the id sequences past them. Raises ``AlreadySeeded``, writing
    nothing, when the database already has users, events or tags.
    """
    plan = Plan.for_scale(scale)
    with transaction.atomic():
        if has_data():
            raise AlreadySeeded(
                "The database already has users, events or tags; seed_demo only fills an "
                "empty database (run it on a fresh one, e.g. after `migrate` on a new database)."
            )
        with connection.cursor() as cursor:
            # Bulk-load settings for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        return Seeder(plan, seed, progress).run()


def vacuum_analyze() -> None:
    """Refresh the planner's statistics and the visibility map after a bulk load (what
    autovacuum would do a little later). Inside a transaction, where VACUUM cannot
    run (tests), only ANALYZE."""
    tables = [
        model._meta.db_table
        for model in (User, User.groups.through, Tag, Speaker, Talk.speakers.through, Event,
                      Talk, OpenSpace, Note, Takeaway, ActionPoint, ActionPointChange,
                      TaggedEvent, TaggedTalk, TaggedOpenSpace, TaggedTakeaway, TaggedActionPoint)
    ]  # fmt: skip
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
