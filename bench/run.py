"""`make bench`: Notesite under load at the scale of a 5,000-person company.

1. A database ``notesite_bench`` on the embedded PostgreSQL (or ``BENCH_DATABASE_URL``),
   migrated, and seeded once with ``seed_demo --scale 100`` (minutes); later runs reuse
   it, and the seeding time is kept in the database's comment.
2. Production settings from environment variables only (DEBUG off, a fresh SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, no HTTPS redirect on loopback), static files collected into
   a temporary folder, and gunicorn with the project's gunicorn.conf.py on 127.0.0.1 and
   a free port (2 workers x 4 threads, the defaults; worker recycling off so the memory
   figure covers the whole run).
3. In this process: the pages' rows (demo.seeding.benchmark.targets), a session per user,
   and the SQL queries each page runs (Django's test client, second request counted).
4. wrk, a separate process, drives each URL RUNS times for DURATION seconds at 1
   connection and at 8 (2 threads), after a short warm-up, reporting p50/p95/p99
   through a Lua hook; the run with the median throughput is kept (a shared machine
   has bursts of noise that one run can land in).
5. A busy day (``busy_day``): BUSY_SECONDS of 8 readers, one wrk connection on each
   main page, while a writer posts a note with two takeaways and an action point
   every second through the site (a logged-in session, the form's CSRF token), and
   staff change an action point every 5 s through its update form; p50/p95 per page
   and the share of requests whose fragments all came from the cache (gunicorn runs
   with FRAGMENT_COUNTS_HEADER on: an X-Fragments header counts them).
6. The RSS of each gunicorn worker after the run, the time to import a sample file,
   and docs/benchmarks.md rewritten between its bench markers (the analysis below them
   is kept).

How cost grows with the data: run it at other scales (``BENCH_SCALE=10``, ``300``; each
scale has its own database, ``notesite_bench_<scale>``), then
``python bench/run.py --scales results-10.json results-100.json results-300.json``
writes the table of built time and p95 per page and scale into docs/benchmarks.md
(between its scales markers). Every run keeps its results.json (path printed at the
end; ``BENCH_RESULTS`` names where to copy it).

Only 127.0.0.1 traffic, bounded durations; gunicorn is always stopped.
"""

import collections
import contextlib
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Overridable to try the pipeline quickly (with BENCH_DATABASE_URL and BENCH_OUTPUT).
SCALE = float(os.environ.get("BENCH_SCALE", "100"))
# One database per scale on the embedded server: a run never reuses another scale's data.
BENCH_DB = "notesite_bench" if SCALE == 100 else f"notesite_bench_{SCALE:g}".replace(".", "_")
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
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
RUNS = 3
WARMUP = 2
# (connections, wrk threads)
LOADS = [(1, 1), (8, 2)]
# In-process timing: the median of this many requests (after a warm-up request).
IN_PROCESS_RUNS = 5
# A logged-in page with nothing on it (session, user, base template): the floor of
# every page of the site, as /healthz is the floor of the server.
EMPTY_PAGE, EMPTY_PAGE_URL = "empty page (logged in)", "/accounts/password_change/done/"
SAMPLE = ROOT.parent / "shared" / "samples" / "devopsdays-toronto-2019.txt"
DOC = Path(os.environ.get("BENCH_OUTPUT", ROOT / "docs" / "benchmarks.md"))
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SCALES_BEGIN, SCALES_END = "<!-- scales:begin -->", "<!-- scales:end -->"
VENV_BIN = Path(sys.executable).parent

LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


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


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The database ---------------------------------------------------------------------


