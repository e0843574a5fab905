"""Forms of the import page: the upload (or paste), and the preview, where a person
corrects what was detected before confirming.

No server-side state between the two steps: the preview carries the document's text
in a hidden field signed with the secret key (and bound to the user), and the confirm
step parses it again and applies the corrections, session by session, by position.
"""

import dataclasses

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError

from imports.importer import (
    LEAVE_OUT,
    OPEN_SPACE,
    TO_EVENT_NOTE,
    Document,
    ImportProblem,
    ParsedEvent,
    ParsedTakeaway,
    SessionChange,
    corrected,
    document,
)
from imports.importer.conventions import (
    MAX_CITY,
    MAX_CONVENOR,
    MAX_COUNTRY,
    MAX_EVENT_NAME,
    MAX_NAME,
    MAX_TAKEAWAY,
    MAX_TITLE,
    MAX_TOPIC,
    action_point,
    split_speakers,
)
from imports.importer.read import DETECT, FORMAT_CHOICES, MAX_BYTES, too_large
from talks.models import Talk

_SALT = "notesite.imports.document"
# A preview is for confirming now, not for keeping.
PREVIEW_MAX_AGE = 60 * 60 * 12
# The signed document travels back in a form field; Django refuses request bodies
# over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default).
MAX_SIGNED = 2_400_000
PASTED = "pasted text"

KIND_CHOICES = [
    *Talk.Kind.choices,
    (OPEN_SPACE, "Open space"),
    (TO_EVENT_NOTE, "Not a session: text to the event note"),
    (LEAVE_OUT, "Leave out"),
]


def sign_document(doc: Document, user) -> str:
    payload = {"name": doc.name, "text": doc.text, "format": doc.format, "user": user.pk}
    return signing.dumps(payload, salt=_SALT, compress=True)


def unsign_document(token: str, user) -> Document:
    """The document a preview carried; ValidationError if it was altered, is older
    than ``PREVIEW_MAX_AGE`` or was made for another user."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError("This preview has expired: upload the notes again.") from None
    except signing.BadSignature:
        raise ValidationError("This preview cannot be read: upload the notes again.") from None
    if payload.get("user") != user.pk:
        raise ValidationError("This preview was made for someone else: upload the notes again.")
    return Document(payload["name"], payload["text"], payload["format"])


class UploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        allow_empty_file=True,  # refused below, with a message naming the file
        label="Notes file",
        help_text="Markdown (.md), Org (.org) or plain text (.txt), UTF-8, at most 2 MB.",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label="Or paste the notes",
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    format = forms.ChoiceField(
        choices=FORMAT_CHOICES,
        initial=DETECT,
        required=False,
        help_text="Detect: Markdown for .md files and text with # headings or front "
        "matter, Org for .org files and text with #+TITLE:, plain text otherwise.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self) -> Document | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > MAX_BYTES:
            raise ValidationError(str(too_large(upload.size, upload.name)))
        try:
            return document(upload.read(), upload.name)
        except ImportProblem as problem:
            raise ValidationError(str(problem)) from None

    def clean_text(self) -> Document | None:
        text = self.cleaned_data.get("text") or ""
        if not text.strip():
            return None
        try:
            return document(text, PASTED)
        except ImportProblem as problem:
            raise ValidationError(str(problem)) from None

    def clean(self) -> dict:
        """Sets ``document`` (format applied), ``parsed`` and ``signed``."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload, pasted = cleaned.get("file"), cleaned.get("text")
        if upload and pasted:
            raise ValidationError("Upload a file or paste the notes, not both.")
        if not (upload or pasted):
            raise ValidationError("Upload a file or paste the notes.")
        doc, field = (upload, "file") if upload else (pasted, "text")
        if cleaned.get("format") not in {"", None, DETECT}:
            doc = dataclasses.replace(doc, format=cleaned["format"])
        try:
            cleaned["parsed"] = doc.parse(require_date=False)
        except ImportProblem as problem:
            self.add_error(field, str(problem))
            return cleaned
        cleaned["document"] = doc
        cleaned["signed"] = sign_document(doc, self.user)
        if len(cleaned["signed"]) > MAX_SIGNED:
            self.add_error(field, "These notes are too long to preview here: split them.")
        return cleaned


