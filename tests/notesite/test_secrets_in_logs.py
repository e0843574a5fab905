"""Feed keys and calendar tokens never reach the logs: Django's lines (a 404 or 500
names the path) and gunicorn's access and error logs show [redacted] instead."""

import datetime
import logging
import runpy
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from actions.models import Preferences
from notesite.gunicorn_logging import GunicornLogger
from notesite.redaction import RedactSecretsFilter, redact
from talks.feeds import feed_key
from tests.factories import EventFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "GET /events/oslo/feed/?key=12.0%3AAbC-dEf_123 HTTP/1.1",
            "GET /events/oslo/feed/?key=[redacted] HTTP/1.1",
        ),
        (
            "GET /tags/x/feed/?page=2&key=12.0:AbC&format=atom HTTP/1.1",
            "GET /tags/x/feed/?page=2&key=[redacted]&format=atom HTTP/1.1",
        ),
        (
            '"https://notes.example.com/feed/?KEY=abc"',
            '"https://notes.example.com/feed/?KEY=[redacted]"',
        ),
        (
            "GET /calendar/Zx9_-Q1w2e3r4t5y6u7i8o9p0.ics HTTP/1.1",
            "GET /calendar/[redacted].ics HTTP/1.1",
        ),
        ("Not Found: /calendar/a.b.c.ics", "Not Found: /calendar/[redacted].ics"),
        # Other parameters and paths are left alone.
        ("GET /search/?q=monkey&keyword=x HTTP/1.1", "GET /search/?q=monkey&keyword=x HTTP/1.1"),
        ("GET /follow-ups/calendar/ HTTP/1.1", "GET /follow-ups/calendar/ HTTP/1.1"),
    ],
)
def test_redact_hides_feed_keys_and_calendar_tokens(line, expected):
    assert redact(line) == expected


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.ERROR, __file__, 1, message, args, exc_info)


def test_the_filter_redacts_the_formatted_message_and_keeps_the_record():
    entry = record("Internal Server Error: %s", "/calendar/s3cret.ics")
    kept = RedactSecretsFilter().filter(entry)
    line = logging.Formatter("%(levelname)s %(message)s").format(entry)
    assert (kept, line) == (True, "ERROR Internal Server Error: /calendar/[redacted].ics")


def test_the_filter_redacts_the_traceback():
    try:
        raise ValueError("bad feed /events/x/feed/?key=s3cret")
    except ValueError:
        entry = record("Internal Server Error: %s", "/events/x/feed/", exc_info=sys.exc_info())
    RedactSecretsFilter().filter(entry)
    text = logging.Formatter().format(entry)
    assert "s3cret" not in text
    assert "ValueError: bad feed /events/x/feed/?key=[redacted]" in text


@pytest.mark.django_db
def test_djangos_not_found_line_for_a_calendar_address_is_redacted(caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get("/calendar/a-stale-secret-token.ics")
    assert response.status_code == 404
    assert [r.getMessage() for r in caplog.records] == ["Not Found: /calendar/[redacted].ics"]


@pytest.mark.django_db
def test_the_configured_console_handler_redacts_every_logger():
    # LOGGING's console handler (pytest adds its own capturing handlers beside it).
    (console,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    entry = logging.LogRecord("any", logging.INFO, __file__, 1, "fetched %s", ("?key=s3",), None)
    assert any(isinstance(f, RedactSecretsFilter) for f in console.filters)
    console.filter(entry)
    assert entry.getMessage() == "fetched ?key=[redacted]"


# --- gunicorn ----------------------------------------------------------------------------


def gunicorn_logger() -> GunicornLogger:
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("accesslog", "errorlog", "loglevel", "logger_class"):
        cfg.set(name, conf[name])
    assert cfg.logger_class is GunicornLogger
    return cfg.logger_class(cfg)


def access(logger: GunicornLogger, uri: str, referer: str = "-") -> None:
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "FeedReader/1.0",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(0, 0, 1500))


@pytest.mark.django_db
def test_gunicorn_access_log_redacts_keys_and_tokens(capsys, attendee):
    EventFactory(slug="oslo")
    key = feed_key(attendee)
    token = Preferences.for_user(attendee).calendar_token
    logger = gunicorn_logger()

    access(logger, f"/events/oslo/feed/?key={key}", referer=f"https://x.test/?key={key}")
    access(logger, f"/calendar/{token}.ics")
    lines = capsys.readouterr().out.splitlines()

    assert len(lines) == 2
    assert key not in lines[0] and token not in lines[1]
    assert '"GET /events/oslo/feed/?key=[redacted] HTTP/1.1" 200 512' in lines[0]
    assert '"https://x.test/?key=[redacted]" "FeedReader/1.0"' in lines[0]
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 200 512' in lines[1]


def test_gunicorn_error_log_redacts_the_request_uri(capsys):
    logger = gunicorn_logger()
    try:
        raise OSError("connection reset")
    except OSError:
        logger.exception("Error handling request %s", "/calendar/s3cret.ics")
    err = capsys.readouterr().err
    assert "s3cret" not in err
    assert "Error handling request /calendar/[redacted].ics" in err


def test_gunicorn_adds_its_filter_once_however_often_it_reloads():
    logger = gunicorn_logger()
    logger.setup(logger.cfg)
    logger.setup(logger.cfg)
    counts = [
        sum(isinstance(f, RedactSecretsFilter) for f in log.filters)
        for log in (logger.error_log, logger.access_log)
    ]
    assert counts == [1, 1]
