"""What the writing page's preview shows: the note as its page will show it, and the
takeaways and action points that saving it now would create, as they would be saved
(tags spelled as the existing tags they join, action points open and unassigned), with
the errors that would stop the save and the warnings it would give.

Built from the same forms as the save, so the two cannot disagree; nothing is written.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models.functions import Lower
from taggit.models import Tag

from common.markdown import render_markdown
from notes.forms import NoteWriting, past_due_warning
from notes.services import NewActionPoint, NewTakeaway
from talks.models import Note

_BODY_MAX_LENGTH = Note._meta.get_field("body").max_length


@dataclass(frozen=True)
class PreviewActionPoint:
    point: NewActionPoint
    details_html: str
    warning: str


@dataclass(frozen=True)
class NotePreview:
    title: str
    published: bool
    body_html: str
    takeaways: list[NewTakeaway] = field(default_factory=list)
    action_points: list[PreviewActionPoint] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One sentence for the screen reader's live region, e.g. "Saving creates the
        note, 1 takeaway and 2 action points; 1 warning"."""
        if self.errors:
            return (
                f"Preview updated: {_count(len(self.errors), 'problem')} to correct before saving."
            )
        made = [
            "the note",
            _count(len(self.takeaways), "takeaway"),
            _count(len(self.action_points), "action point"),
        ]
        made = [part for part in made if part]
        listed = ", ".join(made[:-1]) + " and " + made[-1] if len(made) > 1 else made[0]
        warned = f"; {_count(len(self.warnings), 'warning')}" if self.warnings else ""
        return f"Preview updated: saving creates {listed}{warned}."


def preview_of(writing: NoteWriting) -> NotePreview:
    """The preview of a bound writing page (see the module's docstring)."""
    writing.is_valid()  # every part, so that every error is known
    note = writing.note
    body = note["body"].value() or ""
    takeaways, action_points, errors = [], [], _note_errors(note)
    for label, formset, rows in (
        ("Takeaway", writing.takeaways, takeaways),
        ("Action point", writing.action_points, action_points),
    ):
        if formset is None:
            continue
        errors += [f"{label}s: {error}" for error in formset.non_form_errors()]
        for number, form in enumerate(formset, start=1):
            if not form.has_changed():
                continue  # a blank row is ignored by the save too
            if form.is_valid():
                rows.append(form.to_new())
            else:
                errors += _row_errors(form, f"{label} {number}")
    spelled = _as_saved([name for row in [*takeaways, *action_points] for name in row.tags])
    takeaways = [replace(row, tags=_respelled(row.tags, spelled)) for row in takeaways]
    points = [
        PreviewActionPoint(
            point=replace(point, tags=_respelled(point.tags, spelled)),
            details_html=render_markdown(point.details),
            warning=past_due_warning(point),
        )
        for point in action_points
    ]
    return NotePreview(
        title=(note["title"].value() or "").strip(),
        published=note["status"].value() == Note.Status.PUBLISHED,
        # An over-long body is not rendered (the limit bounds the time a render takes);
        # the errors say why.
        body_html=render_markdown(body) if len(body) <= _BODY_MAX_LENGTH else "",
        takeaways=takeaways,
        action_points=points,
        errors=errors,
        warnings=[point.warning for point in points if point.warning],
    )


def _note_errors(form) -> list[str]:
    errors = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        errors += [f"{label}: {message}" if label else message for message in messages]
    return errors


def _row_errors(form, row: str) -> list[str]:
    """Errors of one takeaway or action point row, named by the row; a field other than
    the row's first (its text or title) is named too."""
    first = next(iter(form.fields))
    errors = []
    for name, messages in form.errors.items():
        where = row if name in (first, "__all__") else f"{row}, {form.fields[name].label}"
        errors += [f"{where}: {message}" for message in messages]
    return errors


def _as_saved(names: Iterable[str]) -> dict[str, str]:
    """Each name (lowercased) that matches an existing tag, to that tag's spelling: tags
    are matched case-insensitively on save, so "Testing" joins "testing"."""
    lowered = {name.lower() for name in names}
    if not lowered:
        return {}
    existing = (
        Tag.objects.annotate(lowered=Lower("name"))
        .filter(lowered__in=lowered)
        .values_list("lowered", "name")
    )
    return dict(existing)


def _respelled(names: list[str], spelled: dict[str, str]) -> list[str]:
    saved: dict[str, str] = {}
    for name in names:
        # "Testing, testing" is one tag once saved.
        saved.setdefault(name.lower(), spelled.get(name.lower(), name))
    return list(saved.values())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}" if n else ""
