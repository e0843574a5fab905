"""One PostgreSQL for everything: DATABASE_URL when given, else the embedded server
that every process of the checkout shares."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from notesite.settings import database_from_url

ROOT = Path(__file__).resolve().parents[2]


def test_database_url_is_parsed_into_django_settings():
    parsed = database_from_url(
        "postgres://notes:s%40cret@db.internal:5433/notesite?sslmode=require"
    )
    assert parsed == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "notesite",
        "USER": "notes",
        "PASSWORD": "s@cret",
        "HOST": "db.internal",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }


def test_a_socket_directory_can_be_given_as_host():
    parsed = database_from_url("postgresql://postgres:@/notesite?host=/run/pg")
    assert (parsed["HOST"], parsed["NAME"], parsed["OPTIONS"]) == ("/run/pg", "notesite", {})


def test_other_databases_are_refused_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match="must start with postgres://"):
        database_from_url("sqlite:///db.sqlite3")


def test_the_engine_is_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs only on the embedded server")
@pytest.mark.django_db
def test_processes_share_the_one_embedded_server():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() <> 0, pg_postmaster_start_time()::text")
        here = cursor.fetchone()[1]
    script = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('SELECT pg_postmaster_start_time()::text'); "
        "print(c.fetchone()[0])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="notesite.settings", DEBUG="true")
    started = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    ]
    assert started == [here, here]
    # The one server keeps its data where the README says: .pgdata/, or NOTESITE_PGDATA.
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0])
    expected = Path(os.environ.get("NOTESITE_PGDATA", ROOT / ".pgdata")).resolve()
    assert data_directory.resolve() == expected
    assert (expected / "PG_VERSION").exists()
