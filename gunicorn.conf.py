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

# A fixed default rather than one per CPU: in a container os.cpu_count() reports the
# host's CPUs, and every thread holds its own database connection.
workers = _env_int("GUNICORN_WORKERS", _env_int("WEB_CONCURRENCY", 2))
# threads > 1 makes gunicorn use its gthread worker.
threads = _env_int("GUNICORN_THREADS", 4)
# A worker takes a new connection only while it has a thread free for it (plus one
# kept alive). Gunicorn's default (1000) lets one worker accept every keep-alive
# connection and serve them all on one core while the other workers idle: at 8
# clients that halved throughput and doubled p95 (docs/benchmarks.md). A connection no
# worker can take yet waits in the listen backlog for the first one that can.
worker_connections = _env_int("GUNICORN_WORKER_CONNECTIONS", threads + 1)
# Not a request timeout. With threads (the gthread worker) the worker's main thread
# keeps sending the heartbeat while a request thread is busy, so `timeout` only
# replaces a worker whose whole process stopped responding; a slow request runs to
# its end. Nothing here can stop one thread safely, so the bound on a request's time
# is in the application: input limits (Markdown fields, whose slowest known input
# renders in about 60 ms of CPU at their maximum length; import file sizes) rather
# than a kill. The proxy's read timeout only stops the waiting, not the work.
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
