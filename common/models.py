"""The one table of the shared leaf: sessions that name their user."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    """Django's database session, plus the id of the user logged in with it.

    The session data stay the authority on who is logged in; the column is a copy
    kept by ``common.sessions.SessionStore``, so that the query that reads the session
    can read its user (and their permissions) too, instead of a query for each."""

    # Deleting a user deletes their sessions.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls):
        from common.sessions import SessionStore

        return SessionStore


class SharedFragment(models.Model):
    """A page fragment as one web process built it, for the others to read instead of
    building it again (``common.caching``): one row per fragment and key (``slot``),
    holding the newest version built, under the full key it was cached with
    (``cache_key``: the content counters it was built under, the day, the code).

    A cache, not data: the table is UNLOGGED (a crash empties it), rows expire, and
    storing culls the expired and the least recent beyond a bound."""

    # 64 bits of the hash of the fragment's name and key: two fragments sharing a slot
    # by chance would only take turns in it, since a read must match ``cache_key``.
    slot = models.BigIntegerField(primary_key=True)
    cache_key = models.CharField(max_length=64)
    html = models.TextField()
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"fragment {self.slot} ({self.cache_key[:12]})"
