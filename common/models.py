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
