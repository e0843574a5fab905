"""Forms for writing a note, with the takeaways and action points raised with it."""

import unicodedata
import uuid

from django import forms

from actions.forms import past_date_warning
from actions.models import ActionPoint
from common.markdown import MarkdownFormField
from common.validators import validate_sensible_date
from notes.services import NewActionPoint, NewTakeaway
from talks.models import Note
from talks.tagging import TagNamesField

BLANK_ROWS = 3
MAX_ROWS = 30


class TagsField(TagNamesField):
    """Comma-separated tags, cleaned to a list of names (taggit's ``parse_tags``),
    each a name a tag page can have (``talks.tagging.validate_tag_name``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Comma-separated, e.g. observability, culture.")
        super().__init__(**kwargs)


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["title", "body", "status"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "title": "Optional.",
            "body": "Markdown: **bold**, _italic_, - lists, [links](https://…). "
            "Use Preview to check it. "
            f"At most {Note._meta.get_field('body').max_length:,} characters.",
            "status": "A draft is visible only to you.",
        }
        error_messages = {"body": {"required": "A note needs some text."}}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        # Spaces are stripped already; zero-width spaces and other invisible format
        # characters (pasted from a chat or a word processor) are no text either, and
        # pass the browser's ``required`` check.
        if not "".join(char for char in body if unicodedata.category(char) != "Cf").strip():
            raise forms.ValidationError(
                self.fields["body"].error_messages["required"], code="required"
            )
        return body


DAMAGED = "This form was damaged on the way: reload the page and try again."


class NewNoteForm(NoteForm):
    """A new note's form, carrying a value made when the page is shown so that sending
    the same form twice saves one note (``write_note``'s ``submission_token``)."""

    submission_token = forms.UUIDField(
        required=False,
        initial=uuid.uuid4,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "This form was damaged on the way: reload the page and try again."
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # A fresh page: start typing the title. Not when the page comes back with
            # errors or a preview: focus would jump away from where one was.
            self.fields["title"].widget.attrs["autofocus"] = True


class TakeawayForm(forms.Form):
    text = forms.CharField(
        label="Takeaway",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences.",
        error_messages={"required": "A takeaway needs some text."},
    )
    tags = TagsField()

    def to_new(self) -> NewTakeaway:
        return NewTakeaway(text=self.cleaned_data["text"], tags=self.cleaned_data["tags"])


class ActionPointForm(forms.Form):
    title = forms.CharField(
        label="Action point",
        max_length=300,
        help_text="What should happen?",
        error_messages={"required": "An action point needs a title."},
    )
    due_on = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional, YYYY-MM-DD.",
        validators=[validate_sensible_date],
    )
    details = MarkdownFormField(
        required=False,
        max_length=ActionPoint._meta.get_field("details").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. Optional. "
        f"At most {ActionPoint._meta.get_field('details').max_length:,} characters.",
    )
    tags = TagsField()

    def to_new(self) -> NewActionPoint:
        return NewActionPoint(**self.cleaned_data)


TakeawayFormSet = forms.formset_factory(
    TakeawayForm, extra=BLANK_ROWS, max_num=MAX_ROWS, validate_max=True
)
ActionPointFormSet = forms.formset_factory(
    ActionPointForm, extra=BLANK_ROWS, max_num=MAX_ROWS, validate_max=True
)


class NoteWriting:
    """The writing page's parts: the note and, for users allowed to add them, rows of
    takeaways and action points. Blank rows are ignored; any error anywhere makes the
    whole page invalid (nothing is saved)."""

    def __init__(self, user, data=None, *, note: Note | None = None, more_rows: bool = False):
        self.note = NoteForm(data, instance=note) if note else NewNoteForm(data)
        self.takeaways = self.action_points = None
        if user.has_perm("talks.add_takeaway"):
            self.takeaways = _formset(TakeawayFormSet, data, "takeaways", more_rows)
        if user.has_perm("actions.add_actionpoint"):
            self.action_points = _formset(ActionPointFormSet, data, "actions", more_rows)

    @property
    def parts(self) -> list:
        return [part for part in (self.note, self.takeaways, self.action_points) if part]

    def is_valid(self) -> bool:
        valid = [part.is_valid() for part in self.parts]  # every part, to show every error
        return all(valid)

    def new_takeaways(self) -> list[NewTakeaway]:
        return _filled(self.takeaways)

    def past_due_warnings(self) -> list[str]:
        """One warning per new action point due before today: saved all the same,
        as the follow-up page and the admin do, since a late record is sometimes meant."""
        return [
            warning for point in self.new_action_points() if (warning := past_due_warning(point))
        ]

    def new_action_points(self) -> list[NewActionPoint]:
        return _filled(self.action_points)


def past_due_warning(point: NewActionPoint) -> str:
    """What saving ``point`` warns of if it is due before today ("" if not)."""
    warning = past_date_warning(point.due_on)
    return f"“{point.title}”: {warning}" if warning else ""


def _formset(formset_class, data, prefix: str, more_rows: bool):
    formset = formset_class(data, prefix=prefix)
    if data is None or not more_rows or not formset.management_form.is_valid():
        return formset
    # Previewing without JavaScript: hand back BLANK_ROWS empty rows to fill in.
    blank = sum(1 for form in formset if not form.has_changed())
    total = min(formset.total_form_count() + max(BLANK_ROWS - blank, 0), MAX_ROWS)
    data = data.copy()
    data[f"{prefix}-TOTAL_FORMS"] = str(total)
    return formset_class(data, prefix=prefix)


def _filled(formset) -> list:
    if formset is None:
        return []
    return [form.to_new() for form in formset if form.has_changed()]
