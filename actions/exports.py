"""Follow-ups leaving Notesite: as CSV (the follow-ups list with its filters, and the
admin's selected rows) and as a personal calendar feed (iCalendar, RFC 5545) at a
secret address that calendar apps poll without logging in.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from itertools import islice

import icalendar
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from actions.models import ActionPoint, Preferences
from actions.notifications import source_kind
from actions.views import filtered_action_points
from talks.tagging import attach_tags

# Rows per fetch from the server-side cursor and per tag query: memory stays flat
# however many rows are exported, at two round trips per chunk.
CSV_CHUNK_SIZE = 1000
CSV_HEADER = [
    "id",
    "title",
    "status",
    "assignee",
    "due date",
    "overdue",
    "completed at",
    "event",
    "source",
    "raised by",
    "tags",
    "url",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- CSV -------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands back the line csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _csv_cell(value: object) -> object:
    """A cell as written, with text a spreadsheet would run as a formula defused."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_row(ap: ActionPoint, site: str, today: datetime.date) -> list:
    completed_at = timezone.localtime(ap.completed_at) if ap.completed_at else None
    row = [
        ap.pk,
        ap.title,
        ap.get_status_display(),
        ap.assignee.get_username() if ap.assignee else "",
        ap.due_on.isoformat() if ap.due_on else "",
        "yes" if ap.is_overdue(today) else "no",
        f"{completed_at:%Y-%m-%d %H:%M}" if completed_at else "",
        ap.event.name,
        str(ap.session or ""),
        ap.raised_by.get_username() if ap.raised_by else "",
        ", ".join(tag.name for tag in ap.tag_list),
        site + ap.get_absolute_url(),
    ]
    return [_csv_cell(value) for value in row]


def csv_rows(queryset: QuerySet, *, site: str) -> Iterator[list]:
    """The header, then one row per action point of ``queryset`` in its order.

    ``site`` is the scheme and host the rows' links start with. Rows are read with
    a server-side cursor in chunks, with one tag query per chunk.
    """
    today = timezone.localdate()
    yield CSV_HEADER
    rows = (
        queryset.select_related("event", "talk", "open_space", "assignee", "raised_by")
        .prefetch_related(None)  # tags come per chunk below
        .iterator(chunk_size=CSV_CHUNK_SIZE)
    )
    for chunk in _chunks(rows, CSV_CHUNK_SIZE):
        for ap in attach_tags(chunk):
            yield _csv_row(ap, site, today)


def csv_response(request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
    """A CSV download of ``queryset``, written while it is sent."""
    site = request.build_absolute_uri("/").removesuffix("/")
    writer = csv.writer(_Echo())
    lines = (writer.writerow(row) for row in csv_rows(queryset, site=site))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"follow-ups-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def follow_ups_csv(request: HttpRequest) -> HttpResponse:
    """The follow-ups list's rows (every page of them) under the same filters and
    the same rule on whose follow-ups one may see."""
    filters, rows = filtered_action_points(request)
    if filters.errors:
        problems = [
            f"{filters.form[name].label}: {error}"
            for name, errors in filters.errors.items()
            for error in errors
        ]
        text = "These filters could not be applied, so nothing was exported:\n"
        return HttpResponse(
            text + "\n".join(problems) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    return csv_response(request, rows)


@admin.action(description="Export selected as CSV", permissions=["view"])
def export_as_csv(modeladmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
    return csv_response(request, queryset)


# --- Calendar --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The personal feed's address, and a button that replaces it with a new one."""
    preferences = Preferences.for_user(request.user)
    if request.method == "POST":
        preferences.reset_calendar_token()
        messages.success(
            request,
            "Your calendar link was reset: the old one no longer works. "
            "Subscribe again with the new link below.",
        )
        return redirect("actions:calendar")
    feed_url = request.build_absolute_uri(
        reverse("actions:calendar-feed", args=[preferences.calendar_token])
    )
    context = {
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    }
    return render(request, "actions/calendar.html", context)


def _ics_text(value: str) -> str:
    """``value`` without the control characters a TEXT value may not hold (RFC 5545
    3.3.11), keeping tabs and line breaks; icalendar escapes what is left."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in value if " " <= char != "\x7f" or char in "\t\n")


def _ics_event(ap: ActionPoint, *, site: str, host: str, now: datetime.datetime) -> icalendar.Event:
    today = timezone.localdate(now)
    overdue = ap.is_overdue(today)
    summary = f"[overdue] {ap.title}" if overdue else ap.title
    if ap.session is None:
        source = f"{ap.event.name} (event)"
    else:
        source = f"{ap.session} ({source_kind(ap)} at {ap.event.name})"
    url = site + ap.get_absolute_url()
    description = f"Status: {ap.get_status_display()}\nRaised at: {source}\n{url}"
    event = icalendar.Event()
    event.add("uid", f"actionpoint-{ap.pk}@{host}")
    event.add("dtstamp", now)
    event.add("last-modified", ap.updated_at.astimezone(datetime.UTC))
    # Bumped with every change, so calendar apps take the newer copy.
    event.add("sequence", ap.version - 1)
    event.add("dtstart", ap.due_on)
    # An all-day event ends the next day. The last date there is has no next day:
    # without DTEND an all-day event lasts one day anyway (RFC 5545 3.6.1).
    if ap.due_on < datetime.date.max:
        event.add("dtend", ap.due_on + datetime.timedelta(days=1))
    event.add("summary", _ics_text(summary))
    event.add("description", _ics_text(description))
    event.add("url", url)
    # The due date stands; what is still to do is in the description.
    event.add("status", "CONFIRMED")
    # A due date does not make its day busy.
    event.add("transp", "TRANSPARENT")
    return event


def follow_up_calendar(
    user, action_points: Iterable[ActionPoint], *, site: str
) -> icalendar.Calendar:
    """The VCALENDAR of ``action_points``, one all-day event each."""
    host = split_domain_port(site.split("://", 1)[1])[0] or "notesite"
    now = timezone.now().replace(microsecond=0).astimezone(datetime.UTC)
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//Notesite//Follow-ups//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _ics_text(f"Follow-ups of {user.get_username()} (Notesite)"))
    calendar.add("x-wr-caldesc", "Open and in-progress follow-ups on their due dates.")
    # How often calendar apps should fetch it again (RFC 7986, and its older name).
    hourly = icalendar.vDuration(datetime.timedelta(hours=1))
    calendar.add("refresh-interval", hourly, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", hourly.to_ical().decode())
    for ap in action_points:
        calendar.add_component(_ics_event(ap, site=site, host=host, now=now))
    return calendar


@login_not_required  # the token in the address is the credential
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's open and in-progress action points that have a due date, as
    all-day events. An unknown (or reset) token, or a deactivated user's, is a 404."""
    preferences = (
        Preferences.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )
    if preferences is None:
        raise Http404("No calendar at this address.")
    user = preferences.user
    action_points = (
        ActionPoint.objects.visible_to(user)
        .open()
        .assigned_to(user)
        .filter(due_on__isnull=False)
        .select_related("event", "talk", "open_space")
        .order_by("due_on", "pk")
    )
    site = request.build_absolute_uri("/").removesuffix("/")
    body = follow_up_calendar(user, action_points, site=site).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="follow-ups.ics"'
    # The feed is private: no shared cache keeps it, and no search engine lists it.
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response
