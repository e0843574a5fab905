"""Writes to action points. Every change goes through here so that each one leaves
exactly one history entry, whichever page or command made it."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from actions.models import ActionPoint, ActionPointChange

# Fields whose changes are recorded, in the order the history shows them.
TRACKED_FIELDS = (
    "title",
    "details",
    "status",
    "assignee",
    "due_on",
    "event",
    "talk",
    "open_space",
)


def snapshot(action_point: ActionPoint) -> dict[str, str | None]:
    """The tracked fields of ``action_point`` as people read them."""
    values: dict[str, str | None] = {}
    for name in TRACKED_FIELDS:
        value = getattr(action_point, name)
        if name == "status":
            value = ActionPoint.Status(value).label
        elif name == "assignee":
            value = value.get_username() if value else None
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None:
            value = str(value)
        values[name] = value or None
    return values


def tag_names(action_point: ActionPoint) -> str | None:
    names = sorted(tag.name for tag in action_point.tags.all())
    return ", ".join(names) or None


def diff(before: dict, after: dict) -> dict[str, list]:
    return {name: [before.get(name), new] for name, new in after.items() if before.get(name) != new}


@transaction.atomic
def save_action_point(
    action_point: ActionPoint,
    *,
    by,
    via: str,
    comment: str = "",
    before: dict | None = None,
    tags: Iterable[str] | None = None,
) -> ActionPointChange | None:
    """Save ``action_point`` (already changed in memory) and record what changed.

    ``before`` is the snapshot taken before the change; when omitted it is read from
    the database, with the row locked (a new action point has none). ``tags``, when
    given, replaces the action point's tags and the change is part of the same entry.
    Side effects: saves the row, bumps its ``version``, stamps or clears
    ``completed_at`` with the status, sets the tags, and writes one
    ``ActionPointChange`` when anything tracked changed or a comment was given.
    """
    stored = None
    if before is None and action_point.pk:
        stored = _locked(ActionPoint.objects.filter(pk=action_point.pk)).get()
        before = snapshot(stored)
        if tags is not None:
            before["tags"] = tag_names(stored)
    before = dict(before or {})
    if tags is not None and "tags" not in before:
        before["tags"] = tag_names(action_point) if action_point.pk else None
    if action_point.pk:
        # From the stored row when we have it: a form's copy may be older.
        action_point.version = (stored or action_point).version + 1
    action_point.save()
    after = snapshot(action_point)
    if tags is not None:
        action_point.tags.set(list(tags))
        after["tags"] = tag_names(action_point)
    return record_change(action_point, by=by, via=via, changes=diff(before, after), comment=comment)


def _locked(action_points: QuerySet) -> QuerySet:
    """Lock the rows, with the relations ``snapshot`` reads (locking only the action
    points: the joined rows may be on the null side of an outer join)."""
    return action_points.select_for_update(of=("self",)).select_related(
        "assignee", "event", "talk", "open_space"
    )


def record_change(
    action_point: ActionPoint, *, by, via: str, changes: dict, comment: str = ""
) -> ActionPointChange | None:
    """Write one history entry, unless there is nothing to record."""
    if not changes and not comment.strip():
        return None
    return ActionPointChange.objects.create(
        action_point=action_point,
        changed_by=by,
        changed_at=timezone.now(),
        changes=changes,
        comment=comment.strip(),
        via=via,
    )


@transaction.atomic
def update_action_points(
    action_points: Iterable[ActionPoint] | QuerySet, *, by, via: str, comment: str = "", **values
) -> int:
    """Set ``values`` (e.g. ``status="done"`` or ``assignee=user``) on each action
    point, one history entry per action point that actually changed. Returns how
    many changed. Side effects: as ``save_action_point`` for each row."""
    if isinstance(action_points, QuerySet):
        ids = action_points.order_by().values("pk")
    else:
        ids = [ap.pk for ap in action_points]
    rows = _locked(ActionPoint.objects.filter(pk__in=ids)).order_by("pk")
    changed = 0
    # In chunks from a server-side cursor: "select all" can pick 100,000 rows.
    for action_point in rows.iterator(chunk_size=500):
        before = snapshot(action_point)
        for name, value in values.items():
            setattr(action_point, name, value)
        if snapshot(action_point) == before:
            continue
        save_action_point(action_point, by=by, via=via, comment=comment, before=before)
        changed += 1
    return changed


class StaleEdit(Exception):
    """A save from a form shown before someone else changed the action point.

    ``current`` is the action point as stored now; ``newer`` the history entries
    written since the form was shown, oldest first.
    """

    def __init__(self, current: ActionPoint, newer: list[ActionPointChange]) -> None:
        self.current = current
        self.newer = newer
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.newer:
            what = "; ".join(entry.summary() for entry in self.newer)
        else:
            what = "Someone else changed this action point"
        return (
            f"{what} while you were editing. Nothing was saved: your changes are "
            "still in the form, so check them against the page and save again."
        )


@transaction.atomic
def update_action_point(
    action_point: ActionPoint,
    *,
    by,
    via: str,
    seen_version: int,
    comment: str = "",
    **values,
) -> ActionPointChange | None:
    """Set ``values`` (e.g. ``status="done"``) on ``action_point`` for someone whose
    form showed it at ``seen_version``, with an optional comment.

    Raises ``StaleEdit`` and writes nothing when the stored version has moved on
    since (the form would silently undo the other person's change). Otherwise,
    side effects: locks the row and, when a value changed or a comment was given,
    saves through ``save_action_point`` (one history entry, ``version`` bumped,
    ``completed_at`` kept in step with the status); with neither, writes nothing.
    Returns the history entry, or None.
    """
    stored = _locked(ActionPoint.objects.filter(pk=action_point.pk)).get()
    if stored.version != seen_version:
        # Each save from a page or the admin writes one entry and bumps the version
        # once, so the entries since the form are the last (difference) ones.
        missed = max(stored.version - seen_version, 0)
        newer = stored.history.select_related("changed_by").order_by("-changed_at", "-pk")
        raise StaleEdit(stored, list(reversed(newer[:missed])))
    before = snapshot(stored)
    for name, value in values.items():
        setattr(stored, name, value)
    if snapshot(stored) == before and not comment.strip():
        return None
    return save_action_point(stored, by=by, via=via, comment=comment, before=before)
