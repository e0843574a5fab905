"""Writing a note with the takeaways and action points raised in the same sitting.

One page writes into both apps (notes and takeaways in ``talks``, action points in
``actions``), so the write lives here, where both may be imported.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange
from actions.notifications import queue_held_for_note
from actions.services import diff, record_change, snapshot
from talks.models import Event, Note, OpenSpace, Takeaway, Talk
from talks.tagging import tagged_item_model


@dataclass(frozen=True)
class NewTakeaway:
    text: str
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NewActionPoint:
    title: str
    details: str = ""
    tags: list[str] = field(default_factory=list)
    due_on: datetime.date | None = None


class AlreadyWritten(Exception):
    """The form of this note was sent before and saved: ``note`` is what it made."""

    def __init__(self, note: Note) -> None:
        super().__init__(f"Note {note.pk} was written from this form already.")
        self.note = note


@transaction.atomic
def write_note(
    *,
    author,
    event: Event,
    talk: Talk | None = None,
    open_space: OpenSpace | None = None,
    title: str = "",
    body: str,
    status: str = Note.Status.DRAFT,
    submission_token: uuid.UUID | None = None,
    takeaways: Iterable[NewTakeaway] = (),
    action_points: Iterable[NewActionPoint] = (),
) -> Note:
    """Write ``author``'s note on ``event`` (or on its ``talk`` or ``open_space``), and
    the takeaways and action points raised with it, all or nothing.

    ``submission_token`` is the writing form's one-time value: if ``author`` already
    wrote a note with it (the form sent twice, one after the other or at the same
    moment), nothing is written and AlreadyWritten names that note.

    Side effects, in one transaction:
    - creates the Note (its Markdown rendered to ``body_html``; ``published_at``
      stamped when published; ``submission_token`` kept);
    - creates each Takeaway, by ``author``, on the same source and linked to the
      note (so private while it is a draft), and sets its tags
      (matched to existing tags case-insensitively, new ones created);
    - creates each ActionPoint, raised by ``author``, on the same source and note, open and
      unassigned, with its tags and one ActionPointChange (via web), as
      ``actions.services.save_action_point`` writes a new one (see ``add_follow_ups``).

    Permissions are the caller's business (the view checks them).
    """
    session = talk or open_space
    if session is not None and session.event_id != event.pk:
        raise ValueError(f"“{session}” belongs to another event than {event}.")
    note = Note(
        author=author,
        event=event,
        talk=talk,
        open_space=open_space,
        title=title,
        body=body,
        status=status,
        submission_token=submission_token,
    )
    _save_once(note)
    add_follow_ups(note=note, by=author, takeaways=takeaways, action_points=action_points)
    return note


def _save_once(note: Note) -> None:
    """Insert ``note``, or raise AlreadyWritten if its author has a note with its
    submission token. The unique constraint decides between simultaneous sends: the
    second insert waits for the first transaction and fails when it commits."""
    if note.submission_token is None:
        note.save()
        return
    same_form = Note.objects.filter(author=note.author, submission_token=note.submission_token)
    if (earlier := same_form.first()) is not None:
        raise AlreadyWritten(earlier)
    try:
        with transaction.atomic():  # a savepoint, so the error leaves the rest usable
            note.save()
    except IntegrityError:
        if (earlier := same_form.first()) is None:
            raise
        raise AlreadyWritten(earlier) from None


@transaction.atomic
def update_note(
    *,
    note: Note,
    by,
    title: str,
    body: str,
    status: str,
    takeaways: Iterable[NewTakeaway] = (),
    action_points: Iterable[NewActionPoint] = (),
) -> Note:
    """Change ``note``'s title, body and status, and add more takeaways and action
    points on its source, by ``by`` (the author, or staff), all or nothing.

    Side effects: saves the note (re-rendering ``body_html``; publishing a draft
    stamps ``published_at`` and shows the takeaways and action points drafted with
    it, whose assignees are emailed then; turning a published note back into a draft
    unlinks those already published, which stay public), then as ``add_follow_ups``.
    """
    # As stored, locked: a form may already have set ``note.status`` in memory.
    stored = Note.objects.select_for_update().values_list("status", flat=True).get(pk=note.pk)
    publishing = stored != Note.Status.PUBLISHED and status == Note.Status.PUBLISHED
    if stored == Note.Status.PUBLISHED and status != Note.Status.PUBLISHED:
        # Once published they are other people's too: assignees work on the action
        # points, and deleting the draft later must not take them (delete_with_draft).
        Takeaway.objects.filter(note=note).update(note=None)
        ActionPoint.objects.filter(note=note).update(note=None)
    note.title, note.body, note.status = title, body, status
    note.save()
    if publishing:
        queue_held_for_note(note)
    add_follow_ups(note=note, by=by, takeaways=takeaways, action_points=action_points)
    return note


@transaction.atomic
def add_follow_ups(
    *,
    note: Note,
    by,
    takeaways: Iterable[NewTakeaway] = (),
    action_points: Iterable[NewActionPoint] = (),
) -> tuple[list[Takeaway], list[ActionPoint]]:
    """Add takeaways (by ``by``) and action points (raised by ``by``) on ``note``'s
    source, linked to ``note``: only its author sees them while it is a draft.

    Side effects: creates the takeaways, and the action points open and unassigned,
    each with its tags (matched to existing tags case-insensitively as taggit does,
    new ones created) and each action point with its first history entry (through
    ``actions.services.record_change``, with its emails), as
    ``actions.services.save_action_point`` writes a new one. The tags of every row are
    looked up together and linked in one insert per kind, not row by row."""
    takeaways, action_points = list(takeaways), list(action_points)
    tags = _tags_named([name for new in [*takeaways, *action_points] for name in new.tags])
    # The note's own objects, so that the history entries name them without a query.
    source = {
        "note": note,
        "event": note.event,
        "talk": note.talk,
        "open_space": note.open_space,
    }
    added_takeaways = Takeaway.objects.bulk_create(
        [Takeaway(text=new.text, author=by, **source) for new in takeaways]
    )
    added_action_points = []
    for new in action_points:
        action_point = ActionPoint(
            title=new.title,
            details=new.details,
            due_on=new.due_on,
            raised_by=by,
            status=ActionPoint.Status.OPEN,
            assignee=None,
            **source,
        )
        action_point.save()
        added_action_points.append(action_point)
    _link_tags(added_takeaways, [new.tags for new in takeaways], tags)
    linked = _link_tags(added_action_points, [new.tags for new in action_points], tags)
    for action_point, its_tags in zip(added_action_points, linked, strict=True):
        after = {**snapshot(action_point), "tags": ", ".join(sorted(its_tags)) or None}
        changes = diff({"tags": None}, after)
        record_change(action_point, by=by, via=ActionPointChange.Via.WEB, changes=changes)
    return added_takeaways, added_action_points


def _tags_named(names: list[str]) -> dict[str, Tag]:
    """The tag for each name, in one query: the existing tag whose name matches it
    case-insensitively (the oldest, if several do), as taggit matches them
    (``TAGGIT_CASE_INSENSITIVE``), or a new one made as taggit makes it."""
    if not names:
        return {}
    found = Tag.objects.raw(
        "SELECT DISTINCT ON (typed.name) typed.name AS typed, tag.* "
        "FROM unnest(%s::text[]) typed(name) "
        "JOIN taggit_tag tag ON UPPER(tag.name::text) = UPPER(typed.name) "
        "ORDER BY typed.name, tag.id",
        [sorted(set(names))],
    )
    tags = {tag.typed: tag for tag in found}
    for name in names:
        if name not in tags:
            tags[name], _ = Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})
    return tags


def _link_tags(rows: list, typed: list[list[str]], tags: dict[str, Tag]) -> list[list[str]]:
    """Tag each new row of one model with ``tags``' tags for its typed names, in one
    insert; return the names of each row's tags as stored (once each, as taggit keeps
    them: "Kubernetes, kubernetes" is one tag)."""
    if not rows:
        return []
    through = tagged_item_model(type(rows[0]))
    links, names = [], []
    for row, its_names in zip(rows, typed, strict=True):
        its = {tags[name].pk: tags[name] for name in its_names}
        links += [through(tag=tag, content_object=row) for tag in its.values()]
        names.append([tag.name for tag in its.values()])
    through.objects.bulk_create(links)
    return names
