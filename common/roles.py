"""Who may do what beyond model permissions: the three roles (attendee, manager, staff).

Staff can do everything; managers (and staff) see everyone's follow-ups; authors
edit their own notes and assignees change their own action points (checked where
the object is at hand, in the models' ``can_*`` methods).
"""

from django.contrib.auth.models import AbstractBaseUser

ATTENDEE = "attendee"
MANAGER = "manager"
STAFF = "staff"


def role_names(user: AbstractBaseUser) -> frozenset[str]:
    """The user's role groups, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_notesite_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._notesite_roles = cached
    return cached


def is_staff(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.is_staff or STAFF in role_names(user)
    )


def sees_everyones_follow_ups(user: AbstractBaseUser) -> bool:
    return is_staff(user) or MANAGER in role_names(user)


def has_a_role(user: AbstractBaseUser) -> bool:
    """In one of the three role groups (an account in none may only read)."""
    return bool(role_names(user) & {ATTENDEE, MANAGER, STAFF})
