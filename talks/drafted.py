"""Linking the takeaways and action points written before they had a ``note`` to the
note they were written with, so that those written with a draft turn private.

Until then the note form saved a note and its takeaways and action points in one
transaction, on the same source, by the same person, and kept no link. Those are the
clues: a row whose author wrote a note on the same event, talk or open space shortly
before it (the note was created, or last saved, at most ``WINDOW`` earlier) was
written with that note; the latest such note wins. Anything else (the admin,
imports, rows added long after) stays unlinked, and public.

Written against querysets so that migrations can pass their historical models.
"""

import datetime

from django.db import models
from django.db.models import DateTimeField, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

# A note form's transaction takes well under a second; ten leaves room for a slow
# server without reaching a note written in a separate sitting.
WINDOW = datetime.timedelta(seconds=10)


def attach_to_notes(
    items: models.QuerySet,
    notes: models.QuerySet,
    *,
    author_field: str,
    window: datetime.timedelta = WINDOW,
) -> int:
    """Set ``note`` on each of ``items`` without one to the note it was written with,
    if any (see the module's docstring); returns how many were linked. One UPDATE."""

    def outer_time() -> ExpressionWrapper:
        return ExpressionWrapper(OuterRef("created_at") - window, output_field=DateTimeField())

    written_before = Q(created_at__lte=OuterRef("created_at"), created_at__gte=outer_time()) | Q(
        updated_at__lte=OuterRef("created_at"), updated_at__gte=outer_time()
    )
    same_source = notes.annotate(
        talk_or_0=Coalesce("talk_id", 0), open_space_or_0=Coalesce("open_space_id", 0)
    ).filter(
        author_id=OuterRef(author_field),
        event_id=OuterRef("event_id"),
        talk_or_0=Coalesce(OuterRef("talk_id"), 0),
        open_space_or_0=Coalesce(OuterRef("open_space_id"), 0),
    )
    nearest = same_source.filter(written_before).order_by("-created_at", "-pk").values("pk")[:1]
    unlinked = items.filter(note__isnull=True)
    candidates = unlinked.filter(models.Exists(nearest))
    return candidates.update(note_id=Subquery(nearest))
