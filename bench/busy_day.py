"""The busy day of `make bench`: readers on the main pages while a writer posts notes
with takeaways and an action point every second and staff change an action point every
5 s, all through the site over HTTP as browsers do (sessions, forms, CSRF tokens)."""

import collections
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

# The busy day's length, and its writers' pace (seconds between writes).
BUSY_SECONDS = int(os.environ.get("BENCH_BUSY_SECONDS", "30"))
NOTE_EVERY, ACTION_POINT_CHANGE_EVERY = 1.0, 5.0
# The pages the busy day's readers read, one wrk connection each.
BUSY_PAGES = (
    "dashboard",
    "event",
    "talk",
    "takeaways (2 tags, all of)",
    "tag",
    "search (common word)",
    "follow-ups (heavy user)",
    "follow-ups overview",
)

# For the busy day: counts the responses whose X-Fragments header says every fragment
# came from the cache (one wrk thread per page, so its globals are the page's).
BUSY_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) cached = 0; built = 0; none = 0 end
function response(status, headers, body)
  local counts = headers["X-Fragments"]
  if counts == nil then none = none + 1; return end
  local hits, builds = counts:match("(%d+) (%d+)")
  if tonumber(builds) == 0 then cached = cached + 1 else built = built + 1 end
end
done = function(summary, latency, requests)
  local c, b, n = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("cached"); b = b + thread:get("built"); n = n + thread:get("none")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d, "cached": %d, "built": %d, "no_header": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    c, b, n))
