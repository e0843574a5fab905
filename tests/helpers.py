"""Helpers shared by the test modules: clients, dates, query counts, and the forms a
browser posts back for an action point, built from what the page would show."""

import datetime
import io
import re
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.utils import edit_string_for_tags

from actions.models import ActionPoint

# Third-party notes, read in place and never copied into the project.
SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is absent")


def logged_in(user) -> Client:
    """A client of its own for ``user``, for tests where several people act."""
    client = Client()
    client.force_login(user)
    return client


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def count_queries(client, url: str) -> int:
    """How many SQL queries a GET of ``url`` runs (asserting it succeeds)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def send_reminders(*args: str) -> str:
    """Run ``manage.py send_reminders`` (which also sends the outbox); its output."""
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


# --- The forms a browser posts back for an action point -------------------------------
# Each starts from the action point as stored now (as the page would show it), so a
# test changes only what it names and never clears a field by accident. Build the form
# before someone else's change to post it from a stale page.


def _as_shown(action_point: ActionPoint) -> ActionPoint:
    return ActionPoint.objects.get(pk=action_point.pk)


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def admin_change_form(action_point: ActionPoint, **changes: Any) -> dict:
    """The admin change form's POST for ``action_point``, with ``changes`` applied."""
    shown = _as_shown(action_point)
    data = {
        "title": shown.title,
        "details": shown.details,
        "tags": edit_string_for_tags(list(shown.tags.all())),
        "event": shown.event_id,
        "talk": shown.talk_id or "",
        "open_space": shown.open_space_id or "",
        "assignee": shown.assignee_id or "",
        "status": shown.status,
        "due_on": _date(shown.due_on),
        "comment": "",
        "seen_version": shown.version,
    }
    return {**data, **changes}


def list_edit_row(action_point: ActionPoint, **changes: Any) -> dict:
    """One row of the admin changelist's list edit, with ``changes`` applied."""
    shown = _as_shown(action_point)
    row = {
        "id": shown.pk,
        "assignee": shown.assignee_id or "",
        "status": shown.status,
        "due_on": _date(shown.due_on),
        "seen_version": shown.version,
    }
    return {**row, **changes}


def list_edit_form(*rows: dict) -> dict:
    """The admin changelist's "Save" POST for ``rows`` (from ``list_edit_row``)."""
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, row in enumerate(rows):
        data.update({f"form-{index}-{name}": value for name, value in row.items()})
    return data


def update_form(action_point: ActionPoint, **changes: Any) -> dict:
    """The follow-up page's update form, with ``changes`` applied (the assignee and
    due date are ignored unless the user is staff)."""
    shown = _as_shown(action_point)
    data = {
        "version": shown.version,
        "status": shown.status,
        "assignee": shown.assignee.username if shown.assignee else "",
        "due_on": _date(shown.due_on),
        "comment": "",
    }
    return {**data, **changes}


def post_update(client: Client, action_point: ActionPoint, **changes: Any):
    """POST the follow-up page's update form with ``changes``."""
    url = reverse("actions:update", args=[action_point.pk])
    return client.post(url, update_form(action_point, **changes))


def page_for(user, url: str) -> str:
    """The page ``user`` gets, without what differs on every response (CSRF values)
    or per user by design (feed keys)."""
    html = logged_in(user).get(url).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"key=[\w:.-]+", "key=K", html)


def pages_served_differently_from_the_cache(first, second, urls: list[str]) -> list[str]:
    """The ``urls`` whose page ``second`` gets, right after ``first`` filled the
    cache with it, differs from the page built for ``second`` with the cache empty."""
    served = {}
    for url in urls:
        cache.clear()
        page_for(first, url)  # fills the cache
        served[url] = page_for(second, url)
    built = {}
    for url in urls:
        cache.clear()
        built[url] = page_for(second, url)
    cache.clear()
    return [url for url in urls if served[url] != built[url]]


def at_once(post: Callable[[Client], object], clients: list[Client]) -> list:
    """Run ``post(client)`` for every client in its own thread, all released together;
    the responses (a 500 is a response here, not an exception)."""
    start = threading.Barrier(len(clients))
    responses = []

    def run(client: Client) -> None:
        client.raise_request_exception = False
        try:
            start.wait(10)
            responses.append(post(client))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=[client]) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(responses) == len(clients)
    return responses


def statuses(responses: list) -> Counter:
    return Counter(response.status_code for response in responses)
