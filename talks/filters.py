"""The filter forms of the events page and the takeaways page.

Every filter is a GET parameter, so each filter state is a shareable URL. A value
that names nothing (an unknown tag, event, speaker or user) is left out of the
filter and reported next to its field, never a 500. Filters that could offer
thousands of values (events, speakers, authors) are text inputs, never dropdowns.
"""

import functools
from collections.abc import Callable

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from taggit.models import Tag

from talks.forms import LookupField
from talks.models import Event, Speaker, Takeaway

MATCH_ALL = "all"
MATCH_ANY = "any"


def year_choices() -> list[tuple[str, str]]:
    return [(str(year), str(year)) for year in Event.objects.years()]


def lazy_year_choices() -> Callable[[], list[tuple[str, str]]]:
    """``year_choices`` asked for at most once, and only when the form checks or shows
    a year: a page served from the cache does not query it."""
    return functools.cache(year_choices)


class SlugListWidget(forms.TextInput):
    """Reads every value of a repeated parameter (``?tag=a&tag=b``)."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


class SlugListField(forms.Field):
    """Several slugs, repeated (``?tag=a&tag=b``) or comma-separated (``?tag=a,b``);
    cleans to a list of lower-case slugs without duplicates. The filter form turns
    them into tags, all in one query."""

    widget = SlugListWidget

    def to_python(self, value) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value or ""]
        slugs: list[str] = []
        for item in values:
            for slug in str(item).split(","):
                slug = slug.strip().lower()
                if slug and slug not in slugs:
                    slugs.append(slug)
        return slugs


class SpeakerField(forms.CharField):
    """A speaker by slug or by name (case-insensitive); cleans to the Speaker."""

    def clean(self, value) -> Speaker | None:
        text = super().clean(value).strip()
        if not text:
            return None
        speaker = (
            Speaker.objects.filter(Q(slug=text.lower()) | Q(name__iexact=text))
            .order_by("pk")
            .first()
        )
        if speaker is None:
            raise forms.ValidationError(
                "There is no speaker called “%(name)s”.", params={"name": text}
            )
        return speaker


def recent_events(limit: int = 50) -> list[Event]:
    """Suggestions for an event text input (a datalist), newest first."""
    return list(Event.objects.newest_first().only("name", "slug", "starts_on")[:limit])


def takeaway_authors(limit: int = 100) -> list:
    """Suggestions for an author text input: people who wrote takeaways."""
    return list(
        get_user_model()
        .objects.filter(Exists(Takeaway.objects.public().filter(author=OuterRef("pk"))))
        .order_by("username")
        .only("username", "first_name", "last_name")[:limit]
    )


class LookupFilter(django_filters.Filter):
    """Filters by the object a text names (``LookupField``)."""

    field_class = LookupField


# Tag and event slugs are case-insensitive (lowered, in the error too); usernames are not.
TAG_LOOKUP = {
    "queryset": Tag.objects.all(),
    "lookup": "slug",
    "noun": "tag",
    "lowercase": True,
    "error_messages": {"unknown": "There is no tag called “%(value)s”."},
}
EVENT_LOOKUP = {
    "queryset": Event.objects.all(),
    "lookup": "slug",
    "noun": "event",
    "lowercase": True,
    "error_messages": {"unknown": "There is no event called “%(value)s”."},
}
AUTHOR_LOOKUP = {
    "queryset": get_user_model().objects.all(),
    "lookup": "username",
    "noun": "user",
    "error_messages": {"unknown": "There is nobody called “%(value)s”."},
}


class TagsFilter(django_filters.Filter):
    field_class = SlugListField


class SpeakerFilter(django_filters.Filter):
    field_class = SpeakerField


def text_input(placeholder: str, datalist: str | None = None) -> forms.TextInput:
    attrs = {"placeholder": placeholder}
    if datalist:
        attrs["list"] = datalist
    return forms.TextInput(attrs=attrs)


class EventListFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(
        field_name="starts_on", lookup_expr="year", label="Year", empty_label="Any year"
    )
    tag = LookupFilter(
        **TAG_LOOKUP, method="filter_tag", label="Tag", widget=text_input("e.g. observability")
    )
    text = django_filters.CharFilter(
        method="filter_text", label="Name or place", widget=text_input("e.g. Oslo")
    )

    class Meta:
        model = Event
        fields = ["year", "tag", "text"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = lazy_year_choices()

    def filter_tag(self, queryset, name, tag):
        return queryset.tagged(tag)

    def filter_text(self, queryset, name, text):
        # Events are a few thousand rows: a sequential ILIKE scan over three short
        # columns costs well under a millisecond, so no search index is needed here.
        # Notes and talks go through full-text search instead.
        text = text.strip()
        return queryset.filter(
            Q(name__icontains=text) | Q(city__icontains=text) | Q(country__icontains=text)
        )


class TakeawayFilterForm(forms.Form):
    """Turns the tag and exclude slugs into tags with one query, and remembers the
    slugs that name no tag so the page can say so (while the others still apply)."""

    unknown_tags: list[str] = []  # set by clean() (never mutated)

    def clean(self):
        cleaned = super().clean()
        wanted = [*cleaned.get("tag", []), *cleaned.get("exclude", [])]
        known = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)} if wanted else {}
        self.unknown_tags = [slug for slug in wanted if slug not in known]
        for name in ("tag", "exclude"):
            cleaned[name] = [known[slug] for slug in cleaned.get(name, []) if slug in known]
        return cleaned


class TakeawayFilter(django_filters.FilterSet):
    tag = TagsFilter(method="filter_tags", label="Tags")
    match = django_filters.ChoiceFilter(
        method="filter_nothing",
        label="Show takeaways with",
        choices=[(MATCH_ALL, "all of the chosen tags"), (MATCH_ANY, "any of the chosen tags")],
        empty_label=None,
        widget=forms.RadioSelect,
    )
    exclude = TagsFilter(method="filter_exclude", label="Without the tags")
    event = LookupFilter(
        **EVENT_LOOKUP,
        method="filter_event",
        label="Event",
        widget=text_input("event-slug", "event-options"),
    )
    year = django_filters.ChoiceFilter(
        field_name="event__starts_on", lookup_expr="year", label="Year", empty_label="Any year"
    )
    speaker = SpeakerFilter(
        method="filter_speaker", label="Speaker", widget=text_input("name or slug")
    )
    author = LookupFilter(
        **AUTHOR_LOOKUP,
        method="filter_author",
        label="Written by",
        widget=text_input("username", "author-options"),
    )

    class Meta:
        model = Takeaway
        form = TakeawayFilterForm
        fields = ["tag", "match", "exclude", "event", "year", "speaker", "author"]

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None and not data.get("match"):
            # "All of the chosen tags" unless the URL says otherwise, shown checked.
            data = data.copy()
            data["match"] = MATCH_ALL
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = lazy_year_choices()

    @property
    def cleaned(self) -> dict:
        """The form's clean values (running validation once); invalid fields are
        missing, which leaves them out of the filter."""
        self.form.errors  # noqa: B018
        return self.form.cleaned_data

    @property
    def match_mode(self) -> str:
        return self.cleaned.get("match") or MATCH_ALL

    @property
    def included_tags(self) -> list[Tag]:
        return self.cleaned.get("tag", [])

    @property
    def excluded_tags(self) -> list[Tag]:
        return self.cleaned.get("exclude", [])

    @property
    def unknown_tags(self) -> list[str]:
        self.form.errors  # noqa: B018
        return self.form.unknown_tags

    @property
    def is_filtering(self) -> bool:
        """Whether the URL asks for any filter (``match`` alone filters nothing)."""
        return any(self.data.get(name) for name in self.filters if name != "match")

    def tag_options(self, *, limit: int) -> list[Tag]:
        """The tags to offer, each with ``count`` (how many of the takeaways shown
        carry it), ``included`` and ``excluded``: the chosen tags first, then the
        ``limit`` most used on the takeaways shown. One query."""
        included, excluded = self.included_tags, self.excluded_tags
        counted = {
            tag.pk: tag
            for tag in self.qs.tag_counts(limit=limit, include=[tag.pk for tag in included])
        }
        chosen: dict[int, Tag] = {}
        for tag in [*included, *excluded]:
            if tag.pk in chosen:
                continue
            tag = chosen[tag.pk] = counted.pop(tag.pk, tag)
            tag.count = getattr(tag, "count", 0)
        options = [*chosen.values(), *counted.values()]
        for tag in options:
            tag.included = tag in included
            tag.excluded = tag in excluded
        return options

    def filter_nothing(self, queryset, name, value):
        return queryset  # ``match`` only changes how ``tag`` filters.

    def filter_tags(self, queryset, name, tags):
        ids = [tag.pk for tag in tags]
        if self.match_mode == MATCH_ANY:
            return queryset.with_any_tag(ids)
        return queryset.with_all_tags(ids)

    def filter_exclude(self, queryset, name, tags):
        return queryset.without_tags([tag.pk for tag in tags])

    def filter_event(self, queryset, name, event):
        return queryset.filter(event=event)

    def filter_speaker(self, queryset, name, speaker):
        return queryset.by_speaker(speaker)

    def filter_author(self, queryset, name, user):
        return queryset.filter(author=user)