end
"""


def busy_day_actors(targets) -> dict:
    """Who writes on the busy day, and where: an attendee (not the readers' user)
    writing on a talk of the newest event, as people do the day after a conference,
    and staff changing an action point there. Their sessions are real logged-in
    sessions; the forms are fetched and posted over HTTP like a browser's."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from actions.models import ActionPoint
    from talks.models import Event

    event = Event.objects.filter(talks__isnull=False).newest_first().first()
    talk = event.talks.order_by("pk").first()
    writer = (
        get_user_model()
        .objects.filter(groups__name="attendee", is_active=True)
        .exclude(pk__in=[targets.heavy.pk, targets.manager.pk, targets.staff.pk])
        .order_by("pk")
        .first()
    )
    action_point = ActionPoint.objects.filter(event=event).order_by("pk").first()
    cookies = {}
    for name, user in (("writer", writer), ("staff", targets.staff)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        cookies[name] = client.cookies["sessionid"].value
    return {
        "event": event.name,
        "writer": writer.get_username(),
        "writer_id": writer.pk,
        "note_form": reverse("notes:new-for-talk", args=[event.slug, talk.slug]),
        "action_point": action_point.get_absolute_url() if action_point else None,
        "action_point_update": reverse("actions:update", args=[action_point.pk])
        if action_point
        else None,
        "action_point_id": action_point.pk if action_point else None,
        "cookies": cookies,
    }


class FormReader(HTMLParser):
    """The fields of the form posting to ``action`` in a page, as a browser sends
    them (hidden values, text, checked boxes, selected options; no buttons)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self.textarea, self.select = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action", "") in ("", self.action)
        elif not self.inside or "name" not in attrs:
            return
        elif tag == "input" and attrs.get("type", "text") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""
        elif tag == "select":
            self.select = attrs["name"]
        if (
            tag == "option"
            and self.select
            and ("selected" in attrs or self.select not in self.fields)
        ):
            self.fields[self.select] = attrs.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


class Browser:
    """A logged-in user's HTTP session: cookies kept, CSRF token sent back, no
    redirects followed (a redirect after POST is the success)."""

    def __init__(self, base: str, session: str):
        self.base, self.cookies = base, {"sessionid": session}

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            request.add_header("Referer", self.base + path)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            response = urllib.request.build_opener(NoRedirect).open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        with response:
            return response.status, response.read().decode()

    def form(self, page: str, action: str) -> dict:
        status, html = self.request(page)
        if status != 200:
            raise RuntimeError(f"GET {page}: HTTP {status}")
        reader = FormReader(action)
        reader.feed(html)
        return reader.fields


def post_notes(browser: Browser, form_url: str, stop: threading.Event, tally: dict) -> None:
    """A note with two takeaways and an action point every NOTE_EVERY seconds."""
    n = 0
    # One every NOTE_EVERY seconds from start to start, or back to back when slower.
    while not stop.wait(0 if n == 0 else max(0.0, NOTE_EVERY - tally["last_s"])):
        n += 1
        started = time.perf_counter()
        try:
            fields = browser.form(form_url, form_url)
            fields.update({
                "title": f"Busy day note {n}", "status": "published",
                "body": f"What we heard, part {n}.\n\n- one thing\n- another",
                "takeaways-0-text": f"Busy takeaway {n}a", "takeaways-0-tags": "observability",
                "takeaways-1-text": f"Busy takeaway {n}b", "takeaways-1-tags": "kubernetes",
                "actions-0-title": f"Busy follow-up {n}", "actions-0-tags": "observability",
                "save": "",
            })  # fmt: skip
            status, _ = browser.request(form_url, fields)
            tally["ok" if status == 302 else f"HTTP {status}"] += 1
        except Exception as error:  # counted and reported, the run goes on
            tally[type(error).__name__] += 1
        tally["last_s"] = time.perf_counter() - started
        tally["times"].append(tally["last_s"])


def change_action_point(
    browser: Browser, page: str, action: str, stop: threading.Event, tally: dict
) -> None:
    """Staff move an action point between open and in progress, with a comment,
    every ACTION_POINT_CHANGE_EVERY seconds (the follow-up page's update form)."""
    n = 0
    while not stop.wait(0 if n == 0 else ACTION_POINT_CHANGE_EVERY):
        n += 1
        started = time.perf_counter()
        try:
            fields = browser.form(page, action)
            fields["status"] = "in_progress" if fields.get("status") == "open" else "open"
            fields["comment"] = f"Busy day check {n}"
            status, _ = browser.request(action, fields)
            tally["ok" if status == 302 else f"HTTP {status}"] += 1
        except Exception as error:  # counted and reported, the run goes on
            tally[type(error).__name__] += 1
        tally["times"].append(time.perf_counter() - started)


def busy_day(base: str, pages: dict, busy: dict, lua: Path) -> dict:
    """BUSY_SECONDS of readers on BUSY_PAGES (one wrk connection each, all at once)
    while the writers write; each page's latency and share served from the cache."""
    stop = threading.Event()
    notes = collections.defaultdict(int, times=[], last_s=0.0)
    changes = collections.defaultdict(int, times=[])
    writers = [
        threading.Thread(
            target=post_notes,
            args=(Browser(base, busy["cookies"]["writer"]), busy["note_form"], stop, notes),
        )
    ]
    if busy["action_point"]:
        staff = Browser(base, busy["cookies"]["staff"])
        writers.append(
            threading.Thread(
                target=change_action_point,
                args=(staff, busy["action_point"], busy["action_point_update"], stop, changes),
            )
        )
    readers = {}
    last_note = newest_note_id()
    before_changes = action_point_state(busy["action_point_id"])
    with tempfile.TemporaryDirectory() as outputs:
        for page in BUSY_PAGES:
            row = pages[page]
            command = ["wrk", "-t1", "-c1", f"-d{BUSY_SECONDS}s", "--timeout", "10s"]
            command += ["-s", str(lua), "-H", f"Cookie: sessionid={row['cookie']}"]
            out = Path(outputs, f"{len(readers)}.txt").open("w")  # noqa: SIM115 - closed below
            command.append(base + row["url"])
            readers[page] = (subprocess.Popen(command, stdout=out, text=True), out)  # noqa: S603
        for writer in writers:
            writer.start()
        results = {}
        for page, (process, out) in readers.items():
            process.wait(timeout=BUSY_SECONDS + 60)
            out.close()
            text = Path(out.name).read_text()
            line = next((line for line in text.splitlines() if line.startswith("BENCH ")), None)
            if line is None:
                results[page] = {"error": text[-500:]}
                continue
            result = json.loads(line.removeprefix("BENCH "))
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            results[page] = result
        stop.set()
        for writer in writers:
            writer.join(60)
    removed = remove_busy_notes(busy["writer_id"], after=last_note)
    undone = undo_busy_changes(busy["action_point_id"], before_changes)

    def summary(tally: dict) -> dict:
        times = sorted(tally.pop("times"))
        tally.pop("last_s", None)
        return {
            "outcomes": dict(tally),
            "median_ms": statistics.median(times) * 1000 if times else None,
            "max_ms": times[-1] * 1000 if times else None,
        }

    return {
        "pages": results,
        "notes": summary(notes),
        "action_point_changes": summary(changes),
        "event": busy["event"],
        "writer": busy["writer"],
        "seconds": BUSY_SECONDS,
        "removed_afterwards": removed,
        "changes_undone": undone,
    }


def newest_note_id() -> int:
    from django.db.models import Max

    from talks.models import Note

    return Note.objects.aggregate(newest=Max("pk"))["newest"] or 0


def action_point_state(pk: int | None) -> tuple | None:
    """The staff's action point's status, completion time and newest history entry
    before the run."""
    from django.db.models import Max

    from actions.models import ActionPoint

    if pk is None:
        return None
    row = ActionPoint.objects.filter(pk=pk).annotate(last=Max("history__pk"))
    return row.values_list("status", "completed_at", "last").get()


def undo_busy_changes(pk: int | None, before: tuple | None) -> int:
    """Put the staff's action point back as it was (its status) and delete the history
    entries (and their emails) the run added, so that the next run measures the same
    page: kept, they piled up on it (60 after a few runs), and its page, which lists
    them all, grew with every run. Returns how many entries went."""
    from django.db import transaction

    from actions.models import ActionPoint, ActionPointChange

    if pk is None:
        return 0
    status, completed_at, last = before
    with transaction.atomic():
        ActionPoint.objects.filter(pk=pk).update(status=status, completed_at=completed_at)
        added = ActionPointChange.objects.filter(action_point_id=pk, pk__gt=last or 0)
        return added.delete()[1].get(ActionPointChange._meta.label, 0)


def remove_busy_notes(writer_id: int, *, after: int) -> int:
    """Delete the notes the busy day's writer posted (ids above ``after``) with their
    takeaways and action points, so that the next run measures the same data: kept,
    they piled up on one talk, which became the benchmark's "talk with the most
    notes" (hundreds after a few runs, its built time ten times the first run's).
    Returns how many notes went."""
    from django.db import transaction

    from actions.models import ActionPoint
    from talks.models import Note, Takeaway

    with transaction.atomic():
        notes = Note.objects.filter(pk__gt=after, author_id=writer_id)
        Takeaway.objects.filter(note__in=notes).delete()
        ActionPoint.objects.filter(note__in=notes).delete()
        return notes.delete()[1].get(Note._meta.label, 0)
