"""Writes to action points. Every change goes through here so that each one leaves
exactly one history entry, and tells the people it concerns by email, whichever
page or command made it."""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from actions import notifications, outbox
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
    ``ActionPointChange`` when anything tracked changed or a comment was given,
    with its emails (see ``record_change``).
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
    """Lock the rows, with the relations ``snapshot`` reads and the person who raised
    each (told of status changes), locking only the action points: the joined rows
    may be on the null side of an outer join."""
    return action_points.select_for_update(of=("self",)).select_related(
        "assignee", "raised_by", "event", "talk", "open_space"
    )


def record_change(
    action_point: ActionPoint, *, by, via: str, changes: dict, comment: str = ""
) -> ActionPointChange | None:
    """Write one history entry, unless there is nothing to record.

    Side effects: the entry, and the emails it calls for (the assignee told of an
    assignment or a new due date, whoever raised it of a status change) queued in
    the outbox and sent once the transaction commits.
    """
    if not changes and not comment.strip():
        return None
    entry = ActionPointChange.objects.create(
        action_point=action_point,
        changed_by=by,
        changed_at=timezone.now(),
        changes=changes,
        comment=comment.strip(),
        via=via,
    )
    notifications.queue_for_change(entry)
    return entry


@transaction.atomic
def update_action_points(
    action_points: Iterable[ActionPoint] | QuerySet,
    *,
    by,
    via: str,
    comment: str = "",
    seen_versions: Mapping[int, int] | None = None,
    **values,
) -> int:
    """Set ``values`` (e.g. ``status="done"`` or ``assignee=user``) on each action
    point, one history entry per action point that actually changed. Returns how
    many changed.

    ``seen_versions`` maps action point ids to the versions the page showed them
    at: when any of those has moved on since, ``StaleBulkEdit`` is raised and
    nothing is changed. Side effects: as ``save_action_point`` for each row, the
    emails sent together after the commit.
    """
    if isinstance(action_points, QuerySet):
        ids = action_points.order_by().values("pk")
    else:
        ids = [ap.pk for ap in action_points]
    seen_versions = seen_versions or {}
    rows = _locked(ActionPoint.objects.filter(pk__in=ids)).order_by("pk")
    changed, stale = 0, []
    with outbox.sending_after_commit():
        # In chunks from a server-side cursor: "select all" can pick 100,000 rows.
        # Rows are locked in one pass, in id order, so two bulk changes cannot deadlock.
        for action_point in rows.iterator(chunk_size=500):
            seen = seen_versions.get(action_point.pk)
            if seen is not None and seen != action_point.version:
                stale.append(_stale_edit(action_point, seen))
                continue
            before = snapshot(action_point)
            for name, value in values.items():
                setattr(action_point, name, value)
            if snapshot(action_point) == before:
                continue
            save_action_point(action_point, by=by, via=via, comment=comment, before=before)
            changed += 1
        if stale:
            raise StaleBulkEdit(stale)  # rolls back the rows already changed
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
    def what(self) -> str:
        """Who changed what since, e.g. "alice changed status from Open to Done at 14:02"."""
        if self.newer:
            return "; ".join(entry.summary() for entry in self.newer)
        return "Someone else changed this action point"

    @property
    def message(self) -> str:
        return (
            f"{self.what} while you were editing. Nothing was saved: your changes are "
            "still in the form, so check them against the page and save again."
        )


class StaleBulkEdit(Exception):
    """A change to several action points, some of which changed since the page showed
    them; ``edits`` has a ``StaleEdit`` for each of those."""

    def __init__(self, edits: list[StaleEdit]) -> None:
        self.edits = edits
        super().__init__(self.message)

    @property
    def message(self) -> str:
        changes = " ".join(f"“{edit.current}”: {edit.what}." for edit in self.edits)
        return (
            f"Nothing was changed: {len(self.edits)} of the chosen action points changed "
            f"after the list was shown. {changes} Check them and try again."
        )


def _stale_edit(stored: ActionPoint, seen_version: int) -> StaleEdit:
    # Each save from a page or the admin writes one entry and bumps the version
    # once, so the entries since the form are the last (difference) ones.
    missed = max(stored.version - seen_version, 0)
    newer = stored.history.select_related("changed_by").order_by("-changed_at", "-pk")
    return StaleEdit(stored, list(reversed(newer[:missed])))


def lock_for_edit(pk: int, *, seen_version: int) -> ActionPoint:
    """The action point as stored, locked until the transaction ends, for someone
    whose form showed it at ``seen_version``. Raises ``StaleEdit`` when it has
    changed since. Must run inside a transaction (the lock is what keeps a second
    editor out until this one's change is saved)."""
    stored = _locked(ActionPoint.objects.filter(pk=pk)).get()
    if stored.version != seen_version:
        raise _stale_edit(stored, seen_version)
    return stored


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
    saves through ``save_action_point`` (one history entry and its emails,
    ``version`` bumped, ``completed_at`` kept in step with the status); with
    neither, writes nothing. Returns the history entry, or None.
    """
    stored = lock_for_edit(action_point.pk, seen_version=seen_version)
    before = snapshot(stored)
    for name, value in values.items():
        setattr(stored, name, value)
    if snapshot(stored) == before and not comment.strip():
        return None
    return save_action_point(stored, by=by, via=via, comment=comment, before=before)
