"""compose.yaml's scheduler: the periodic jobs run beside web, from the same image and
settings, send_reminders every hour, and send_digests and clearsessions once a week. The
loop itself is run here with stand-ins for python, date and sleep (no Docker needed)."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]


def test_scheduler_runs_from_the_image_and_settings_web_runs_from(services):
    web, scheduler = services["web"], services["scheduler"]

    assert (scheduler["build"], scheduler["image"]) == (web["build"], web["image"])
    web_settings = {
        name: value for name, value in web["environment"].items() if "GUNICORN" not in name
    }
    scheduler_settings = {
        name: value
        for name, value in scheduler["environment"].items()
        if not name.startswith("DIGEST_")
    }
    assert scheduler_settings == web_settings
    assert scheduler["depends_on"] == web["depends_on"]
    assert scheduler["restart"] == "unless-stopped"
    # Nothing listens in it, so the image's web health check would always fail.
    assert scheduler["healthcheck"] == {"disable": True}
    assert "ports" not in scheduler


def test_digests_go_out_on_monday_at_seven_utc_unless_configured(services):
    environment = services["scheduler"]["environment"]
    assert (environment["DIGEST_WEEKDAY"], environment["DIGEST_HOUR"]) == (
        "${DIGEST_WEEKDAY:-1}",
        "${DIGEST_HOUR:-07}",
    )


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def run_scheduler(
    services, tmp_path: Path, *, weekday: str, hour: str, digest_hour: str = "07"
) -> list[str]:
    """Three rounds of the scheduler's loop at a clock that says ``weekday`` and
    ``hour``, five seconds past an hour: what it ran, and how long it slept."""
    command = services["scheduler"]["command"]
    assert command[:2] == ["sh", "-c"]
    # Compose turns $$ into $ before the shell sees the script.
    script = command[2].replace("$$", "$")
    log = tmp_path / "ran.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir, "python", f'echo "python $*" >> {log}\n')
    _stub(
        bin_dir,
        "date",
        'case "$*" in\n'
        f'  "-u +%u") echo {weekday} ;;\n'
        f'  "-u +%H") echo {hour} ;;\n'
        '  "-u +%s") echo 7205 ;;\n'
        '  *) echo "unexpected date $*" >&2; exit 1 ;;\n'
        "esac\n",
    )
    # The third sleep stops the loop as `docker compose stop` would.
    _stub(
        bin_dir,
        "sleep",
        f'echo "sleep $*" >> {log}\n'
        f'if [ "$(grep -c ^sleep {log})" -ge 3 ]; then kill -TERM $PPID; fi\n',
    )
    environment = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DIGEST_WEEKDAY": "1",
        "DIGEST_HOUR": digest_hour,
    }
    finished = subprocess.run(
        ["sh", "-c", script], env=environment, capture_output=True, text=True, timeout=20
    )
    assert (finished.returncode, finished.stderr) == (0, "")
    assert finished.stdout == (
        f"scheduler: send_reminders hourly, send_digests and clearsessions on day 1 at "
        f"{digest_hour}:00 UTC\n"
    )
    return log.read_text().splitlines()


def test_every_hour_it_sends_reminders_and_sleeps_to_the_next_hour(services, tmp_path):
    assert (
        run_scheduler(services, tmp_path, weekday="3", hour="07")
        == [
            "python manage.py send_reminders",
            "sleep 3595",
        ]
        * 3
    )


def test_in_the_digest_hour_it_also_sends_digests_and_clears_sessions(services, tmp_path):
    assert (
        run_scheduler(services, tmp_path, weekday="1", hour="07")
        == [
            "python manage.py send_reminders",
            "python manage.py send_digests",
            "python manage.py clearsessions",
            "sleep 3595",
        ]
        * 3
    )


def test_the_rest_of_the_digest_day_sends_no_digests(services, tmp_path):
    assert (
        run_scheduler(services, tmp_path, weekday="1", hour="08")
        == [
            "python manage.py send_reminders",
            "sleep 3595",
        ]
        * 3
    )


def test_the_digest_hour_may_be_written_without_a_leading_zero(services, tmp_path):
    assert (
        run_scheduler(services, tmp_path, weekday="1", hour="07", digest_hour="7")
        == [
            "python manage.py send_reminders",
            "python manage.py send_digests",
            "python manage.py clearsessions",
            "sleep 3595",
        ]
        * 3
    )