def database_url() -> str:
    """BENCH_DATABASE_URL, or the bench database on the embedded server (created)."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    import psycopg

    from notesite import embedded_db

    data_dir = Path(os.environ.get("NOTESITE_PGDATA", ROOT / ".pgdata")).resolve()
    main = urlsplit(embedded_db.start(data_dir))
    admin = urlunsplit(main._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        if not exists.fetchone():
            log(f"creating database {BENCH_DB}")
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return urlunsplit(main._replace(path=f"/{BENCH_DB}"))


def production_env(url: str, static_root: Path, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no redirect to HTTPS. The session cookie is sent by
        # wrk as a header, so its Secure flag does not matter.
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_MAX_REQUESTS": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "notesite.settings",
        # X-Fragments on each response: how many fragments came from the cache.
        "FRAGMENT_COUNTS_HEADER": "true",
    }
    env.pop("BENCH_DATABASE_URL", None)
    return env


def manage(env: dict, *args: str, echo: bool = False) -> tuple[str, float]:
    """Run manage.py with ``env``; return its output and wall time (raises on failure)."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own manage.py and arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if echo:
            print("    " + line, end="", flush=True)
    if process.wait() != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{''.join(lines)}")
    return "".join(lines), time.perf_counter() - started


def seeded_summary(url: str, env: dict) -> str:
    """Seed the bench database once; return how the seeding went (kept as the
    database's comment, so a later run can report it)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        events = conn.execute("SELECT count(*) FROM talks_event").fetchone()[0]
        if events:
            comment = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()[0]
            log(f"reusing the seeded database ({events:,} events)")
            return comment or "seeded earlier (no record of the seeding time)"
    log(f"seeding scale {SCALE:g} (once; later runs reuse it)")
    output, seconds = manage(env, "seed_demo", "--scale", f"{SCALE:g}", echo=True)
    summary = (
        f"`seed_demo --scale {SCALE:g}` took {seconds:.0f} s wall time "
        f"({datetime.date.today().isoformat()}), including VACUUM ANALYZE:\n\n"
        + "\n".join(f"    {line}" for line in output.strip().splitlines())
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(BENCH_DB if not os.environ.get("BENCH_DATABASE_URL") else
                               urlsplit(url).path.lstrip("/")),
                sql.Literal(summary),
            )
        )  # fmt: skip
    return summary


# --- In-process: targets, sessions, query counts -------------------------------------


def prepare(env: dict) -> dict:
    """Set Django up on the bench database and return the URLs, a session cookie
    per URL, and each page's status, query count, size and in-process time (the
    median of IN_PROCESS_RUNS requests after a first one)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from demo.seeding import benchmark

    targets = benchmark.targets()
    urls = targets.urls()
    # The second floor, after /healthz: what any logged-in page costs at least.
    urls = {"healthz": urls.pop("healthz"), EMPTY_PAGE: EMPTY_PAGE_URL, **urls}
    pages = {}
    for page, url in urls.items():
        client = Client(HTTP_HOST="127.0.0.1")
        user = targets.heavy if page == EMPTY_PAGE else targets.user_for(page)
        if user is not None:
            client.force_login(user)
        client.get(url)
        # Twice: served from the cached fragments (as wrk will see it), and built
        # from the database (the cache emptied before each request).
        measured = {}
        for served in ("cached", "built"):
            times = []
            for _ in range(IN_PROCESS_RUNS):
                if served == "built":
                    cache.clear()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - started)
            measured[served] = (statistics.median(times) * 1000, len(captured.captured_queries))
        pages[page] = {
            "url": url,
            "user": user.get_username() if user else "",
            "cookie": client.cookies["sessionid"].value if user else "",
            "status": response.status_code,
            "queries": measured["cached"][1],
            "queries_built": measured["built"][1],
            "kb": len(response.content) / 1024,
            "in_process_ms": measured["cached"][0],
            "in_process_built_ms": measured["built"][0],
        }
    cache.clear()
    info = dataset_info(benchmark)
    busy = busy_day_actors(targets)
    connections.close_all()
    return {"pages": pages, "dataset": info, "targets": targets, "busy": busy}


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
        "note_form": reverse("notes:new-for-talk", args=[event.slug, talk.slug]),
        "action_point": action_point.get_absolute_url() if action_point else None,
        "action_point_update": reverse("actions:update", args=[action_point.pk])
        if action_point
        else None,
        "cookies": cookies,
    }


