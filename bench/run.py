"""`make bench`: Notesite under load at the scale of a 5,000-person company.

1. A database ``notesite_bench`` on the embedded PostgreSQL (or ``BENCH_DATABASE_URL``),
   migrated, and seeded once with ``seed_demo --scale 100`` (minutes); later runs reuse
   it, and the seeding time is kept in the database's comment.
2. Production settings from environment variables only (DEBUG off, a fresh SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, no HTTPS redirect on loopback), static files collected into
   a temporary folder, and gunicorn with the project's gunicorn.conf.py on 127.0.0.1 and
   a free port (its default workers and threads, or GUNICORN_WORKERS and
   GUNICORN_THREADS; worker recycling off so the memory figure covers the whole run).
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
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from busy_day import BUSY_LUA, BUSY_PAGES, BUSY_SECONDS, busy_day, busy_day_actors  # noqa: E402
from report import (  # noqa: E402
    DOC,
    EMPTY_PAGE,
    EMPTY_PAGE_URL,
    busy_day_report,
    load_results,
    ms,
    report,
    scales_report,
    write_doc,
    write_scales,
)

# Overridable to try the pipeline quickly (with BENCH_DATABASE_URL and BENCH_OUTPUT).
SCALE = float(os.environ.get("BENCH_SCALE", "100"))
# One database per scale on the embedded server: a run never reuses another scale's data.
BENCH_DB = "notesite_bench" if SCALE == 100 else f"notesite_bench_{SCALE:g}".replace(".", "_")
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
RUNS = 3
WARMUP = 2
# (connections, wrk threads)
LOADS = [(1, 1), (8, 2)]
# In-process timing: the median of this many requests (after a warm-up request).
IN_PROCESS_RUNS = 5
# A logged-in page with nothing on it (session, user, base template): the floor of
# every page of the site, as /healthz is the floor of the server.
SAMPLE = ROOT.parent / "shared" / "samples" / "devopsdays-toronto-2019.txt"
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


def gunicorn_concurrency(env: dict) -> dict:
    """The workers and threads gunicorn.conf.py gives under ``env``, for the report."""
    read = "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
    read += "print(json.dumps({'workers': c['workers'], 'threads': c['threads']}))"
    output = subprocess.run(  # noqa: S603 - this interpreter and a fixed program
        [sys.executable, "-c", read], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


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
    run["gunicorn"] = gunicorn_concurrency(env)
    log(f"starting gunicorn on 127.0.0.1:{port}: {run['gunicorn']}")
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
