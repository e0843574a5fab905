"""Choosing an event, a speaker, an author or a tag by name.

People type "Madrid" or "Carol", never a slug or a username. Each chooser finds the
rows a text names (a few, best first) and says how a row appears in a URL (its slug
or username, so filtered pages stay shareable) and in a list of suggestions. The
takeaways page's filter form resolves typed names with them (without JavaScript),
and ``choices`` answers the same search as JSON for the suggestions shown while
typing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe
from taggit.models import Tag

from talks.models import Event, Speaker, Takeaway

# Suggestions and candidates shown at most: enough to pick from, bounded whatever matches.
LIMIT = 10
# Longer texts are cut: nobody's name is longer, and it bounds the search.
MAX_QUERY = 100


def first_match_first(text: str, field: str) -> Case:
    """Sorts names that start with the text before names that only contain it."""
    return Case(
        When(**{f"{field}__iexact": text}, then=Value(0)),
        When(**{f"{field}__istartswith": text}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def find_events(text: str) -> QuerySet:
    # A few thousand events: a scan of three short columns costs well under a
    # millisecond (as on the events page), so no index is needed.
    return (
        Event.objects.filter(
            Q(slug=text.lower())
            | Q(name__icontains=text)
            | Q(city__icontains=text)
            | Q(country__icontains=text)
        )
        .annotate(rank=first_match_first(text, "name"))
        .order_by("rank", "-starts_on", "name")
        .only("name", "slug", "starts_on", "city", "country")
    )


def find_speakers(text: str) -> QuerySet:
    # Tens of thousands of speakers: their names' stored search vector (GIN) finds
    # each word as a prefix ("car" finds Carol), so no table scan.
    words = [word for word in text.replace(":", " ").split() if word.isalnum()]
    if not words:
        return Speaker.objects.filter(slug=text.lower())
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    return (
        Speaker.objects.filter(Q(search_vector=query) | Q(slug=text.lower()))
        .annotate(rank=first_match_first(text, "name"))
        .order_by("rank", "name", "pk")
        .only("name", "slug")
    )


def find_authors(text: str) -> QuerySet:
    """People who wrote at least one takeaway anyone can read, by username, first,
    last or full name."""
    first, _, rest = text.partition(" ")
    by_name = (
        Q(username__iexact=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
    )
    if rest:
        by_name |= Q(first_name__iexact=first, last_name__icontains=rest.strip())
    return (
        get_user_model()
        .objects.filter(by_name, Exists(Takeaway.objects.public().filter(author=OuterRef("pk"))))
        .annotate(rank=first_match_first(text, "first_name"))
        .order_by("rank", Lower("first_name"), Lower("last_name"), "username")
        .only("username", "first_name", "last_name")
    )


def find_tags(text: str) -> QuerySet:
    return (
        Tag.objects.filter(Q(slug=text.lower()) | Q(name__icontains=text))
        .annotate(rank=first_match_first(text, "name"))
        .order_by("rank", Lower("name"))
    )


@dataclass(frozen=True)
class Chooser:
    """How one kind of row is found by name and shown."""

    noun: str  # "event": in messages ("There is no event called …")
    plural: str
    find: Callable[[str], QuerySet]
    key: str  # the field that names a row in a URL (slug, username)
    # The row as read in a list of suggestions: (label, detail).
    describe: Callable[[object], tuple[str, str]]
    # The exact key typed (an old URL, a shared link) wins over names.
    case_sensitive_key: bool = False

    def value(self, row) -> str:
        return getattr(row, self.key)

    def label(self, row) -> str:
        return self.describe(row)[0]

    def search(self, text: str, limit: int = LIMIT) -> list:
        """Up to ``limit`` rows the text names, best first (one query)."""
        text = text.strip()[:MAX_QUERY]
        if not text:
            return []
        return list(self.find(text)[:limit])

    def resolve(self, text: str) -> list:
        """The one row the text names, as a list of one; else the candidates (up to
        ``LIMIT``, none when nothing matches). A row whose key is the text, or whose
        name is exactly the text, wins over rows that only contain it."""
        found = self.search(text, LIMIT + 1)
        key = text.strip() if self.case_sensitive_key else text.strip().lower()
        for row in found:
            value = self.value(row) if self.case_sensitive_key else self.value(row).lower()
            if value == key:
                return [row]
        exact = [row for row in found if self.label(row).lower() == text.strip().lower()]
        if len(exact) == 1:
            return exact
        return found


def describe_event(event: Event) -> tuple[str, str]:
    place = ", ".join(part for part in (event.city, event.country) if part)
    return event.name, " · ".join(part for part in (f"{event.starts_on:%Y}", place) if part)


def describe_author(user) -> tuple[str, str]:
    full = user.get_full_name()
    return (full, user.get_username()) if full else (user.get_username(), "")


CHOOSERS = {
    "event": Chooser("event", "events", find_events, "slug", describe_event),
    "speaker": Chooser("speaker", "speakers", find_speakers, "slug", lambda s: (s.name, "")),
    "author": Chooser(
        "person", "people", find_authors, "username", describe_author, case_sensitive_key=True
    ),
    "tag": Chooser("tag", "tags", find_tags, "slug", lambda tag: (tag.name, "")),
}


@require_safe
def choices(request: HttpRequest, kind: str) -> JsonResponse:
    """Suggestions for a chooser as JSON: ``{"results": [{"value", "label", "detail"}]}``,
    at most ``LIMIT``, in one query. Logged-in people only (the site's login
    middleware answers everyone else with the login page). The labels are data:
    the page's script shows them as text, never as HTML."""
    chooser = CHOOSERS.get(kind)
    if chooser is None:
        return JsonResponse({"error": f"Nothing to choose called “{kind}”."}, status=404)
    results = []
    for row in chooser.search(request.GET.get("q", "")):
        label, detail = chooser.describe(row)
        results.append({"value": chooser.value(row), "label": label, "detail": detail})
    return JsonResponse({"results": results})


# The choosers in a filter form: a box that takes a name and cleans to the row.


class ChooserWidget(forms.TextInput):
    """A chooser's box. The form sends the chosen row's key (a hidden input) before
    the box, so when both carry a value the name typed in the box wins."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        for value in reversed(values):
            if value and str(value).strip():
                return value
        return ""


class ChooserField(forms.CharField):
    """A row named by its key or by (part of) its name; cleans to the row. A text
    that names several rows is refused with the candidates kept in ``candidates``,
    so that the page can offer them as links."""

    widget = ChooserWidget

    def __init__(self, *, kind: str, unknown: str, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.chooser = CHOOSERS[kind]
        self.kind = kind
        self.unknown = unknown
        self.candidates: list = []

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        found = self.chooser.resolve(text)
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(self.unknown, code="unknown", params={"value": text})
        self.candidates = found[:LIMIT]
        raise forms.ValidationError(
            "“%(value)s” matches %(many)s %(plural)s: pick one, or type more of the name.",
            code="ambiguous",
            params={
                "value": text,
                "many": len(found) if len(found) <= LIMIT else f"more than {LIMIT}",
                "plural": self.chooser.plural,
            },
        )


class ChooserFilter(django_filters.Filter):
    field_class = ChooserField


def chooser_input(placeholder: str) -> ChooserWidget:
    # autocomplete off: the browser's own history list would cover the suggestions.
    return ChooserWidget(attrs={"placeholder": placeholder, "autocomplete": "off"})
