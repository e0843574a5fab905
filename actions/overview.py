"""Progress on follow-ups, for managers and staff: counts by status per event and
per assignee, what is overdue, the median time to done, and action points raised
versus done per month over the last 12 months.

Every number is an aggregate in the database (GROUP BY with filtered counts), so
the page runs the same few queries however many action points there are.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Aggregate, Count, DurationField, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from actions.models import ACTIVE_STATUSES, ActionPoint
from notesite import charts
from notesite.roles import sees_everyones_follow_ups

MONTHS = 12
EVENTS_SHOWN = 25
ASSIGNEES_SHOWN = 25
OVERDUE_SHOWN = 50

Status = ActionPoint.Status


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, interpolated."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def status_counts(today: datetime.date) -> dict[str, Count]:
    """Filtered counts for one GROUP BY: each status, the active and overdue ones."""
    return {
        "open": Count("pk", filter=Q(status=Status.OPEN)),
        "in_progress": Count("pk", filter=Q(status=Status.IN_PROGRESS)),
        "done": Count("pk", filter=Q(status=Status.DONE)),
        "dropped": Count("pk", filter=Q(status=Status.DROPPED)),
        "active": Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=ACTIVE_STATUSES, due_on__lt=today)),
        "total": Count("pk"),
    }


def first_month(today: datetime.date, months: int = MONTHS) -> datetime.date:
    """The first day of the month ``months - 1`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_starts(today: datetime.date, months: int = MONTHS) -> list[datetime.date]:
    start = first_month(today, months)
    index = start.year * 12 + start.month - 1
    return [datetime.date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(months)]


def totals(today: datetime.date, since: datetime.datetime) -> dict:
    """Counts over all action points, how many events and assignees have any, and
    the median time from raised to done of those done since ``since``."""
    return ActionPoint.objects.aggregate(
        **status_counts(today),
        events=Count("event", distinct=True),
        assignees=Count("assignee", distinct=True),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        done_recently=Count("pk", filter=Q(completed_at__gte=since)),
        median_to_done=Median(
            F("completed_at") - F("created_at"),
            filter=Q(completed_at__gte=since),
            output_field=DurationField(),
        ),
    )


def per_event(today: datetime.date) -> QuerySet:
    """Counts per event, newest event first (one more row than is shown, to tell
    whether there are more)."""
    return (
        ActionPoint.objects.values("event_id", "event__name", "event__slug", "event__starts_on")
        .annotate(**status_counts(today))
        .order_by("-event__starts_on", "event__name", "event_id")[: EVENTS_SHOWN + 1]
    )


def per_assignee(today: datetime.date) -> QuerySet:
    """Counts per assignee (and for the unassigned), most still to do first (one
    more row than is shown)."""
    return (
        ActionPoint.objects.values(
            "assignee_id", "assignee__username", "assignee__first_name", "assignee__last_name"
        )
        .annotate(**status_counts(today))
        .order_by("-active", "-total", F("assignee__username").asc(nulls_first=True))[
            : ASSIGNEES_SHOWN + 1
        ]
    )


def overdue(today: datetime.date) -> QuerySet:
    return (
        ActionPoint.objects.overdue(today)
        .select_related("event", "talk__event", "open_space__event", "assignee")
        .order_by("due_on", "pk")[:OVERDUE_SHOWN]
    )


def per_month(field: str, since: datetime.datetime) -> dict[datetime.date, int]:
    """How many action points have ``field`` (a timestamp) in each month since ``since``."""
    rows = (
        ActionPoint.objects.filter(**{f"{field}__gte": since})
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {timezone.localtime(row["month"]).date(): row["n"] for row in rows}


@dataclass(frozen=True)
class Month:
    start: datetime.date
    raised: int
    done: int


def monthly(today: datetime.date, since: datetime.datetime) -> list[Month]:
    """Raised and done in each of the last ``MONTHS`` months, oldest first, with
    zeros for quiet months."""
    raised, done = per_month("created_at", since), per_month("completed_at", since)
    return [Month(m, raised.get(m, 0), done.get(m, 0)) for m in month_starts(today)]


def monthly_chart(months: list[Month]) -> str:
    first, last = months[0].start, months[-1].start
    raised, done = sum(m.raised for m in months), sum(m.done for m in months)
    return charts.bar_chart(
        chart_id="raised-vs-done",
        title="Action points raised and done per month",
        description=(
            f"Bar chart from {first:%B %Y} to {last:%B %Y}: {raised} raised and {done} done "
            "in all. The table after it lists each month."
        ),
        categories=[
            charts.Category(
                label=f"{m.start:%B %Y}",
                tick=f"{m.start:%b}",
                subtick=f"{m.start:%Y}" if m.start.month == 1 or m is months[0] else "",
            )
            for m in months
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


def _shown(name: str, rows: list, limit: int) -> dict:
    return {name: rows[:limit], f"more_{name}": len(rows) > limit}


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    if not sees_everyones_follow_ups(request.user):
        raise PermissionDenied("The progress overview is for managers and staff.")
    today = timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(first_month(today), datetime.time()))
    summary = totals(today, since)
    months = monthly(today, since)
    context = {
        "totals": summary,
        "median_days": median_days(summary["median_to_done"]),
        "median_text": summary["median_to_done"] and duration_text(summary["median_to_done"]),
        "since": since.date(),
        **_shown("events", list(per_event(today)), EVENTS_SHOWN),
        **_shown("assignees", list(per_assignee(today)), ASSIGNEES_SHOWN),
        "overdue": overdue(today),
        "months": months,
        "chart": monthly_chart(months),
    }
    return render(request, "actions/overview.html", context)
