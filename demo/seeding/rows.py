"""Writing the demo data set's rows: PostgreSQL COPY with explicit ids, and the small
helpers that pick ids, slugs, moments and counts for them."""

import datetime
import random
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Model

UTC = datetime.UTC


def _columns(model: type[Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


def copy_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (tuples in the order of ``fields``) into ``model``'s table, then
    ANALYZE it.

    The triggers of the next COPY read this table (a tag link's takeaway and note, to
    leave drafts out): planned with the statistics of the table before it was filled,
    they scanned it whole for every row, and a test database's seeding ran for minutes
    on one COPY of tag links."""
    columns = ", ".join(connection.ops.quote_name(c) for c in _columns(model, fields))
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        cursor.execute(f"ANALYZE {table}")
    return count


def next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0]


def unique_slug(base: str, taken: set[str], limit: int = 200) -> str:
    base = (base[:limit].strip("-")) or "untitled"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def moment_on(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment on ``day``."""
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59)), UTC
    )


def spread(total: int, weights: Sequence[float], rng: random.Random, minimum: int = 0) -> list[int]:
    """``total`` split over len(weights) buckets in proportion to the weights, each
    bucket getting at least ``minimum`` while the total allows."""
    counts = [0] * len(weights)
    if not weights:
        return counts
    base = min(minimum, total // len(weights))
    counts = [base] * len(weights)
    for index in rng.choices(range(len(weights)), weights=weights, k=total - base * len(weights)):
        counts[index] += 1
    return counts
