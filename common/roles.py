"""Who may do what beyond model permissions: the three roles (attendee, manager, staff).

Staff can do everything; managers (and staff) see everyone's follow-ups; authors
edit their own notes and assignees change their own action points (checked where
the object is at hand, in the models' ``can_*`` methods).
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser

ATTENDEE = "attendee"
MANAGER = "manager"
STAFF = "staff"


def role_names(user: AbstractBaseUser) -> frozenset[str]:
    """The user's role groups, read once per request (with the session, see
    common.sessions, or else here) and kept on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_notesite_roles", None)
    if cached is None:
        cached = remember_role_names(user, user.groups.values_list("name", flat=True))
    return cached


def remember_role_names(user: AbstractBaseUser, group_names: Iterable[str]) -> frozenset[str]:
    """Keep ``user``'s group names, already read, for ``role_names``."""
    user._notesite_roles = frozenset(group_names)
    return user._notesite_roles


def is_staff(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.is_staff or STAFF in role_names(user)
    )


def sees_everyones_follow_ups(user: AbstractBaseUser) -> bool:
    return is_staff(user) or MANAGER in role_names(user)


def has_a_role(user: AbstractBaseUser) -> bool:
    """In one of the three role groups (an account in none may only read)."""
    return bool(role_names(user) & {ATTENDEE, MANAGER, STAFF})
