"""Database sessions that read their user in the same query, and refuse a session
cookie no session could have.

Every logged-in page needs the session, the user, and the user's permissions (the
menu asks for one): Django reads them in four queries, the store below in one
(``SESSION_WITH_USER``). Nothing about who may do what is kept between requests (only
what each permission id is called), so logging out, a password change, a deactivated
account and a removed permission or group take effect on the next request in every
process, as with Django's own code.

Django makes session keys from ``VALID_KEY_CHARS`` alone, but looks up whatever the
cookie holds; Python's cookie parser turns a quoted ``"\\000..."`` into a NUL, which
PostgreSQL refuses in a query, so a forged cookie made every page a 500. A key
with any other character is treated as no session at all."""

import functools

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, router
from django.db.models import CharField, Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from common.roles import remember_role_names

# The backends whose get_user() is ModelBackend's: the user row by primary key, if
# user_can_authenticate() (active). Only their sessions take the user read with the
# session; any other backend's get_user() runs as usual.
MODEL_BACKENDS = frozenset({"django.contrib.auth.backends.ModelBackend"})


# One query for the session, its user, the ids of the user's own and their groups'
# permissions and their groups' names (the roles). Written out once rather than built
# by the ORM per request: building this query took longer than the three queries it
# replaces. Permission ids, not names: joining the names in tripled its planning time.
SESSION_WITH_USER = """
SELECT s.session_data, {user_columns},
    ARRAY(SELECT up.permission_id FROM auth_user_user_permissions up WHERE up.user_id = s.user_id),
    ARRAY(
        SELECT gp.permission_id
        FROM auth_user_groups ug JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
        WHERE ug.user_id = s.user_id
    ),
    ARRAY(
        SELECT g.name
        FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
        WHERE ug.user_id = s.user_id
    )
FROM {session_table} s LEFT JOIN auth_user u ON u.id = s.user_id
WHERE s.session_key = %s AND s.expire_date > %s
"""

# Permission id -> "app_label.codename" (as ModelBackend names permissions), for this
# process. Who has which permission is read from the database on every request; only
# what each permission is called is kept, and that does not change while the site
# runs (a permission is renamed, if ever, by a migration, and a deploy restarts the
# processes). An id the process has not seen yet (a permission added since) reloads it.
_permission_names: dict[int, str] = {}


def permission_names(ids: list[int], *, using: str) -> set[str]:
    """The names of the permissions with these ``ids`` (ids of deleted ones have none)."""
    global _permission_names
    if not all(pk in _permission_names for pk in ids):
        name = Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
        permissions = Permission.objects.using(using).annotate(full_name=name)
        _permission_names = dict(permissions.values_list("pk", "full_name"))
    return {_permission_names[pk] for pk in ids if pk in _permission_names}


class SessionStore(db.SessionStore):
    # The user row read with the session by load(), with their permissions and
    # groups; None when the session has no user (or was not read from the database).
    loaded_user: AbstractBaseUser | None = None

    @classmethod
    def get_model_class(cls):
        from common.models import Session

        return Session

    def _validate_session_key(self, key) -> bool:
        return bool(super()._validate_session_key(key)) and all(
            char in VALID_KEY_CHARS for char in key
        )

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = user_id_in(data)
        return session

    def load(self) -> dict:
        """The session's data (none if it does not exist or has expired), keeping its
        user in ``loaded_user``."""
        self.loaded_user = None
        using = router.db_for_read(self.model)
        sql, user_fields = session_with_user_query(using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        data, *user_values = row[: 1 + len(user_fields)]
        user_permissions, group_permissions, group_names = row[1 + len(user_fields) :]
        user = auth.get_user_model().from_db(using, user_fields, user_values)
        if user.pk is not None:  # the LEFT JOIN found the user
            remember_permissions(
                user,
                user_permissions=permission_names(user_permissions, using=using),
                group_permissions=permission_names(group_permissions, using=using),
            )
            remember_role_names(user, group_names)
            self.loaded_user = user
        return self.decode(data)

    def flush(self) -> None:
        self.loaded_user = None
        super().flush()

    def cycle_key(self) -> None:
        self.loaded_user = None
        super().cycle_key()


@functools.cache
def session_with_user_query(using: str) -> tuple[str, list[str]]:
    """``SESSION_WITH_USER`` for database ``using``, and the user fields it reads
    (all of them, in the model's order, as ``Model.from_db`` takes them)."""
    from common.models import Session

    user_model = auth.get_user_model()
    if user_model._meta.label != "auth.User":
        raise ImproperlyConfigured("common.sessions reads django.contrib.auth's tables.")
    quote = connections[using].ops.quote_name
    fields = user_model._meta.concrete_fields
    sql = SESSION_WITH_USER.format(
        user_columns=", ".join(f"u.{quote(field.column)}" for field in fields),
        session_table=quote(Session._meta.db_table),
    )
    return sql, [field.attname for field in fields]


def user_id_in(data: dict):
    """The logged-in user's primary key in session ``data``, or None."""
    try:
        return auth.get_user_model()._meta.pk.to_python(data[SESSION_KEY])
    except (KeyError, ValidationError):
        return None


def remember_permissions(
    user: AbstractBaseUser, *, user_permissions: set[str], group_permissions: set[str]
) -> None:
    """Give ``user`` the permission sets ModelBackend would otherwise read (in two
    queries) the first time a permission is checked: it keeps them on the user
    object, for the request, under these names."""
    if user.is_superuser:  # ModelBackend's answer is every permission there is
        return
    user._user_perm_cache = set(user_permissions)
    user._group_perm_cache = set(group_permissions)
    user._perm_cache = user._user_perm_cache | user._group_perm_cache


def user_read_with_session(request: HttpRequest) -> AbstractBaseUser | None:
    """The user the session store read with ``request``'s session, when
    django.contrib.auth.get_user() would return that very user (same id, a model
    backend, active, the session's password hash matching); None in every other case,
    which get_user() then decides, reading the user again (it also logs the session
    out after a password change)."""
    session = request.session
    try:  # reading the session loads it (and the user) if it is not loaded yet
        user_id = auth.get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    user = getattr(session, "loaded_user", None)
    if (
        user is None
        or user.pk != user_id
        or backend_path not in MODEL_BACKENDS
        or backend_path not in settings.AUTHENTICATION_BACKENDS
        or not auth.load_backend(backend_path).user_can_authenticate(user)
        or not constant_time_compare(session_hash, user.get_session_auth_hash())
    ):
        return None
    return user


def get_user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """django.contrib.auth.get_user(), without reading again the user the session
    store has read already; kept for the request as Django's middleware keeps it."""
    if not hasattr(request, "_cached_user"):
        request._cached_user = user_read_with_session(request) or auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` from ``get_user`` above."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
