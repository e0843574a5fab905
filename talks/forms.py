"""Adding a talk or an open space that is not listed yet for an event."""

import re

from django import forms
from django.db.models.functions import Lower
from taggit.forms import TagField

from talks.models import Event, OpenSpace, Speaker, Talk
from talks.tagging import validate_tag_names


class TagNamesField(TagField):
    """taggit's comma-separated tags field, refusing names no tag page could have."""

    def clean(self, value) -> list[str]:
        names = super().clean(value)
        validate_tag_names(names)
        return names


class SessionForm(forms.ModelForm):
    """A session at ``event``; the event comes from the page, not from the form."""

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.instance.event = event


class TalkForm(SessionForm):
    speakers = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Comma-separated names, e.g. “Ada Lovelace, Grace Hopper”. Speakers "
        "already known are matched by name; new ones are added.",
    )
    # Addresses typed without a scheme are https (Django 6's default).
    slides_url = forms.URLField(
        label="Link to the slides", required=False, max_length=200, assume_scheme="https"
    )
    video_url = forms.URLField(
        label="Link to the video", required=False, max_length=200, assume_scheme="https"
    )
    field_order = ["title", "kind", "speakers", "slides_url", "video_url", "abstract", "tags"]

    class Meta:
        model = Talk
        fields = ["title", "kind", "slides_url", "video_url", "abstract", "tags"]
        field_classes = {"tags": TagNamesField}
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6})}

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if Talk.objects.filter(event=self.event, title__iexact=title).exists():
            raise forms.ValidationError(
                "%(event)s already has a talk called “%(title)s”.",
                code="duplicate",
                params={"event": self.event.name, "title": title},
            )
        return title

    def clean_speakers(self) -> list[Speaker]:
        """The speakers named, in order: known ones (matched case-insensitively) as
        they are, new ones as unsaved Speaker objects that saving the talk creates."""
        names: list[str] = []
        for part in self.cleaned_data["speakers"].split(","):
            name = re.sub(r"\s+", " ", part).strip()
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        if not names:
            return []
        known: dict[str, Speaker] = {}
        lowered = [name.lower() for name in names]
        matches = Speaker.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=lowered)
        for speaker in matches.order_by("-pk"):  # the oldest wins when names repeat
            known[speaker.lower_name] = speaker
        return [known.get(name.lower()) or Speaker(name=name) for name in names]


class OpenSpaceForm(SessionForm):
    class Meta:
        model = OpenSpace
        fields = ["topic", "convenor", "session_label", "tags"]
        field_classes = {"tags": TagNamesField}

    def clean_topic(self) -> str:
        topic = self.cleaned_data["topic"].strip()
        if OpenSpace.objects.filter(event=self.event, topic__iexact=topic).exists():
            raise forms.ValidationError(
                "%(event)s already has an open space called “%(topic)s”.",
                code="duplicate",
                params={"event": self.event.name, "topic": topic},
            )
        return topic
