"""The filter form of the events page, and the pieces every filter form here shares.

Every filter is a GET parameter, so each filter state is a shareable URL. A value
that names nothing (an unknown tag, event, speaker or user) is left out of the
filter and reported next to its field, never a 500. Filters that could offer
thousands of values (events, speakers, authors) are text inputs, never dropdowns.
The takeaways page's filters are in talks/takeaway_filters.py.
"""

import functools
from collections.abc import Callable

import django_filters
from django import forms
from django.db.models import Q
from taggit.models import Tag

from talks.forms import LookupField
from talks.models import Event


def year_choices() -> list[tuple[str, str]]:
    return [(str(year), str(year)) for year in Event.objects.years()]


def lazy_year_choices() -> Callable[[], list[tuple[str, str]]]:
    """``year_choices`` asked for at most once, and only when the form checks or shows
    a year: a page served from the cache does not query it."""
    return functools.cache(year_choices)


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
