"""Only commands start the embedded PostgreSQL; the web server joins a running one
and, with none running, refuses to start with a message that says what to do.

Each test uses a data directory of its own, so the suite's server is untouched."""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from notesite import embedded_db

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
NOT_RUNNING = "no embedded PostgreSQL is running in"

pytestmark = pytest.mark.skipif(
    "DATABASE_URL" in os.environ, reason="runs only where the embedded server is used"
)


@pytest.fixture
def data_dir():
    """A fresh data directory, stopped and deleted afterwards. Not under tmp_path: run
    as root, the server runs as its own system user, which cannot enter pytest's
    private (0700) base directory; other pytest runs reset its mode at any time."""
    parent = Path(tempfile.mkdtemp(prefix="notesite-pgtest-"))
    parent.chmod(0o755)
    yield parent / "pgdata"
    embedded_db.stop(parent / "pgdata")
    shutil.rmtree(parent, ignore_errors=True)


def production_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """What a production process gets: no DATABASE_URL, no NOTESITE_START_EMBEDDED_DB."""
    env = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="notes.example.com",
        NOTESITE_PGDATA=str(data_dir),
        **variables,
    )
    return env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def gunicorn_check(data_dir: Path) -> subprocess.CompletedProcess:
    # --check-config loads the app as a worker does, without serving.
    argv = [GUNICORN, "--check-config", "-c", "gunicorn.conf.py", "notesite.wsgi"]
    return run(argv, production_env(data_dir))


def test_join_never_starts_a_server(data_dir):
    data_dir.mkdir()
    with pytest.raises(embedded_db.NotRunning, match=NOT_RUNNING):
        embedded_db.join(data_dir)
    assert list(data_dir.iterdir()) == []


def test_gunicorn_with_no_server_running_fails_with_a_clear_message(data_dir):
    result = gunicorn_check(data_dir)
    assert result.returncode != 0
    assert f"{NOT_RUNNING} {data_dir}" in result.stderr
    assert "start it with a management command" in result.stderr
    assert not data_dir.exists()


def test_a_scheduled_command_can_be_told_not_to_start_it(data_dir):
    env = production_env(data_dir, NOTESITE_START_EMBEDDED_DB="false")
    result = run([sys.executable, "manage.py", "check"], env)
    assert (result.returncode, NOT_RUNNING in result.stderr) == (1, True)
    assert not data_dir.exists()


def test_a_command_starts_it_gunicorn_joins_it_and_does_not_restart_it(data_dir):
    started = run([sys.executable, "manage.py", "check"], production_env(data_dir))
    assert started.returncode == 0, started.stderr
    assert (data_dir / "postmaster.pid").exists()

    joined = gunicorn_check(data_dir)
    assert joined.returncode == 0, joined.stderr

    assert embedded_db.stop(data_dir) is True
    assert not (data_dir / "postmaster.pid").exists()

    after_stop = gunicorn_check(data_dir)
    assert after_stop.returncode != 0
    assert NOT_RUNNING in after_stop.stderr
    assert not (data_dir / "postmaster.pid").exists()
