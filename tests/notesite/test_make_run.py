"""`make run` and `make demo` as a developer sees them: one line from loading the
demo (no emails printed), and links that point at the port the server runs on."""

import shlex
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from actions.models import Notification

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# What DEBUG gives when the Makefile names no email backend (notesite.settings).
DEBUG_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def dry_run(target: str, *args: str) -> str:
    """The commands ``make TARGET ARGS`` would run (none is run)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(
        ["make", "--dry-run", "--always-make", target, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout


def make_line(target: str, command: str, *args: str) -> tuple[dict[str, str], list[str]]:
    """The environment ``make TARGET ARGS`` gives the line that runs ``command``, and
    that line's words after it."""
    [line] = [line for line in dry_run(target, *args).splitlines() if command in line]
    words = shlex.split(line)
    start = words.index(".venv/bin/python")
    return dict(word.split("=", 1) for word in words[:start]), words[start:]


def make_env(target: str, command: str, *args: str) -> dict[str, str]:
    return make_line(target, command, *args)[0]


def test_make_demo_prints_one_line_and_no_email(
    settings, capsys, django_capture_on_commit_callbacks
):
    env = make_env("demo", "manage.py load_demo")
    settings.DEBUG = env["DEBUG"] == "true"
    settings.EMAIL_BACKEND = env.get("EMAIL_BACKEND", DEBUG_EMAIL_BACKEND)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=out)

    printed = capsys.readouterr()
    assert (out.getvalue().count("\n"), printed.out, printed.err) == (1, "", "")
    assert out.getvalue().startswith("Loaded 2 events, ")
    # The emails were sent (to memory), not left for the next send_reminders run.
    assert len(mail.outbox) == Notification.objects.filter(state="sent").count() > 0


def test_links_in_emails_point_at_the_port_make_run_serves(
    settings, django_capture_on_commit_callbacks
):
    env = make_env("demo", "manage.py load_demo", "PORT=8123")
    settings.DEBUG = True
    settings.SITE_URL = env["SITE_URL"]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())

    links = [word for email in mail.outbox for word in email.body.split() if "://" in word]
    assert env["SITE_URL"] == "http://127.0.0.1:8123"
    assert links
    assert [link.split("/")[2] for link in links] == ["127.0.0.1:8123"] * len(links)


@pytest.mark.parametrize(
    ("args", "site_url", "address"),
    [
        ((), "http://127.0.0.1:8000", "127.0.0.1:8000"),
        (("PORT=8001",), "http://127.0.0.1:8001", "127.0.0.1:8001"),
        (("HOST=::1", "PORT=8002"), "http://[::1]:8002", "[::1]:8002"),
    ],
)
def test_make_run_serves_where_its_links_point(args, site_url, address):
    env, server = make_line("run", "manage.py runserver", *args)
    assert (env["SITE_URL"], server[-1]) == (site_url, address)
    assert f'echo "Notesite is at {site_url}/ - demo logins' in dry_run("run", *args)
