"""Progress on follow-ups, for managers and staff: counts by status per event and
per assignee, what is overdue, the median time to done, and action points raised
versus done per month over the last 12 months.

The counts by status are kept by triggers per assignee and per event (``tallies``),
so the page reads one row per person or event shown instead of counting every
action point, and its cost does not grow with the history. What is overdue depends
on the day, so it is counted: what is still to do less the undated ones (kept too)
less those due from today on (few, read from the partial index on open rows); per
event, among the rows of the events shown. The months and the median read the last
twelve months of rows kept per published action point (``tallies.recent``: its
month raised, month done and time to done, for the site's time zone), or count the
action points themselves when those rows were kept for another zone.

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
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import quote
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from actions import tallies
from actions.models import ACTIVE_STATUSES, ActionPoint
from common import charts
from common.roles import sees_everyones_follow_ups

MONTHS = 12
EVENTS_SHOWN = 25
ASSIGNEES_SHOWN = 25
OVERDUE_SHOWN = 50
# Completed this soon after being entered: entered already done.
ENTERED_DONE_WITHIN = datetime.timedelta(minutes=1)

Status = ActionPoint.Status


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


def with_overdue(row: dict, overdue: int) -> dict:
    """A row of counts by status (``tallies``) with what is active, overdue and in all."""
    active = sum(row[status] for status in ACTIVE_STATUSES)
    return {
        **row,
        "active": active,
        "overdue": overdue,
        "total": sum(row[status] for status in Status.values),
    }


def counted_recent(since: datetime.datetime) -> tallies.Recent:
    """What ``tallies.Recent`` says of the action points raised or done since
    ``since``, counted from their rows: when the kept rows are for another time zone.

    One pass over the done ones (the partial index on done rows), grouped by month
    and in all (GROUPING SETS), leaving those entered already done out of the median
    and the months; one over those entered since, grouped by the month raised."""
    rows = (
        done_since(since)
        .annotate(
            month=TruncMonth(TruncDate("completed_at"), output_field=DateField()),
            to_done=ExpressionWrapper(
                F("completed_at") - raised_at(), output_field=DurationField()
            ),
            entered=Case(When(entered_done(), then=Value(True)), default=Value(False)),
        )
        .order_by()
        .values("month", "to_done", "entered")
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT month::date, COUNT(*) FILTER (WHERE NOT entered),"  # noqa: S608 - the ORM's SQL
            " COUNT(*) FILTER (WHERE entered),"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY to_done) FILTER (WHERE NOT entered)"
            f" FROM ({sql}) done GROUP BY GROUPING SETS ((month), ())",
            params,
        )
        grouped = cursor.fetchall()
    # The row of all months has no month; it is there even when no row is.
    (_, done, entered, median), *_ = (row for row in grouped if row[0] is None)
    raised = per_month(
        ActionPoint.objects.public()
        .filter(created_at__gte=since)
        .alias(raised_on=raised_on())
        # Raised no later than entered: the created_at range narrows, this decides.
        .filter(raised_on__gte=since.date()),
        F("raised_on"),
    )
    done_per_month = {month: n for month, n, _, _ in grouped if month is not None and n}
    return tallies.Recent(done, entered, median, done_per_month, raised)


def recent(since: datetime.datetime) -> tallies.Recent:
    """What ``tallies.Recent`` says since ``since`` (a month's first midnight in the
    site's time zone): from the rows kept for the site's time zone, or counted when
    they were kept for another (until ``tallies.rebuild_recent``)."""
    kept = tallies.recent(since.date(), timezone.get_current_timezone_name())
    return kept if kept is not None else counted_recent(since)


def totals(ahead: dict[int | None, int], done: tallies.Recent) -> dict:
    """Counts over all published action points, how many events and assignees have
    any, and the median time from raised to done of those done lately (``done``,
    leaving out those entered already done, counted apart as ``entered_done``).

    The counts are kept by triggers (``tallies``); overdue is what is still to do
    less the undated ones less those due from today on (``ahead``, from
    ``tallies.not_overdue``)."""
    counts = tallies.totals()
    undated = counts.pop("undated")
    recent = {
        "done_recently": done.done_recently,
        "entered_done": done.entered_done,
        "median_to_done": done.median_to_done,
    }
    active = counts["open"] + counts["in_progress"]
    return {**with_overdue(counts, active - undated - sum(ahead.values())), **recent}


def per_event(today: datetime.date) -> list[dict]:
    """Counts per event, newest event first (one more row than is shown, to tell
    whether there are more): the counts kept per event, and the overdue ones
    counted among the rows of those events only."""
    rows = tallies.newest_events(EVENTS_SHOWN + 1)
    overdue = tallies.overdue_per_event(today, [row["event_id"] for row in rows])
    return [with_overdue(row, overdue.get(row["event_id"], 0)) for row in rows]


def per_assignee(ahead: dict[int | None, int]) -> list[dict]:
    """Counts per assignee (and for the unassigned, ``assignee_id`` None), most still
    to do first, then most in all, then by name (one more row than is shown): the
    counts kept per assignee; overdue is what is still to do less the undated ones
    less those due from today on (``ahead``)."""
    rows = tallies.busiest_assignees(ASSIGNEES_SHOWN + 1)
    return [
        with_overdue(
            row,
            row["open"] + row["in_progress"] - row["undated"] - ahead.get(row["assignee_id"], 0),
        )
        for row in rows
    ]


def overdue(today: datetime.date) -> QuerySet:
    """The longest overdue, with only the columns the list shows (the rows and their
    sources carry long texts the list never shows).

    The rows are picked by a narrow subquery (a range of the partial index on what is
    still to do) and only then joined to their sources: planning the joins and the
    draft check together weighed every index of the action points for each join
    order, which cost more than running the query (3 ms against 0.5)."""
    longest = (
        ActionPoint.objects.public()
        .overdue(today)
        .order_by("due_on", "pk")
        .values("pk")[:OVERDUE_SHOWN]
    )
    return (
        ActionPoint.objects.filter(pk__in=longest)
        .select_related("event", "talk", "open_space", "assignee")
        .only(
            *("title", "status", "due_on", "event", "talk", "open_space", "assignee"),
            *("event__name", "event__slug", "talk__title", "talk__slug"),
            *("open_space__topic", "open_space__slug", "assignee__username"),
        )
        .order_by("due_on", "pk")
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


def monthly(today: datetime.date, recent: tallies.Recent) -> list[Month]:
    """Raised and done in each of the last ``MONTHS`` months that has any, oldest
    first (quiet months are left out, so a few busy ones stay readable on a phone).

    Raised by ``raised_on`` (the event's first day for history entered later); done
    by ``completed_at``, leaving out rows entered already done."""
    raised, done = recent.raised_per_month, recent.done_per_month
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


# The three tables' rows, written in Python with the markup the template's loops
# had (tests/actions/test_overview_months.py compares them): their variable lookups,
# tags and filters were a third of the page's build.


def _escape(value: object) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (the same text)."""
    return html.escape(str(value))


def _counts(row: dict) -> str:
    """The cells of a row's counts by status, closing the row."""
    overdue = f'<strong class="overdue">{row["overdue"]}</strong>' if row["overdue"] else "0"
    return (
        f"<td>{row['open']}</td><td>{row['in_progress']}</td><td>{overdue}</td>"
        f"<td>{row['done']}</td><td>{row['dropped']}</td><td>{row['total']}</td></tr>\n    "
    )


def event_rows(rows: Iterable[dict]) -> SafeString:
    """The rows of the table by event: each links to its follow-ups."""
    base = _escape(reverse("actions:list"))
    return mark_safe(  # noqa: S308 - every value in it went through _escape()
        "".join(
            f'\n    <tr><th scope="row"><a href="{base}?scope=all&amp;event='
            f'{_escape(quote(row["event__slug"], safe="/"))}">{_escape(row["event__name"])}</a>'
            f' <span class="meta">{_escape(formats.date_format(row["event__starts_on"], "M Y"))}'
            f"</span></th>\n      {_counts(row)}"
            for row in rows
        )
    )


def assignee_rows(rows: Iterable[dict]) -> SafeString:
    """The rows of the table by assignee: each person links to their follow-ups."""
    base = _escape(reverse("actions:list"))

    def who(row: dict) -> str:
        if not row["assignee_id"]:
            return "Unassigned"
        username = row["assignee__username"]
        return (
            f'<a href="{base}?assignee={_escape(quote(username, safe="/"))}">'
            f"{_escape(username)}</a>"
        )

    return mark_safe(  # noqa: S308 - every value in it went through _escape()
        "".join(f'\n    <tr><th scope="row">{who(row)}</th>\n      {_counts(row)}' for row in rows)
    )


def overdue_rows(action_points: Iterable[ActionPoint]) -> SafeString:
    """The rows of the overdue list: the follow-up, where it was raised, who has it,
    its status and when it was due."""

    def raised_at(ap: ActionPoint) -> str:
        source, event = _escape(ap.source_url()), _escape(ap.event.name)
        session = ap.session
        if session:
            kind = "talk" if ap.talk_id else "open space"
            return (
                f'<a href="{source}">{_escape(session)}</a>'
                f' <span class="meta">{kind} at {event}</span>'
            )
        return f'<a href="{source}">{event}</a> <span class="meta">event</span>'

    def row(ap: ActionPoint) -> str:
        assignee = (ap.assignee and ap.assignee.get_username()) or "Unassigned"
        due = ap.due_on
        return (
            '\n    <tr class="is-overdue">\n'
            f'      <td data-label="Follow-up"><a href="{_escape(ap.get_absolute_url())}">'
            f"{_escape(ap.title)}</a></td>\n"
            f'      <td data-label="Raised at">{raised_at(ap)}</td>\n'
            f'      <td data-label="Assignee">{_escape(assignee)}</td>\n'
            f'      <td data-label="Status">{_escape(ap.get_status_display())}</td>\n'
            f'      <td data-label="Due"><time datetime="{_escape(due.isoformat())}">'
            f"{_escape(formats.date_format(due, 'DATE_FORMAT'))}</time>"
            ' <strong class="overdue badge">Overdue</strong></td>\n'
            "    </tr>\n    "
        )

    return mark_safe("".join(row(ap) for ap in action_points))  # noqa: S308 - escaped


def _shown(name: str, rows: Callable[[], Iterable], limit: int) -> dict:
    """The first ``limit`` of ``rows()`` as ``name``, whether there are more as
    ``more_name`` and their table rows as ``name_rows``, all loaded when first used."""
    loaded = SimpleLazyObject(lambda: list(rows()))
    shown = SimpleLazyObject(lambda: loaded[:limit])
    return {
        name: shown,
        f"more_{name}": SimpleLazyObject(lambda: len(loaded) > limit),
        f"{name}_rows": SimpleLazyObject(lambda: ROWS[name](shown)),
    }


ROWS = {"events": event_rows, "assignees": assignee_rows, "overdue": overdue_rows}


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    if not sees_everyones_follow_ups(request.user):
        raise PermissionDenied("The progress overview is for managers and staff.")
    today = timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(first_month(today), datetime.time()))
    # All lazy: the page is one cached fragment (common.caching), computed when built.
    ahead = SimpleLazyObject(lambda: tallies.not_overdue(today))
    done = SimpleLazyObject(lambda: recent(since))
    summary = SimpleLazyObject(lambda: totals(ahead, done))
    months = SimpleLazyObject(lambda: monthly(today, done))
    context = {
        "totals": summary,
        "median_days": SimpleLazyObject(lambda: median_days(summary["median_to_done"])),
        "median_text": SimpleLazyObject(
            lambda: summary["median_to_done"] and duration_text(summary["median_to_done"])
        ),
        "since": since.date(),
        **_shown("events", lambda: per_event(today), EVENTS_SHOWN),
        **_shown("assignees", lambda: per_assignee(ahead), ASSIGNEES_SHOWN),
        **_shown("overdue", lambda: overdue(today), OVERDUE_SHOWN),
        "months": months,
        "chart": SimpleLazyObject(lambda: monthly_chart(months)),
    }
    return render(request, "actions/overview.html", context)