def dataset_info(benchmark) -> dict:
    from django.db import connection

    from actions.models import ActionPoint
    from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk

    counts = {
        str(model._meta.verbose_name_plural): model.objects.count()
        for model in (Event, Talk, OpenSpace, Note, Takeaway, ActionPoint, Speaker)
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM taggit_tag")
        counts["tags"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM auth_user")
        counts["users"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
        size, version = cursor.fetchone()
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    counts["open action points"] = ActionPoint.objects.open().count()
    counts["overdue action points"] = ActionPoint.objects.overdue().count()
    return {
        "counts": counts,
        "size": size,
        "postgres": version.split(" on ")[0],
        "pg_settings": settings,
        "frequencies": benchmark.document_frequencies(),
    }


# --- gunicorn and wrk ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, log_path: Path) -> subprocess.Popen:
    log_file = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
        [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "notesite.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://{env['GUNICORN_BIND']}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited at start-up; see {log_path}")
        healthz = f"{base}/healthz"
        with contextlib.suppress(OSError), urllib.request.urlopen(healthz, timeout=2) as answer:  # noqa: S310
            if answer.status == 200:
                return process
        time.sleep(0.5)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log_path}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # the master stops its workers gracefully
    try:
        process.wait(timeout=35)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group started above, nothing else
        process.wait()


def check_page(base: str, page: dict) -> None:
    """One request through gunicorn: a 200, not a redirect to the login page."""
    request = urllib.request.Request(base + page["url"])  # noqa: S310
    if page["cookie"]:
        request.add_header("Cookie", f"sessionid={page['cookie']}")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            page["http_status"] = response.status
    except urllib.error.HTTPError as error:
        page["http_status"] = error.code


def wrk(base: str, page: dict, connections: int, threads: int, seconds: int, lua: Path) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(lua)]
    if page["cookie"]:
        command += ["-H", f"Cookie: sessionid={page['cookie']}"]
    command.append(base + page["url"])
    output = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def median_run(base: str, page: dict, connections: int, threads: int, lua: Path) -> dict:
    """RUNS runs of wrk; the one with the median throughput, with every run's rps."""
    runs = sorted(
        (wrk(base, page, connections, threads, DURATION, lua) for _ in range(RUNS)),
        key=lambda result: result["rps"],
    )
    return {**runs[len(runs) // 2], "all_rps": [result["rps"] for result in runs]}


def worker_rss(process: subprocess.Popen) -> list[float]:
    import psutil

    master = psutil.Process(process.pid)
    return [child.memory_info().rss / 2**20 for child in master.children()]


# --- The busy day ---------------------------------------------------------------------


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
    }


# --- Importing a sample ---------------------------------------------------------------


def time_import(env: dict) -> dict:
    """Wall time of `import_notes --dry-run` on a sample (the command as people run
    it, Python start-up included), three times."""
    if not SAMPLE.exists():
        return {"error": f"{SAMPLE} not found"}
    if not (ROOT / "imports/management/commands/import_notes.py").exists():
        return {"error": "the import_notes command does not exist yet"}
    args = ["import_notes", str(SAMPLE), "--author", "heavy", "--dry-run"]
    times = []
    for _ in range(3):
        try:
            _, seconds = manage(env, *args)
        except SystemExit as failure:
            return {"error": str(failure)[:500]}
        times.append(seconds)
    return {"times": times, "command": "manage.py " + " ".join(args)}


def time_import_in_process() -> dict:
    """The import itself (read, parse, match and write the sample in its transaction),
    in this process, without Python's start-up: three times, each rolled back so the
    benchmark's data stay as seeded."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    if not SAMPLE.exists():
        return {"error": f"{SAMPLE} not found"}
    times = []
    for _ in range(3):
        with transaction.atomic():
            started = time.perf_counter()
            call_command("import_notes", str(SAMPLE), author="heavy", stdout=io.StringIO())
            times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return {"times": times, "command": f"call_command('import_notes', '{SAMPLE}', author='heavy')"}


# --- The report ---------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    memory = next(
        int(line.split()[1]) // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout  # noqa: S607
    import django
    import gunicorn

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": memory,
        "load": os.getloadavg(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk_version.split("[")[0].strip() or "wrk"),
        "kernel": platform.release(),
    }


def ms(us: float) -> str:
    return f"{us / 1000:.0f}" if us >= 10_000 else f"{us / 1000:.1f}"


def verdicts(page: str, row: dict, floor: float) -> list[tuple[str, bool, str]]:
    eight = row["load"][8]
    ratio = eight["rps"] / floor
    limit = 100 if page.startswith("search") else 150
    return [
        ("≥ 0.3 x /healthz", ratio >= 0.3, f"{ratio:.3f}"),
        (f"p95 < {limit} ms at 8", eight["p95"] / 1000 < limit, f"{ms(eight['p95'])} ms"),
    ]


def report(run: dict) -> str:
    m, data, pages = run["machine"], run["prepared"]["dataset"], run["prepared"]["pages"]
    floor1 = pages["healthz"]["load"][1]["rps"]
    floor8 = pages["healthz"]["load"][8]["rps"]
    out = [BEGIN, ""]
    out.append(f"Run on {run['date']} with `{run['command']}`.")
    out.append("")
    out.append(
        f"- Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_mb']:,} MB RAM, Linux "
        f"{m['kernel']}; load average {m['load'][0]:.2f} when the run started (the machine "
        "is shared: other test runs may have been running)."
    )
    out.append(
        f"- Software: {data['postgres']} (embedded, default settings: "
        + ", ".join(f"{k} {v}" for k, v in data["pg_settings"].items())
        + f"), Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']} "
        f"(2 workers x 4 threads, max_requests off), {m['wrk']}."
    )
    out.append(
        f"- Load: wrk from the same machine, {run.get('runs', 1)} runs of {run['duration']} s "
        "per URL and concurrency (the run with the median requests per second is shown) "
        "after a "
        f"{run['warmup']} s warm-up; `-c1 -t1` and `-c8 -t2`; logged-in with a session cookie."
    )
    counts = ", ".join(f"{n:,} {kind}" for kind, n in data["counts"].items())
    out.append(f"- Data: scale {run['scale']:g}, {data['size']}: {counts}.")
    freq = data["frequencies"]
    for term, per_kind in freq.items():
        found = ", ".join(f"{n:,} {kind}" for kind, n in per_kind.items())
        out.append(f"- Search term `{term}` matches {found}.")
    out.append("")
    out.append("Seeding:")
    out.append("")
    out.append(run["seeding"])
    out.append("")
    out.append(
        "| page | URL | user | queries cached / built | KB | ms in-process cached / built "
        "| rps @1 | p50 / p95 / p99 ms @1 | rps @8 | p50 / p95 / p99 ms @8 | x /healthz @1 "
        "| x /healthz @8 |"
    )
    out.append("| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: |")
    for page, row in pages.items():
        one, eight = row["load"][1], row["load"][8]
        flags = ""
        if one["errors"] or one["non2xx"] or eight["errors"] or eight["non2xx"]:
            bad, errors = one["non2xx"] + eight["non2xx"], one["errors"] + eight["errors"]
            flags = f" ⚠ {bad} non-2xx, {errors} errors"
        out.append(
            f"| {page}{flags} | `{row['url']}` | {row['user'] or '—'} | "
            f"{row['queries']} / {row.get('queries_built', '—')} | {row['kb']:.0f} | "
            f"{row['in_process_ms']:.1f} / {row.get('in_process_built_ms', 0):.1f} | "
            f"{one['rps']:.0f} | "
            f"{ms(one['p50'])} / {ms(one['p95'])} / {ms(one['p99'])} | {eight['rps']:.0f} | "
            f"{ms(eight['p50'])} / {ms(eight['p95'])} / {ms(eight['p99'])} | "
            f"{one['rps'] / floor1:.3f} | {eight['rps'] / floor8:.3f} |"
        )
    out.append("")
    out.append("Targets (at 8 concurrent clients; search pages p95 < 100 ms, others < 150 ms):")
    out.append("")
    empty = pages.get(EMPTY_PAGE)
    out.append("| page | ≥ 0.3 x /healthz | p95 | met | x empty logged-in page @8 (not a target) |")
    out.append("| --- | --- | --- | --- | ---: |")
    for page, row in pages.items():
        if page in ("healthz", EMPTY_PAGE):
            continue
        checks = verdicts(page, row, floor8)
        cells = [f"{'✅' if ok else '❌'} {value}" for _, ok, value in checks]
        met = "yes" if all(ok for _, ok, _ in checks) else "**no**"
        versus_empty = f"{row['load'][8]['rps'] / empty['load'][8]['rps']:.3f}" if empty else "—"
        out.append(f"| {page} | {' | '.join(cells)} | {met} | {versus_empty} |")
    out.append("")
    if "busy_day" in run:
        out += busy_day_report(run["busy_day"], pages)
    rss = run["rss"]
    worst = max(rss) if rss else 0
    out.append(
        "- Memory after the run: gunicorn workers at "
        + ", ".join(f"{value:.0f} MB" for value in rss)
        + f" resident: {'✅ met' if worst < 150 else '❌ not met'} (< 150 MB each)."
    )
    own, imported = run.get("import_itself", {}), run["import"]
    if "times" in own:
        best = min(own["times"])
        out.append(
            f"- Import: writing a sample (`{own['command']}` in this process, rolled back) took "
            + ", ".join(f"{t:.2f} s" for t in own["times"])
            + f": {'✅ met' if best < 0.5 else '❌ not met'} (< 0.5 s)."
        )
    if "times" in imported:
        out.append(
            f"- The command as people run it, `{imported['command']}`, took "
            + ", ".join(f"{t:.2f} s" for t in imported["times"])
            + " wall time, most of it Python and Django starting."
        )
    for failed in (own, imported):
        if "error" in failed:
            out.append(f"- Import: not measured: {failed['error']}")
    out.append(
        "- Queries per request: the *queries* column counts one request of each page on "
        "this data set, served from its cached fragments and built with the cache empty; "
        "`tests/notesite/test_query_counts.py` (in `make test`) checks each page builds with the "
        "same number on a small and a ten times larger data set."
    )
    out += ["", END]
    return "\n".join(out)


def busy_day_report(busy: dict, pages: dict | None = None) -> list[str]:
    out = [
        f"Busy day: {busy['seconds']} s of 8 readers, one wrk connection on each page below, "
        f"while `{busy['writer']}` posts a note with two takeaways and an action point every "
        f"second on a talk of {busy['event']} (the newest event), through the note form "
        "with a session and its CSRF token, and staff change an action point there every "
        "5 s through its update form. *From the cache*: the share of responses whose "
        "fragments all came from the cache (the X-Fragments header).",
        "",
        "| page | requests | rps | p50 / p95 / p99 ms | from the cache | p95 < 150 ms "
        "| quiet p95 @8 (above) |",
        "| --- | ---: | ---: | --- | ---: | --- | ---: |",
    ]
    for page, row in busy["pages"].items():
        if "error" in row:
            out.append(f"| {page} | wrk failed: {row['error'][:80]!r} | | | | | |")
            continue
        counted = row["cached"] + row["built"]
        share = f"{row['cached'] / counted:.0%}" if counted else "—"
        quiet = pages.get(page, {}).get("load", {}).get(8) if pages else None
        flags = f" ⚠ {row['non2xx']} non-2xx, {row['errors']} errors" if (
            row["non2xx"] or row["errors"]) else ""  # fmt: skip
        out.append(
            f"| {page}{flags} | {row['requests']} | {row['rps']:.0f} | "
            f"{ms(row['p50'])} / {ms(row['p95'])} / {ms(row['p99'])} | {share} | "
            f"{'✅' if row['p95'] < 150_000 else '❌'} | "
            f"{ms(quiet['p95']) if quiet else '—'} |"
        )
    out.append("")
    for what, tally in (("Notes posted", busy["notes"]),
                        ("Action point changes", busy["action_point_changes"])):  # fmt: skip
        outcomes = ", ".join(f"{n} {outcome}" for outcome, n in tally["outcomes"].items())
        timing = (
            f", each {tally['median_ms']:.0f} ms median (form fetched and posted), "
            f"{tally['max_ms']:.0f} ms at most"
            if tally["median_ms"]
            else ""
        )
        out.append(f"- {what}: {outcomes or 'none'}{timing}.")
    out.append("")
    return out


def scales_report(runs: list[dict]) -> str:
    """The "how cost grows" table from several runs' results.json, smallest scale first."""
    runs = sorted(runs, key=lambda run: run["scale"])
    names = [page for page in runs[-1]["prepared"]["pages"] if page != "healthz"]
    head = " | ".join(f"built ms @{run['scale']:g}" for run in runs)
    head += " | " + " | ".join(f"p95 ms @8, {run['scale']:g}" for run in runs)
    out = [SCALES_BEGIN, "", "Built from the database in-process (cache emptied), and p95 at 8 "
           "clients served from the cache, per scale (" + ", ".join(
               f"scale {run['scale']:g}: {run['prepared']['dataset']['counts'].get('events', 0):,}"
               f" events, run {run['date']}" for run in runs) + "):", "",
           f"| page | {head} |", "| --- |" + " ---: |" * (2 * len(runs))]  # fmt: skip
    for page in names:
        rows = [run["prepared"]["pages"].get(page) for run in runs]
        built = [f"{row['in_process_built_ms']:.0f}" if row else "—" for row in rows]
        p95 = [ms(row["load"][8]["p95"]) if row and "load" in row else "—" for row in rows]
        out.append(f"| {page} | {' | '.join(built)} | {' | '.join(p95)} |")
    out += ["", SCALES_END]
    return "\n".join(out)


def write_scales(section: str) -> None:
    text = DOC.read_text()
    if SCALES_BEGIN in text and SCALES_END in text:
        head, rest = text.split(SCALES_BEGIN, 1)
        DOC.write_text(head + section + rest.split(SCALES_END, 1)[1])
    else:
        head, tail = text.split(END, 1)
        DOC.write_text(head + END + "\n\n## How cost grows\n\n" + section + "\n" + tail)


def load_results(path: str) -> dict:
    saved = json.loads(Path(path).read_text())
    for row in saved["prepared"]["pages"].values():
        if "load" in row:
            row["load"] = {int(c): result for c, result in row["load"].items()}
    return saved


def write_doc(section: str) -> None:
    if DOC.exists() and BEGIN in DOC.read_text() and END in DOC.read_text():
        text = DOC.read_text()
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        DOC.write_text(head + section + tail)
        return
    DOC.write_text(
        "# Benchmarks\n\nWritten by `make bench` (bench/run.py) between the markers below; "
        "the analysis after them is written by people.\n\n" + section + "\n\n## Analysis\n"
    )


# --- Main ----------------------------------------------------------------------------


def main() -> None:
    run = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "make bench",
        "scale": SCALE,
        "duration": DURATION,
        "runs": RUNS,
        "warmup": WARMUP,
    }
    run["machine"] = machine()
    url = database_url()
    workdir = Path(tempfile.mkdtemp(prefix="notesite-bench-"))
    port = free_port()
    env = production_env(url, workdir / "static", port)
    log("migrating the bench database")
    manage(env, "migrate", "--no-input", "-v0")
    run["seeding"] = seeded_summary(url, env)
    log("collecting static files")
    manage(env, "collectstatic", "--no-input", "-v0")
    log("measuring queries per page in-process")
    run["prepared"] = prepare(env)
    pages = run["prepared"]["pages"]
    for page, row in pages.items():
        log(f"  {page}: {row['status']}, {row['queries']}/{row['queries_built']} queries, "
            f"{row['kb']:.0f} KB, {row['in_process_ms']:.0f}/{row['in_process_built_ms']:.0f} ms"
            " (cached/built)")  # fmt: skip
    lua = workdir / "report.lua"
    lua.write_text(LUA)
    log(f"starting gunicorn on 127.0.0.1:{port}")
    server = start_gunicorn(env, workdir / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    busy = run["prepared"].pop("busy")
    busy_only = os.environ.get("BENCH_ONLY") == "busy"
    try:
        for page, row in pages.items() if not busy_only else ():
            check_page(base, row)
            if row["http_status"] != 200:
                log(f"  {page}: HTTP {row['http_status']} (measured anyway)")
            wrk(base, row, 8, 2, WARMUP, lua)
            row["load"] = {c: median_run(base, row, c, t, lua) for c, t in LOADS}
            one, eight = row["load"][1], row["load"][8]
            log(f"  {page}: {one['rps']:.0f} rps @1 (p95 {ms(one['p95'])} ms), "
                f"{eight['rps']:.0f} rps @8 (p95 {ms(eight['p95'])} ms); runs @8: "
                + ", ".join(f"{rps:.0f}" for rps in eight["all_rps"]) + " rps")  # fmt: skip
        busy_lua = workdir / "busy.lua"
        busy_lua.write_text(BUSY_LUA)
        log(f"busy day: {BUSY_SECONDS} s of readers on {len(BUSY_PAGES)} pages while writing")
        run["busy_day"] = busy_day(base, pages, busy, busy_lua)
        for page, result in run["busy_day"]["pages"].items():
            if "error" in result:
                log(f"  {page}: wrk failed: {result['error']}")
                continue
            counted = result["cached"] + result["built"]
            log(f"  {page}: {result['requests']} requests, p95 {ms(result['p95'])} ms, "
                f"{result['cached']}/{counted} from the cache")  # fmt: skip
        for what in ("notes", "action_point_changes"):
            log(f"  {what}: {run['busy_day'][what]}")
        run["rss"] = worker_rss(server)
    finally:
        stop_gunicorn(server)
    if not busy_only:
        log("timing an import")
        run["import_itself"] = time_import_in_process()
        run["import"] = time_import({**env, "DEBUG": "false"})
    del run["prepared"]["targets"]
    raw = workdir / "results.json"
    raw.write_text(json.dumps(run, indent=1, default=str))
    if os.environ.get("BENCH_RESULTS"):
        shutil.copyfile(raw, os.environ["BENCH_RESULTS"])
    if busy_only:
        print("\n".join(busy_day_report(run["busy_day"])))
        log(f"busy day only: {DOC} left as it was; raw results in {raw}")
        return
    write_doc(report(run))
    log(f"wrote {DOC}; raw results in {raw}, gunicorn log in {workdir / 'gunicorn.log'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--report"]:
        # Re-render docs/benchmarks.md from a run's results.json (no measuring).
        write_doc(report(load_results(sys.argv[2])))
    elif sys.argv[1:2] == ["--scales"]:
        # The "how cost grows" table from runs at several scales (no measuring).
        write_scales(scales_report([load_results(path) for path in sys.argv[2:]]))
    else:
        main()
