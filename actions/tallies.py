"""Counts of published action points by status, per assignee and per event, read
from the tables that triggers keep exact on every write (actions 0018): the
progress overview's numbers, at the cost of reading one row per person or event
instead of every action point.

Each row holds changes to the counts of one assignee (``assignee_id`` NULL for the
unassigned) or one event: ``open``, ``in_progress``, ``done``, ``dropped`` and
``undated`` (still to do with no due date). The counts are the sums per key (writes
only append rows, folded from time to time), and a key whose sums are all zero has
no action points. Published as in ``public()``: an action point of a draft note
counts from when the note is published.

What depends on today (what is overdue) is not kept: it is what is still to do less
the undated ones less those due from today on, which are few however long the
history is (``not_overdue``).

What the page shows of the last months (raised and done per month, the median time
to done) is read from rows kept per published action point (``actions_raised_done``,
actions 0021) for the time zone they were filled for: ``recent``; ``migrate`` fills
them again when the site's zone changed (``keep_for_the_sites_zone``).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, Q

from actions.models import ACTIVE_STATUSES, ActionPoint

STATUSES = ("open", "in_progress", "done", "dropped")


def _summed(table: str, key: str) -> str:
    """The counts per key of ``table``: its rows summed, keys with any left."""
    return f"""
        SELECT {key}, sum(open) AS open, sum(in_progress) AS in_progress, sum(done) AS done,
               sum(dropped) AS dropped, sum(undated) AS undated
        FROM {table} GROUP BY {key}
        HAVING (sum(open), sum(in_progress), sum(done), sum(dropped), sum(undated))
            <> (0, 0, 0, 0, 0)
    """  # noqa: S608 - our own table names


ASSIGNEES = _summed("actions_assignee_tally", "assignee_id")
EVENTS = _summed("actions_event_tally", "event_id")


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def totals() -> dict[str, int]:
    """Counts by status over all published action points, the undated ones, how many
    events have any, how many people have something still to do, and how many are
    unassigned: one query over the per-assignee rows."""
    (row,) = _rows(
        f"""
        SELECT coalesce(sum(open), 0) AS open,
               coalesce(sum(in_progress), 0) AS in_progress,
               coalesce(sum(done), 0) AS done,
               coalesce(sum(dropped), 0) AS dropped,
               coalesce(sum(undated), 0) AS undated,
               count(*) FILTER (WHERE assignee_id IS NOT NULL AND open + in_progress > 0)
                   AS assignees,
               coalesce(sum(open + in_progress + done + dropped)
                   FILTER (WHERE assignee_id IS NULL), 0) AS unassigned,
               (SELECT count(*) FROM ({EVENTS}) e) AS events
        FROM ({ASSIGNEES}) a
        """,  # noqa: S608 - our own SQL
        [],
    )
    return {name: int(n) for name, n in row.items()}


def busiest_assignees(limit: int) -> list[dict]:
    """The first ``limit`` per-assignee rows with the person's names: most still to
    do first, then most in all, then the unassigned, then by username."""
    return _rows(
        f"""
        SELECT t.assignee_id, u.username AS assignee__username,
               u.first_name AS assignee__first_name, u.last_name AS assignee__last_name,
               t.open, t.in_progress, t.done, t.dropped, t.undated
        FROM ({ASSIGNEES}) t LEFT JOIN auth_user u ON u.id = t.assignee_id
        ORDER BY t.open + t.in_progress DESC, t.open + t.in_progress + t.done + t.dropped DESC,
                 u.username IS NOT NULL, u.username, t.assignee_id
        LIMIT %s
        """,  # noqa: S608 - our own SQL
        [limit],
    )


def busiest_people(limit: int) -> list[tuple[int, str]]:
    """(user id, username) of the ``limit`` people with the most published action
    points still to do, most first, then by username: the admin's assignee choices.
    Only the people with at least the ``limit``-th largest count are joined to their
    names and sorted (ties with it included), not all of the thousands with any."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH t AS MATERIALIZED (
                SELECT assignee_id, open + in_progress AS todo FROM ({ASSIGNEES}) a
                WHERE assignee_id IS NOT NULL AND open + in_progress > 0
            )
            SELECT t.assignee_id, u.username FROM t
            JOIN auth_user u ON u.id = t.assignee_id
            WHERE t.todo >= COALESCE((SELECT todo FROM t ORDER BY todo DESC OFFSET %s LIMIT 1), 0)
            ORDER BY t.todo DESC, u.username
            LIMIT %s
            """,  # noqa: S608 - our own SQL
            [max(limit - 1, 0), limit],
        )
        return cursor.fetchall()


def newest_events(limit: int) -> list[dict]:
    """The first ``limit`` events with action points, newest first, with their
    counts."""
    return _rows(
        f"""
        SELECT e.id AS event_id, e.name AS event__name, e.slug AS event__slug,
               e.starts_on AS event__starts_on,
               t.open, t.in_progress, t.done, t.dropped, t.undated
        FROM talks_event e JOIN ({EVENTS}) t ON t.event_id = e.id
        ORDER BY e.starts_on DESC, e.name, e.id
        LIMIT %s
        """,  # noqa: S608 - our own SQL
        [limit],
    )


def not_overdue(today: datetime.date) -> dict[int | None, int]:
    """Assignee id → how many of their published action points still to do are due
    from ``today`` on (not overdue and not undated): a range of the partial index
    on open rows, from the index alone."""
    rows = (
        ActionPoint.objects.public()
        .filter(status__in=ACTIVE_STATUSES, due_on__gte=today)
        .order_by()
        .values_list("assignee_id")
        .annotate(n=Count("*"))
    )
    return dict(rows)


def overdue_per_event(today: datetime.date, event_ids: list[int]) -> dict[int, int]:
    """Event id → how many of its published action points are overdue, for the
    events ``event_ids`` only (each one a range of the per-event index)."""
    rows = (
        ActionPoint.objects.public()
        .filter(Q(status__in=ACTIVE_STATUSES, due_on__lt=today), event_id__in=event_ids)
        .order_by()
        .values_list("event_id")
        .annotate(n=Count("*"))
    )
    return dict(rows)


@dataclass(frozen=True)
class Recent:
    """Of the published action points raised or done since a month's first day: how
    many were done (not counting those entered already done, counted apart), the
    median time from raised to done of those, and how many were raised and done in
    each month (as ``actions.overview`` defines raised, done and entered done)."""

    done_recently: int
    entered_done: int
    median_to_done: datetime.timedelta | None
    done_per_month: dict[datetime.date, int]
    raised_per_month: dict[datetime.date, int]


# One query: the zone the rows were filled for, and, when it is the one asked for,
# the rows of two index ranges grouped by month (the done ones also in all, for the
# median: the row with a done count and no month). Another zone gives one row with
# its name and nothing else.
RECENT = """
    SELECT z.zone, m.month, m.raised, m.done, m.entered, m.median
    FROM actions_raised_done_zone z LEFT JOIN LATERAL (
        SELECT done_month AS month, NULL::bigint AS raised,
               count(*) FILTER (WHERE NOT entered_done) AS done,
               count(*) FILTER (WHERE entered_done) AS entered,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY to_done)
                   FILTER (WHERE NOT entered_done) AS median
        FROM actions_raised_done WHERE done_month >= %(first)s
        GROUP BY GROUPING SETS ((done_month), ())
        UNION ALL
        SELECT raised_month, count(*), NULL, NULL, NULL
        FROM actions_raised_done WHERE raised_month >= %(first)s
        GROUP BY raised_month
    ) m ON z.zone = %(zone)s
