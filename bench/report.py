"""The benchmark's report: the tables of docs/benchmarks.md (between its bench markers)
from a run's results, and the "how cost grows" table from runs at several scales."""

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A logged-in page with nothing on it (session, user, base template): the floor of
# every page of the site, as /healthz is the floor of the server.
EMPTY_PAGE, EMPTY_PAGE_URL = "empty page (logged in)", "/accounts/password_change/done/"
DOC = Path(os.environ.get("BENCH_OUTPUT", ROOT / "docs" / "benchmarks.md"))
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SCALES_BEGIN, SCALES_END = "<!-- scales:begin -->", "<!-- scales:end -->"


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


def concurrency(run: dict) -> str:
    # Runs before 2026-12-03 22:00 UTC did not record it: they used 2 workers x 4 threads.
    server = run.get("gunicorn", {"workers": 2, "threads": 4})
    if server["threads"] == 1:
        return f"{server['workers']} workers of one thread, the sync worker"
    return f"{server['workers']} workers x {server['threads']} threads"


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
        f"({concurrency(run)}, max_requests off), {m['wrk']}."
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
