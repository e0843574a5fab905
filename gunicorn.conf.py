"""Gunicorn settings, read from the environment (every variable is listed in the README).

Run as `gunicorn -c gunicorn.conf.py notesite.wsgi` (the Docker image's CMD). Gunicorn
silently ignores unknown names in this file, so tests check each one is a real setting.
"""

import os
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    # Fail at start-up on a typo rather than run with a surprising value.
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, not {value!r}") from None


# PORT is the usual platform convention; GUNICORN_BIND overrides the whole address.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_env_int('PORT', 8000)}"

# Processes, not threads. A page is mostly Python: on `make bench`'s busy day the workers
# used 3.6 times the CPU that PostgreSQL did. A process's threads take turns on one core
# (Python's GIL), so a page built in one thread held up the cached pages its sibling
# threads were serving, and a kept-alive connection stayed with one worker however busy
# it was. One request per process (gunicorn's sync worker, one thread) queues requests
# in the listen backlog for whichever worker is free first: on the busy day, alternated
# with 2 workers of 4 threads, the slowest page's p95 fell by a third (the median of
# five pairs of runs; docs/benchmarks.md). The sync worker closes each connection after
# its response and reads requests as slowly as clients send them, so it needs a proxy
# that buffers them (docs/deployment.md shows nginx and Caddy doing so).
# A fixed default, one more than the two CPUs it was measured on, rather than one per
# CPU: in a container os.cpu_count() reports the host's CPUs. Every worker holds one
# database connection per thread.
workers = _env_int("GUNICORN_WORKERS", _env_int("WEB_CONCURRENCY", 3))
# threads > 1 makes gunicorn use its gthread worker, for a deployment that waits on
# something other than the CPU.
threads = _env_int("GUNICORN_THREADS", 1)
# With threads: a worker takes a new connection only while it has a thread free for it
# (plus one kept alive). Gunicorn's default (1000) lets one worker accept every
# keep-alive connection and serve them all on one core while the other workers idle:
# at 8 clients that halved throughput and doubled p95 (docs/benchmarks.md). A
# connection no worker can take yet waits in the listen backlog for the first one that
# can. The sync worker holds one connection at a time and ignores this.
worker_connections = _env_int("GUNICORN_WORKER_CONNECTIONS", threads + 1)
# The sync worker tells the master it is alive between requests, so a request still
# running after `timeout` seconds has its worker killed and replaced (the proxy answers
# 502): a bound on every request's time. Input limits keep real work well inside it
# (Markdown fields, whose slowest known input renders in about 60 ms of CPU at their
# maximum length; import file sizes). With threads the worker's main thread keeps
# sending the heartbeat while a request thread is busy, so a slow request runs to its
# end instead: nothing can stop one thread safely.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)

# Recycle each worker after about this many requests, so a slow leak cannot grow
# forever; the jitter keeps the workers from all restarting at the same moment.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Logs to stdout/stderr for the container runtime or systemd journal to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Feed keys and calendar tokens are in request URLs: the access and error logs show
# them as [redacted].
logger_class = "notesite.gunicorn_logging.GunicornLogger"

# The worker heartbeat file lives in RAM when possible: on a container's overlay
# filesystem its fchmod() can block a worker.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

# Gunicorn's runtime control socket defaults to one fixed path per user, which two
# instances on one machine would fight over; Notesite does not use it.
control_socket_disable = True
