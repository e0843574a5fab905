"""Progress on follow-ups, for managers and staff: counts by status per event and
per assignee, what is overdue, the median time to done, and action points raised
versus done per month over the last 12 months.

Every number is an aggregate in the database (GROUP BY with filtered counts), so
the page runs the same few queries however many action points there are, and each
reads as few rows as its answer needs, from an index alone (the indexes carry the
note, for ``public()``): what is still to do from the partial index on open rows,
once for the totals and the per-assignee table; the finished ones (most rows, and
only growing) counted up to COUNTED_FINISHED and estimated beyond, as the page says;
per event only the rows of the events shown, per assignee only the rows of the
people who can be shown, and the months and the median only the last twelve months.

When an action point was raised (``raised_on``/``raised_at``): the day it was
entered, unless it was entered after its event's last day (``ends_on``, in the
site's time zone), as history imported later is; then it was raised at the event,
on its first day (``starts_on``, from midnight in the site's time zone). The entry
time, ``created_at``, is kept as it is for audit. A raised date is never later than
the entry date, so the last months' rows are still found by ``created_at`` first.

An action point was entered already done when it was completed less than a minute
from its entry (``created_at``): imported as done, or created done in the admin.
Creating one writes no history entry (``ActionPointChange`` records changes only),
so the two timestamps are what tells. Such rows count in the totals but not in the
median time to done nor in the done bars of the chart: when they were done is not
known.

The page is the same for every reader, so it counts published action points only
(``public()``): those raised in a draft note count once the note is published.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from actions.models import ACTIVE_STATUSES, ActionPoint, overdue_q
from common import charts
from common.roles import sees_everyones_follow_ups
from talks.models import Event

MONTHS = 12
EVENTS_SHOWN = 25
ASSIGNEES_SHOWN = 25
OVERDUE_SHOWN = 50
# Finished (done or dropped) action points counted before the page shows an
# estimate instead: counting 170,000 of them took longer than the rest of the page.
COUNTED_FINISHED = 20_000
# Likewise for the events with action points (each one an index probe).
COUNTED_EVENTS = 1_000
FINISHED_STATUSES = ("done", "dropped")
# Completed this soon after being entered: entered already done.
ENTERED_DONE_WITHIN = datetime.timedelta(minutes=1)

Status = ActionPoint.Status


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, interpolated."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def status_counts(today: datetime.date) -> dict[str, Count]:
    """Filtered counts for one GROUP BY: each status, the active and overdue ones.
    (They count ``status``, never NULL, so an index holding it can answer alone.)"""
    return {
        "open": Count("status", filter=Q(status=Status.OPEN)),
        "in_progress": Count("status", filter=Q(status=Status.IN_PROGRESS)),
        "done": Count("status", filter=Q(status=Status.DONE)),
        "dropped": Count("status", filter=Q(status=Status.DROPPED)),
        "active": Count("status", filter=Q(status__in=ACTIVE_STATUSES)),
        "overdue": Count("status", filter=overdue_q(today)),
        "total": Count("*"),
    }


def first_month(today: datetime.date, months: int = MONTHS) -> datetime.date:
    """The first day of the month ``months - 1`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_starts(today: datetime.date, months: int = MONTHS) -> list[datetime.date]:
    start = first_month(today, months)
    index = start.year * 12 + start.month - 1
    return [datetime.date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(months)]


def entered_after_event() -> Q:
    """Entered after the event's last day (in the site's time zone): imported history."""
    return Q(created_at__date__gt=F("event__ends_on"))


def raised_on() -> Case:
    """The day an action point was raised: its event's first day when it was entered
    after the event, else the day it was entered."""
    return Case(
        When(entered_after_event(), then=F("event__starts_on")),
        default=TruncDate("created_at"),
        output_field=DateField(),
    )


def raised_at() -> Case:
    """When an action point was raised: midnight of its event's first day (site time
    zone) when it was entered after the event, else when it was entered."""
    event_start = Func(
        Value(timezone.get_current_timezone_name()),
        F("event__starts_on"),
        template="timezone(%(expressions)s::timestamp)",
        output_field=DateTimeField(),
    )
    return Case(
        When(entered_after_event(), then=event_start),
        default=F("created_at"),
        output_field=DateTimeField(),
    )


def entered_done() -> Q:
    """Completed within ``ENTERED_DONE_WITHIN`` of being entered (either way: saving
    a new done row stamps ``completed_at`` just before ``created_at``)."""
    return Q(
        completed_at__lt=F("created_at") + ENTERED_DONE_WITHIN,
        completed_at__gt=F("created_at") - ENTERED_DONE_WITHIN,
    )


def done_since(since: datetime.datetime) -> QuerySet:
    """Action points done since ``since`` (``completed_at`` is set exactly when the
    status is done; saying both lets a partial index on done rows answer)."""
    return ActionPoint.objects.public().filter(status=Status.DONE, completed_at__gte=since)


def still_to_do(today: datetime.date) -> dict[tuple[str, int | None], tuple[int, int]]:
    """(status, assignee id) → (how many, how many overdue) of the published action
    points still to do: one GROUP BY over the partial index on open rows, read from
    the index alone. The totals and the per-assignee table both come from it."""
    rows = (
        ActionPoint.objects.public()
        .open()
        .order_by()
        .values_list("status", "assignee_id")
        .annotate(n=Count("*"), overdue=Count("due_on", filter=Q(due_on__lt=today)))
    )
    return {(status, assignee): (n, late) for status, assignee, n, late in rows}


def finished_counts(estimates: "Estimates | None") -> tuple[dict[str, int], bool]:
    """Published action points done and dropped, by status, and whether the numbers
    are estimates.

    They are most action points and only grow, so at most COUNTED_FINISHED are
    counted (one bounded query); beyond that the numbers are PostgreSQL's estimates
    from its statistics (``estimates``), rounded, which the page says."""
    finished = (
        ActionPoint.objects.public()
        .filter(status__in=FINISHED_STATUSES)
        .order_by()
        .values("status")[: COUNTED_FINISHED + 1]
    )
    sql, params = finished.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, COUNT(*) FROM ({sql}) finished GROUP BY status",  # noqa: S608
            params,
        )
        counted = dict(cursor.fetchall())
    if sum(counted.values()) <= COUNTED_FINISHED or estimates is None:
        return {status: counted.get(status, 0) for status in FINISHED_STATUSES}, False
    by_status = estimates.by_status
    return {status: rounded(by_status.get(status, 0)) for status in FINISHED_STATUSES}, True


def events_with_action_points(estimates: "Estimates | None") -> tuple[int, bool]:
    """How many events have published action points, and whether that is an
    estimate: counted up to COUNTED_EVENTS (each event one index probe), estimated
    beyond from the statistics (how many distinct events the action points name)."""
    counted = (
        Event.objects.filter(Exists(ActionPoint.objects.public().filter(event=OuterRef("pk"))))
        .values("pk")[: COUNTED_EVENTS + 1]
        .count()
    )
    if counted <= COUNTED_EVENTS or estimates is None or estimates.events is None:
        return counted, False
    return rounded(estimates.events), True


@dataclass(frozen=True)
class Estimates:
    # Action points per status, and the distinct events they name (None when the
    # statistics have no figure for it).
    by_status: dict[str, float]
    events: float | None


def estimates() -> Estimates | None:
    """How many action points have each status and how many events they name, as
    the query planner estimates it: the table's rows (scaled to its current size, as
    the planner does) times each status's share in the sample ANALYZE took, and the
    distinct events ANALYZE counted. None before the table was analyzed."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.reltuples / c.relpages
                     * (pg_relation_size(c.oid) / current_setting('block_size')::int),
                   s.most_common_vals::text::text[], s.most_common_freqs, e.n_distinct
            FROM pg_class c
            LEFT JOIN pg_stats s ON s.schemaname = current_schema()
              AND s.tablename = c.relname AND s.attname = 'status'
            LEFT JOIN pg_stats e ON e.schemaname = current_schema()
              AND e.tablename = c.relname AND e.attname = 'event_id'
            WHERE c.oid = %s::regclass AND c.relpages > 0 AND c.reltuples >= 0
            """,
            [ActionPoint._meta.db_table],
        )
        row = cursor.fetchone()
    if row is None or row[1] is None:
        return None
    rows, values, shares, distinct = row
    if distinct is not None and distinct < 0:
        # A negative n_distinct is a share of the rows.
        distinct = -distinct * rows
    by_status = {value: rows * share for value, share in zip(values, shares, strict=True)}
    return Estimates(by_status=by_status, events=distinct)


def rounded(n: float) -> int:
    """``n`` to three significant digits: 151,941.6 → 152,000."""
    n = round(n)
    digits = len(str(n))
    return round(n, 3 - digits) if digits > 3 else n


def totals(
    today: datetime.date,
    since: datetime.datetime,
    to_do: dict[tuple[str, int | None], tuple[int, int]],
) -> dict:
    """Counts over all action points, how many events and assignees have any, and
    the median time from raised to done of those done since ``since`` (leaving out
    those entered already done, counted apart as ``entered_done``).

    A few narrow queries rather than one pass over every row, each read from an
    index alone: what is still to do from ``to_do`` (``still_to_do``), the finished
    ones and the events counted up to a bound or estimated (``finished_counts``,
    ``events_with_action_points``), the median over the last months only."""
    counts = dict.fromkeys(Status.values, 0)
    overdue = 0
    for (status, _assignee), (n, late) in to_do.items():
        counts[status] += n
        overdue += late
    statistics = estimates()
    finished, estimated = finished_counts(statistics)
    counts.update(finished)
    events, events_estimated = events_with_action_points(statistics)
    recent = done_since(since).aggregate(
        done_recently=Count("completed_at", filter=~entered_done()),
        entered_done=Count("completed_at", filter=entered_done()),
        median_to_done=Median(
            F("completed_at") - raised_at(),
            filter=~entered_done(),
            output_field=DurationField(),
        ),
    )
    return {
        **counts,
        "active": sum(counts[status] for status in ACTIVE_STATUSES),
        "overdue": overdue,
        # An estimate when the finished ones are.
        "total": rounded(sum(counts.values())) if estimated else sum(counts.values()),
        "estimated": estimated,
        "events": events,
        "events_estimated": events_estimated,
        # People with something still to do (whom the per-assignee table ranks):
        # counting everyone who ever had an action point read all of them.
        "assignees": len({assignee for _status, assignee in to_do if assignee is not None}),
        "unassigned": ActionPoint.objects.public().unassigned().count(),
        **recent,
    }


def per_event(today: datetime.date) -> QuerySet:
    """Counts per event, newest event first (one more row than is shown, to tell
    whether there are more): only the rows of those events are counted."""
    newest = (
        Event.objects.filter(Exists(ActionPoint.objects.public().filter(event=OuterRef("pk"))))
        .order_by("-starts_on", "name", "pk")
        .values("pk")[: EVENTS_SHOWN + 1]
    )
    return (
        ActionPoint.objects.public()
        .filter(event__in=newest)
        .values("event_id", "event__name", "event__slug", "event__starts_on")
        .annotate(**status_counts(today))
        .order_by("-event__starts_on", "event__name", "event_id")
    )


def per_assignee(to_do: dict[tuple[str, int | None], tuple[int, int]]) -> list[dict]:
    """Counts per assignee (and for the unassigned, ``assignee_id`` None), most still
    to do first, then most in all, then by name (one more row than is shown).

    Narrow queries instead of one pass over every row. What is still to do comes
    from ``to_do`` (``still_to_do``), and only the people who can be shown are
    counted: those with at least as much to do as the one in the last place. Their
    counts by status come grouped by (assignee, status), from an index alone. While
    fewer people than that have anything to do, everyone's are counted (their
    totals then decide the order)."""
    everyone: dict[int | None, dict[str, int]] = {}
    for (_status, assignee_id), (n, late) in to_do.items():
        row = everyone.setdefault(assignee_id, {"active": 0, "overdue": 0})
        row["active"] += n
        row["overdue"] += late
    actives = sorted((row["active"] for row in everyone.values()), reverse=True)
    last_place = actives[ASSIGNEES_SHOWN] if len(actives) > ASSIGNEES_SHOWN else 0
    to_do = {pk: row for pk, row in everyone.items() if row["active"] >= last_place}

    def by_status(rows: QuerySet) -> QuerySet:
        return rows.order_by().values_list("assignee_id", "status").annotate(n=Count("*"))

    if len(to_do) > ASSIGNEES_SHOWN:
        people = [pk for pk in to_do if pk is not None]
        # Two parts, each an index range (a condition with OR IS NULL is not).
        counted = by_status(ActionPoint.objects.public().filter(assignee_id__in=people)).union(
            by_status(ActionPoint.objects.public().filter(assignee__isnull=True)), all=True
        )
    else:
        counted = by_status(ActionPoint.objects.public())
    rows: dict[int | None, dict] = {}
    for assignee_id, status, n in counted:
        if assignee_id in to_do or len(to_do) <= ASSIGNEES_SHOWN:
            rows.setdefault(assignee_id, dict.fromkeys(Status.values, 0))[status] = n
    names = {
        user["pk"]: user
        for user in get_user_model()
        .objects.filter(pk__in=[pk for pk in rows if pk is not None])
        .values("pk", "username", "first_name", "last_name")
    }
    for assignee_id, row in rows.items():
        user = names.get(assignee_id, {})
        row.update(
            assignee_id=assignee_id,
            assignee__username=user.get("username"),
            assignee__first_name=user.get("first_name"),
            assignee__last_name=user.get("last_name"),
            active=sum(row[status] for status in ACTIVE_STATUSES),
            overdue=to_do.get(assignee_id, {}).get("overdue", 0),
            total=sum(row[status] for status in Status.values),
        )
    ordered = sorted(
        rows.values(),
        key=lambda row: (
            -row["active"],
            -row["total"],
            row["assignee__username"] is not None,
            row["assignee__username"] or "",
        ),
    )
    return ordered[: ASSIGNEES_SHOWN + 1]


def overdue(today: datetime.date) -> QuerySet:
    return (
        ActionPoint.objects.public()
        .overdue(today)
        .select_related("event", "talk", "open_space", "assignee")
        .order_by("due_on", "pk")[:OVERDUE_SHOWN]
    )


def per_month(rows: QuerySet, day: F | Case) -> dict[datetime.date, int]:
    """How many of ``rows`` have ``day`` (a date) in each month."""
    counted = (
        rows.annotate(month=TruncMonth(day, output_field=DateField()))
        .values("month")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {row["month"]: row["n"] for row in counted}


@dataclass(frozen=True)
class Month:
    start: datetime.date
    raised: int
    done: int


def monthly(today: datetime.date, since: datetime.datetime) -> list[Month]:
    """Raised and done in each of the last ``MONTHS`` months that has any, oldest
    first (quiet months are left out, so a few busy ones stay readable on a phone).

    Raised by ``raised_on`` (the event's first day for history entered later); done
    by ``completed_at``, leaving out rows entered already done."""
    raised = per_month(
        ActionPoint.objects.public()
        .filter(created_at__gte=since)
        .alias(raised_on=raised_on())
        # Raised no later than entered: the created_at range narrows, this decides.
        .filter(raised_on__gte=since.date()),
        F("raised_on"),
    )
    done = per_month(done_since(since).exclude(entered_done()), TruncDate("completed_at"))
    return [
        Month(m, raised.get(m, 0), done.get(m, 0))
        for m in month_starts(today)
        if raised.get(m) or done.get(m)
    ]


def monthly_chart(months: list[Month]) -> str:
    """The bar chart of ``months`` (only those with any), or "" when there are none."""
    if not months:
        return ""
    first, last = months[0].start, months[-1].start
    raised, done = sum(m.raised for m in months), sum(m.done for m in months)
    previous = [None, *months[:-1]]
    return charts.bar_chart(
        chart_id="raised-vs-done",
        title="Action points raised and done per month",
        description=(
            f"Bar chart of the {len(months)} month{'s' if len(months) != 1 else ''} with any "
            f"from {first:%B %Y} to {last:%B %Y}: {raised} raised and {done} done in all. "
            "The table after it lists each month."
        ),
        categories=[
            charts.Category(
                label=f"{m.start:%B %Y}",
                tick=f"{m.start:%b}",
                # The year under the first month and wherever it changes.
                subtick=f"{m.start:%Y}" if not p or p.start.year != m.start.year else "",
            )
            for m, p in zip(months, previous, strict=True)
        ],
        series=[
            charts.Series("Raised", [m.raised for m in months], "chart-raised", "#0b5cad"),
            charts.Series("Done", [m.done for m in months], "chart-done", "#1a7f37"),
        ],
        x_label="Month",
        y_label="Action points",
    )


def median_days(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def duration_text(duration: datetime.timedelta) -> str:
    """ "6.5 days", or in hours under a day ("0.0 days" says nothing)."""
    days, hours = duration.total_seconds() / 86400, duration.total_seconds() / 3600
    if days >= 1:
        shown = f"{days:.1f}".removesuffix(".0")
        return f"{shown} day{'' if shown == '1' else 's'}"
    if hours >= 1:
        return f"{round(hours)} hour{'s' if round(hours) != 1 else ''}"
    return "under an hour"


def _shown(name: str, rows: Callable[[], Iterable], limit: int) -> dict:
    """The first ``limit`` of ``rows()`` as ``name`` and whether there are more as
    ``more_name``, both loaded when first used."""
    loaded = SimpleLazyObject(lambda: list(rows()))
    return {
        name: SimpleLazyObject(lambda: loaded[:limit]),
        f"more_{name}": SimpleLazyObject(lambda: len(loaded) > limit),
    }


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    if not sees_everyones_follow_ups(request.user):
        raise PermissionDenied("The progress overview is for managers and staff.")
    today = timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(first_month(today), datetime.time()))
    # All lazy: the page is one cached fragment (common.caching), computed when built.
    to_do = SimpleLazyObject(lambda: still_to_do(today))
    summary = SimpleLazyObject(lambda: totals(today, since, to_do))
    months = SimpleLazyObject(lambda: monthly(today, since))
    context = {
        "totals": summary,
        "median_days": SimpleLazyObject(lambda: median_days(summary["median_to_done"])),
        "median_text": SimpleLazyObject(
            lambda: summary["median_to_done"] and duration_text(summary["median_to_done"])
        ),
        "since": since.date(),
        **_shown("events", lambda: per_event(today), EVENTS_SHOWN),
        **_shown("assignees", lambda: per_assignee(to_do), ASSIGNEES_SHOWN),
        "overdue": overdue(today),
        "months": months,
        "chart": SimpleLazyObject(lambda: monthly_chart(months)),
    }
    return render(request, "actions/overview.html", context)
