"""Django's database sessions, refusing a session cookie no session could have.

Django makes session keys from ``VALID_KEY_CHARS`` alone, but looks up whatever the
cookie holds; Python's cookie parser turns a quoted ``"\\000..."`` into a NUL, which
PostgreSQL refuses in a query, so a forged cookie made every page a 500. A key
with any other character is treated as no session at all."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key) -> bool:
        return bool(super()._validate_session_key(key)) and all(
            char in VALID_KEY_CHARS for char in key
        )
