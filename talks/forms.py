"""Adding a talk or an open space that is not listed yet for an event; and the
lookup field every filter and form shares for "the object this text names"."""

import re

from django import forms
from django.db.models import Model, QuerySet
from django.utils.text import slugify

from common.links import HttpURLFormField
from talks.models import Event, OpenSpace, Speaker, Talk
from talks.services import refuse_duplicate_open_space, refuse_duplicate_talk
from talks.tagging import TagNamesField


class LookupField(forms.CharField):
    """A text input naming one object (a tag's or an event's slug, a username),
    cleaned to the object itself, or an error that names what was not found.

    A text input rather than a <select>: there are too many users, events and tags
    to list them all in a page. ``error_messages={"unknown": ...}`` rewords the
    error; it may use ``%(noun)s`` and ``%(value)s`` (the text as looked up).
    """

    default_error_messages = {"unknown": "No %(noun)s called “%(value)s”."}

    def __init__(
        self,
        *,
        queryset: QuerySet,
        lookup: str,
        noun: str,
        slug: bool = False,
        lowercase: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset
        self.lookup = lookup
        self.noun = noun
        # Slugs are looked up as typed or slugified, so a name works too.
        self.slug = slug
        # Case-insensitive text (tag and event slugs) is lowered, in the error too.
        self.lowercase = lowercase

    def prepare_value(self, value):
        if isinstance(value, Model):
            return getattr(value, self.lookup)
        return value

    def to_python(self, value) -> str:
        text = super().to_python(value)
        return text.lower() if self.lowercase else text

    def clean(self, value) -> Model | None:
        value = super().clean(value)
        if value in self.empty_values:
            return None
        key = slugify(value) if self.slug else value
        found = self.queryset.filter(**{self.lookup: key}).first()
        if found is None:
            raise forms.ValidationError(
                self.error_messages["unknown"],
                code="unknown",
                params={"noun": self.noun, "value": value},
            )
        return found


# Where a session sits in the programme, on both session forms: the browser's own
# date and time pickers, which send ISO values whatever the reader's locale.
SCHEDULE_FIELDS = ["day", "starts_at", "room"]
SCHEDULE_WIDGETS = {
    "day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
}


class SessionForm(forms.ModelForm):
    """A session at ``event``; the event comes from the page, not from the form. Its
    day must be one of the event's (``Scheduled.clean``, run by the form)."""

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.instance.event = event
        # The date picker offers only the event's days.
        self.fields["day"].widget.attrs.update(
            min=event.starts_on.isoformat(), max=event.ends_on.isoformat()
        )

    def _post_clean(self) -> None:
        super()._post_clean()
        # The model's clean puts a one-day event's timed session on that day.
        if "day" in self.cleaned_data:
            self.cleaned_data["day"] = self.instance.day


class TalkForm(SessionForm):
    speakers = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Comma-separated names, e.g. “Ada Lovelace, Grace Hopper”. Speakers "
        "already known are matched by name; new ones are added.",
    )
    slides_url = HttpURLFormField(label="Link to the slides", required=False, max_length=200)
    video_url = HttpURLFormField(label="Link to the video", required=False, max_length=200)
    field_order = [
        "title",
        "kind",
        "speakers",
        *SCHEDULE_FIELDS,
        "slides_url",
        "video_url",
        "abstract",
        "tags",
    ]

    class Meta:
        model = Talk
        fields = ["title", "kind", *SCHEDULE_FIELDS, "slides_url", "video_url", "abstract", "tags"]
        field_classes = {"tags": TagNamesField}
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6}), **SCHEDULE_WIDGETS}

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        # Checked again when the talk is added, in case someone adds it meanwhile.
        refuse_duplicate_talk(event=self.event, title=title)
        return title

    def clean_speakers(self) -> list[Speaker]:
        """The speakers named, in order: known ones (matched case-insensitively) as
        they are, new ones as unsaved Speaker objects that saving the talk creates."""
        names: list[str] = []
        for part in self.cleaned_data["speakers"].split(","):
            name = re.sub(r"\s+", " ", part).strip()
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        known = Speaker.objects.by_lower_name(names)
        return [known.get(name.lower()) or Speaker(name=name) for name in names]


class OpenSpaceForm(SessionForm):
    class Meta:
        model = OpenSpace
        fields = ["topic", "convenor", *SCHEDULE_FIELDS, "session_label", "tags"]
        field_classes = {"tags": TagNamesField}
        widgets = SCHEDULE_WIDGETS

    def clean_topic(self) -> str:
        topic = self.cleaned_data["topic"].strip()
        refuse_duplicate_open_space(event=self.event, topic=topic)
        return topic