# The browser's date picker wants ISO dates, whatever the locale.
_DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class EventForm(forms.Form):
    """The event as detected, to correct; and the signed document."""

    document = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label="Event", max_length=MAX_EVENT_NAME)
    starts_on = forms.DateField(label="Starts on", widget=_DATE_INPUT)
    ends_on = forms.DateField(label="Ends on", required=False, widget=_DATE_INPUT)
    city = forms.CharField(max_length=MAX_CITY, required=False)
    country = forms.CharField(max_length=MAX_COUNTRY, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_document(self) -> Document:
        return unsign_document(self.cleaned_data["document"], self.user)

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and not ends_on:
            cleaned["ends_on"] = starts_on
        elif starts_on and ends_on < starts_on:
            self.add_error("ends_on", "The event cannot end before it starts.")
        return cleaned

    @classmethod
    def initial_for(cls, parsed: ParsedEvent, signed: str) -> dict:
        return {
            "document": signed,
            "name": parsed.name,
            "starts_on": parsed.starts_on,
            "ends_on": parsed.ends_on,
            "city": parsed.city,
            "country": parsed.country,
        }


class SessionForm(forms.Form):
    title = forms.CharField(max_length=min(MAX_TITLE, MAX_TOPIC))  # a talk or an open space
    kind = forms.ChoiceField(label="Import as", choices=KIND_CHOICES)
    speakers = forms.CharField(
        required=False,
        max_length=1000,
        label="Speakers or convenor",
        help_text="Separate names with commas or “and”.",
    )

    def clean_speakers(self) -> tuple[str, ...]:
        names = tuple(split_speakers(self.cleaned_data["speakers"]))
        if any(len(name) > MAX_NAME for name in names):
            raise ValidationError(f"A name is at most {MAX_NAME} characters.")
        return names

    def clean(self) -> dict:
        cleaned = super().clean()
        convenors = ", ".join(cleaned.get("speakers") or ())
        if cleaned.get("kind") == OPEN_SPACE and len(convenors) > MAX_CONVENOR:
            self.add_error(
                "speakers", f"An open space's convenors fit in {MAX_CONVENOR} characters."
            )
        return cleaned


class BaseSessionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            kind = form.cleaned_data["kind"]
            if kind in {LEAVE_OUT, TO_EVENT_NOTE}:
                continue
            key = (form.cleaned_data["title"].casefold(), kind == OPEN_SPACE)
            if key in seen:
                raise ValidationError(
                    f"Two sessions are called “{form.cleaned_data['title']}”: rename one, "
                    "or leave one out."
                )
            seen.add(key)

    def changes(self) -> list[SessionChange]:
        return [
            SessionChange(
                f.cleaned_data["title"], f.cleaned_data["kind"], f.cleaned_data["speakers"]
            )
            for f in self.forms
        ]


SessionFormSet = forms.formset_factory(
    SessionForm, formset=BaseSessionFormSet, extra=0, max_num=1000, validate_max=True
)


def initial_sessions(parsed: ParsedEvent) -> list[dict]:
    return [
        {"title": s.title, "kind": s.kind, "speakers": ", ".join(s.speakers)}
        for s in parsed.sessions
    ]


def lookalikes(parsed: ParsedEvent | None) -> list[tuple[str, str]]:
    """(value, label) for each line that reads like a takeaway or an action point but
    was left as text: offered unticked on the preview."""
    if parsed is None:
        return []
    return [
        (str(index), f"{doubt.text} ({doubt.why.split(';')[0].removeprefix('reads like ')})")
        for index, doubt in enumerate(parsed.unsure)
        if doubt.what == "text" and doubt.why.startswith("reads like")
    ]


class PromoteForm(forms.Form):
    """Lines left as text that the person may make takeaways or action points."""

    lines = forms.MultipleChoiceField(
        label="Also import as takeaways or action points",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def promoted(self, parsed: ParsedEvent) -> tuple[list, list]:
        """(takeaways, action points) of the event for the ticked lines."""
        takeaways, action_points = [], []
        for value in self.cleaned_data.get("lines") or []:
            doubt = parsed.unsure[int(value)]
            if "takeaway" in doubt.why:
                takeaways.append(ParsedTakeaway(doubt.text[:MAX_TAKEAWAY]))
            else:
                action_points.append(action_point(doubt.text, None))
        return takeaways, action_points


class Preview:
    """The preview step's forms together: the event form, with the signed document,
    and one session form per detected session."""

    def __init__(self, data=None, *, user, parsed=None, signed=None, name="") -> None:
        self.name = name  # the document's: a file name, or "pasted text"
        initial = EventForm.initial_for(parsed, signed) if parsed else None
        self.event_form = EventForm(data, user=user, initial=initial, prefix="event")
        self.sessions = SessionFormSet(
            data, initial=initial_sessions(parsed) if parsed else None, prefix="session"
        )
        self.parsed = parsed  # as detected, for what the page shows but does not edit
        self.promote = PromoteForm(data, prefix="promote")
        self.promote.fields["lines"].choices = lookalikes(parsed)

    def is_valid(self) -> bool:
        """Valid forms, a readable document, and one session form per session in it
        (sets ``parsed`` to the document as detected, and ``result`` as corrected)."""
        event_valid, sessions_valid = self.event_form.is_valid(), self.sessions.is_valid()
        doc = self.event_form.cleaned_data.get("document")
        if doc is None:
            return False
        self.name, self.parsed = doc.name, self._parse(doc)
        if self.parsed is None or not (event_valid and sessions_valid):
            return False
        if self.sessions.total_form_count() != len(self.parsed.sessions):
            self.event_form.add_error(None, "The preview does not match the notes: start again.")
            return False
        self.promote.fields["lines"].choices = lookalikes(self.parsed)
        if not self.promote.is_valid():
            return False
        data = self.event_form.cleaned_data
        fields = {key: data[key] for key in ("name", "starts_on", "ends_on", "city", "country")}
        self.result = corrected(self.parsed, sessions=self.sessions.changes(), **fields)
        takeaways, action_points = self.promote.promoted(self.parsed)
        self.result.takeaways = [*self.result.takeaways, *takeaways]
        self.result.action_points = [*self.result.action_points, *action_points]
        return True

    @property
    def document_lost(self) -> bool:
        """Whether the signed document itself is missing or unreadable."""
        return self.parsed is None

    def _parse(self, doc: Document) -> ParsedEvent | None:
        try:
            return doc.parse(require_date=False)
        except ImportProblem as problem:
            self.event_form.add_error(None, str(problem))
            return None
