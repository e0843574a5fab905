"""The slowest Markdown render per pathological input, at each Markdown field's limit.

Run: `.venv/bin/python bench/markdown_worst_case.py [--cap SECONDS] [--lengths N,N]`

For every case in tests/common/markdown_corpus.py and every distinct maximum length of the
Markdown fields (read from the models, so it follows their max_length), prints the
best of three runs of ``render_markdown`` (the whole save-time path: parse, render,
sanitise), in CPU time and in wall-clock time (which a busy machine inflates; the
test in tests/common/test_markdown_limits.py holds the CPU time to 100 ms). A run that goes
over ``--cap`` seconds (default 5) is stopped and shown as ``>cap``: the old renderer
took minutes on some inputs. ``--lengths`` measures other lengths instead (for a
renderer or models without limits).
"""

import argparse
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from actions.models import ActionPoint  # noqa: E402
from common.markdown import render_markdown  # noqa: E402
from talks.models import Event, Note, Talk  # noqa: E402
from tests.common.markdown_corpus import CORPUS  # noqa: E402

FIELDS = [(Note, "body"), (Talk, "abstract"), (Event, "description"), (ActionPoint, "details")]
RUNS = 3


class _Over(Exception):
    pass


def _stop(signum, frame):
    raise _Over


def best_time(source: str, cap: float) -> tuple[float, float] | str:
    """The fastest of RUNS renders as (CPU seconds, wall seconds), or why there is none
    (over ``cap`` of wall-clock time, or the renderer raised)."""
    best = None
    for _ in range(RUNS):
        signal.setitimer(signal.ITIMER_REAL, cap)
        try:
            cpu, wall = time.process_time(), time.perf_counter()
            render_markdown(source)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        except _Over:
            return f">{cap:g} s"
        except Exception as error:  # a crash is a figure too (a 500)
            return type(error).__name__
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        best = (cpu, wall) if best is None else (min(best[0], cpu), min(best[1], wall))
        if wall > 1:  # slow enough that noise does not matter: one run tells.
            break
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=5.0)
    parser.add_argument("--lengths", help="comma-separated lengths instead of the fields'")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _stop)

    if args.lengths:
        lengths = {int(n): "given" for n in args.lengths.split(",")}
    else:
        lengths = {}
        for model, name in FIELDS:
            limit = model._meta.get_field(name).max_length
            label = f"{model.__name__}.{name}"
            lengths[limit] = f"{lengths[limit]}, {label}" if limit in lengths else label
    renderer = f"{render_markdown.__module__}.render_markdown"
    print(f"Best of {RUNS} renders through {renderer}, cap {args.cap:g} s per run")
    for length, label in sorted(lengths.items(), reverse=True):
        print(f"\n{length:,} characters ({label}):\n  {'CPU ms':>14}  {'wall ms':>9}  case")
        worst = 0.0
        for case, make in CORPUS.items():
            figures = best_time(make(length), args.cap)
            if isinstance(figures, str):
                shown, worst = f"{figures:>14}  {'':>9}", args.cap
            else:
                shown = f"{figures[0] * 1000:14.1f}  {figures[1] * 1000:9.1f}"
                worst = max(worst, figures[0])
            print(f"  {shown}  {case}", flush=True)
        print(f"  worst: {worst * 1000:.1f} ms of CPU")


if __name__ == "__main__":
    main()
