"""Secrets kept out of logs: the feed key (``?key=``) and the calendar token (the
``/calendar/<token>.ics`` path) are credentials, and log lines travel further than
the database (log collectors, support tickets, screenshots).

One logging filter redacts every formatted line: Django's (the 500 line, the dev
server's request lines; LOGGING in settings) and gunicorn's access and error logs
(``notesite.gunicorn_logging``). Plain Python, no Django: gunicorn's master process
loads it before Django is set up.
"""

import logging
import re

REDACTED = "[redacted]"

_SECRETS = [
    # A query string parameter named key (feed keys), up to the next & or the end of
    # the URL (a space or quote in a log line).
    re.compile(r"(?P<before>[?&;]key=)[^&;#\s\"']+", re.IGNORECASE),
    # The personal calendar address.
    re.compile(r"(?P<before>/calendar/)[^/?#\s\"']+?(?=\.ics)", re.IGNORECASE),
]


def redact(text: str) -> str:
    """``text`` with every feed key and calendar token replaced by [redacted]."""
    for pattern in _SECRETS:
        text = pattern.sub(rf"\g<before>{REDACTED}", text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Redacts the record's message and traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            # The formatted message replaces format and arguments, so a handler
            # cannot format the arguments again with the secret in them.
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