"""


def recent(first: datetime.date, zone: str) -> Recent | None:
    """What ``Recent`` says from the month starting on ``first`` on (months in the
    time zone named ``zone``), from the kept rows; None when they were filled for
    another zone (the site's changed since: ``rebuild_recent``)."""
    with connection.cursor() as cursor:
        cursor.execute(RECENT, {"first": first, "zone": zone})
        rows = cursor.fetchall()
    if not rows or rows[0][0] != zone:
        return None
    raised = {month: n for _, month, n, _, _, _ in rows if n is not None}
    done = {month: n for _, month, _, n, _, _ in rows if month is not None and n}
    ((_, _, _, done_recently, entered, median),) = (
        row for row in rows if row[1] is None and row[3] is not None
    )
    return Recent(done_recently, entered, median, done, raised)


def rebuild_recent(*, zone: str) -> None:
    """Fill the rows ``recent`` reads again, for the time zone named ``zone``.

    Side effects: locks action points, notes and events against writes while it
    runs (seconds for a few hundred thousand action points)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT actions_raised_done_rebuild(%s)", [zone])


def keep_for_the_sites_zone(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After ``migrate`` (the release step): fill the rows ``recent`` reads again when
    TIME_ZONE changed since they were filled, so that a changed zone costs the
    overview its speed only until the next release, without anyone having to know
    ``keep_overview_months``. Nothing when the table is not there (migrated back).

    Side effects: as ``rebuild_recent``, when the zone changed."""
    if using != connection.alias:
        return
    if "actions_raised_done_zone" not in connections[using].introspection.table_names():
        return
    if kept_zone() != settings.TIME_ZONE:
        rebuild_recent(zone=settings.TIME_ZONE)


def kept_zone() -> str:
    """The time zone the rows ``recent`` reads were filled for."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT zone FROM actions_raised_done_zone")
        return cursor.fetchone()[0]
