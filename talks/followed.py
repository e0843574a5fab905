"""What people follow: the newest takeaways and published notes in the tags and
events they follow, for their dashboard and for the weekly digest email.

A takeaway is "in" a followed tag when it carries the tag; a note, when its talk or
open space does (as in the Atom feeds). Anything at a followed event counts too.
Drafts never do.
"""

import datetime
from dataclasses import dataclass

from talks.models import Note, Takeaway


def shown_at(item: Takeaway | Note) -> datetime.datetime:
    """When a list of new things shows ``item`` as new: a note when it was published."""
    if isinstance(item, Note):
        return item.published_at or item.created_at
    return getattr(item, "appeared_at", item.created_at)


@dataclass(frozen=True)
class FollowedItem:
    """A takeaway or a published note, for lists that mix the two."""

    kind: str  # "takeaway" or "note"
    item: Takeaway | Note

    @property
    def at(self) -> datetime.datetime:
        return shown_at(self.item)


def newest_of(takeaways, notes, *, limit: int) -> list[FollowedItem]:
    """The ``limit`` newest of ``takeaways`` and ``notes`` (querysets, each newest
    first) together, newest first: one query each."""
    items = [FollowedItem("takeaway", t) for t in takeaways[:limit]]
    items += [FollowedItem("note", n) for n in notes[:limit]]
    items.sort(key=lambda entry: entry.at, reverse=True)
    return items[:limit]


def followed_takeaways(user):
    return (
        Takeaway.objects.public()
        .followed_by(user)
        .select_related("event", "talk", "open_space", "author")
        .newest_first()
    )


def followed_notes(user):
    return (
        Note.objects.published()
        .followed_by(user)
        .select_related("event", "talk", "open_space", "author")
        .order_by("-published_at", "-pk")
    )


def newest_followed(user, *, limit: int) -> list[FollowedItem]:
    """The ``limit`` newest takeaways and published notes in what ``user`` follows,
    newest first: two queries (and one for the takeaways' tags)."""
    return newest_of(followed_takeaways(user).with_tags(), followed_notes(user), limit=limit)
