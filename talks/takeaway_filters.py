"""The takeaways page's filters and themes.

Every filter is a GET parameter, so each filter state is a shareable URL. Events,
speakers and authors take a name ("Madrid", "Carol"), resolved by the choosers
(talks/choosers.py), and the URL keeps the chosen row's slug or username; a name
that matches nothing or several rows is reported next to its field, never a 500.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from taggit.models import Tag

from talks.choosers import ChooserFilter, chooser_input
from talks.filters import lazy_year_choices
from talks.models import TAG_COUNT_SAMPLE, Takeaway, takeaways_carrying
from talks.models.takeaways import carrying_all_tags, tag_counts_by_year

MATCH_ALL = "all"
MATCH_ANY = "any"


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


class TagsFilter(django_filters.Filter):
    field_class = SlugListField


class TakeawayFilterForm(forms.Form):
    """Turns the tag and exclude slugs (or names, as typed in "Add a tag") into tags
    with one query, and remembers those that name no tag so the page can say so
    (while the others still apply)."""

    unknown_tags: list[str] = []  # set by clean() (never mutated)

    def clean(self):
        cleaned = super().clean()
        wanted = [*cleaned.get("tag", []), *cleaned.get("exclude", [])]
        known: dict[str, Tag] = {}
        if wanted:
            found = Tag.objects.annotate(lower_name=Lower("name")).filter(
                Q(slug__in=wanted) | Q(lower_name__in=wanted)
            )
            for tag in found:
                known.setdefault(tag.lower_name, tag)
            for tag in found:
                known[tag.slug] = tag  # a slug wins over another tag's name
        self.unknown_tags = [slug for slug in wanted if slug not in known]
        for name in ("tag", "exclude"):
            tags = [known[slug] for slug in cleaned.get(name, []) if slug in known]
            cleaned[name] = list(dict.fromkeys(tags))
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
    event = ChooserFilter(
        kind="event",
        unknown="There is no event called “%(value)s”.",
        method="filter_event",
        label="Event",
        widget=chooser_input("Name or city, e.g. Oslo"),
    )
    year = django_filters.ChoiceFilter(
        field_name="event__starts_on", lookup_expr="year", label="Year", empty_label="Any year"
    )
    speaker = ChooserFilter(
        kind="speaker",
        unknown="There is no speaker called “%(value)s”.",
        method="filter_speaker",
        label="Speaker",
        widget=chooser_input("Name, e.g. Hanna"),
    )
    author = ChooserFilter(
        kind="author",
        unknown="There is nobody called “%(value)s”.",
        method="filter_author",
        label="Written by",
        widget=chooser_input("Name, e.g. Carol"),
    )

    class Meta:
        model = Takeaway
        form = TakeawayFilterForm
        fields = ["tag", "match", "exclude", "event", "year", "speaker", "author"]

    # The tags listed as facets, and as themes above the list.
    facet_limit = 40
    theme_limit = 8
    choosers = ("event", "speaker", "author")

    def __init__(self, data=None, *args, **kwargs) -> None:
        # The URL as given: links built from it add or drop one parameter.
        self.params = data.copy() if data is not None else QueryDict(mutable=True)
        self.params.pop("page", None)
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

    def match_options(self) -> list[tuple[str, str, bool]]:
        """(value, label, checked) of the "all of / any of" radio buttons."""
        mode = self.form["match"].value()
        return [
            (value, label, value == mode) for value, label in self.filters["match"].extra["choices"]
        ]

    def year_options(self) -> list[tuple[str, bool]]:
        """(year, selected) of the year list, newest first. The page writes these two
        controls itself: Django's widget templates cost a few milliseconds a page."""
        chosen = self.form["year"].value()
        return [(value, value == chosen) for value, _ in self.filters["year"].extra["choices"]()]

    @property
    def any_of_tags(self) -> bool:
        return self.match_mode == MATCH_ANY and bool(self.included_tags)

    # Links: the current URL with one thing changed (no page number: a new filter
    # starts on its first page).

    def url(self, *, drop: tuple[str, ...] = (), **changes: list[str]) -> str:
        params = self.params.copy()
        for name in drop:
            params.pop(name, None)
        for name, values in changes.items():
            params.setlist(name, values)
        return f"?{params.urlencode()}" if params else "?"

    def chosen(self) -> list[dict]:
        """The choosers, each with its field, the row chosen (or None), the link that
        removes it and the candidates when a name was ambiguous."""
        rows = []
        for name in self.choosers:
            field = self.form[name]
            row = self.cleaned.get(name)
            chooser = field.field.chooser
            rows.append(
                {
                    "field": field,
                    "kind": field.field.kind,
                    "row": row,
                    "value": chooser.value(row) if row else "",
                    "label": chooser.label(row) if row else "",
                    "remove_url": self.url(drop=(name,)),
                    "candidates": [
                        {"label": chooser.label(c), "detail": chooser.describe(c)[1],
                         "url": self.url(**{name: [chooser.value(c)]})}
                        for c in field.field.candidates
                    ],
                }
            )  # fmt: skip
        return rows

    def queryset_without(self, *names: str):
        """The takeaways the other filters leave (as ``qs`` does for all of them)."""
        queryset = self.queryset.all()
        for name, value in self.cleaned.items():
            if name not in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @cached_property
    def tag_index_ids(self):
        """The ids of the takeaways shown, from the tag index alone, when tags ("all
        of") and exclusions are the only filters (a manager browsing by tag); else
        None. Counts and samples read it instead of the takeaway table."""
        if self.match_mode != MATCH_ALL or not self.included_tags:
            return None
        if any(self.cleaned.get(name) for name in ("event", "year", "speaker", "author")):
            return None
        return carrying_all_tags(
            [tag.pk for tag in self.included_tags],
            without=[tag.pk for tag in self.excluded_tags],
            reader=self.request.user,
        )

    def count(self) -> int:
        """How many takeaways the filters leave (one query): for one tag and nothing
        else, from its kept use count (exact, and as fast for the most used tag as
        for the least); else counted from the tag index or the rows."""
        if self.tag_index_ids is not None:
            if not self.excluded_tags:
                kept = takeaways_carrying(
                    [tag.pk for tag in self.included_tags], reader=self.request.user
                )
                if kept is not None:
                    return kept
            return self.tag_index_ids.count()
        return self.qs.count()

    @cached_property
    def tag_sample(self) -> list[Tag]:
        """The most used tags on the takeaways shown (with their counts by year), the
        chosen ones first: themes and facets both read it (one query)."""
        include = [tag.pk for tag in [*self.included_tags, *self.excluded_tags]]
        # Only the themes show years: the most used tags but those themes leave out.
        dating = {"dated": self.theme_limit, "undated": self._not_themes()}
        if self.tag_index_ids is not None:
            latest = self.tag_index_ids.order_by("-content_object_id")[:TAG_COUNT_SAMPLE]
            return tag_counts_by_year(latest, limit=self.facet_limit, include=include, **dating)
        return self.qs.tag_counts_by_year(limit=self.facet_limit, include=include, **dating)

    def _not_themes(self) -> set[int]:
        """The tags that are never themes: the excluded ones, and under "all of" the
        chosen ones (every takeaway shown carries them)."""
        left_out = {tag.pk for tag in self.excluded_tags}
        if self.match_mode == MATCH_ALL:
            left_out |= {tag.pk for tag in self.included_tags}
        return left_out

    def tag_options(self) -> list[Tag]:
        """The tags to offer, each with ``count``, ``included`` and ``excluded``: the
        chosen tags first, then the most used. Under "all of the chosen tags" the
        counts are of the takeaways shown (a tag no shown takeaway carries would empty
        the list); under "any of" they are of the takeaways the other filters leave,
        so that any tag can still be added (one more query)."""
        included, excluded = self.included_tags, self.excluded_tags
        if self.any_of_tags:
            counted_tags = self.queryset_without("tag").tag_counts(
                limit=self.facet_limit, include=[tag.pk for tag in [*included, *excluded]]
            )
        else:
            counted_tags = self.tag_sample
        counted = {tag.pk: tag for tag in counted_tags}
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
        return options[: self.facet_limit + len(chosen)]

    def themes(self) -> "Themes":
        """The top tags of the takeaways shown, each a link that narrows the list to it:
        under "all of" it is added to the chosen tags (which every takeaway shown
        carries, so they are no theme); under "any of" it replaces them."""
        left_out = self._not_themes()
        tags = [tag for tag in self.tag_sample if tag.pk not in left_out][: self.theme_limit]
        for tag in tags:
            if self.match_mode == MATCH_ANY:
                tag.narrow_url = self.url(drop=("match",), tag=[tag.slug])
            else:
                tag.narrow_url = self.url(tag=[*(t.slug for t in self.included_tags), tag.slug])
        return Themes(tags)

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


# A theme's trend: a bar per year in a box this wide and high (CSS px), whatever the
# number of years.
CHART_WIDTH = 96
CHART_HEIGHT = 24


class Themes:
    """Tags with counts by year, laid out as bar charts over one shared run of years
    (the years with any count, and those between them)."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        found = {year for tag in tags for year in tag.years if year is not None}
        self.years = list(range(min(found), max(found) + 1)) if found else []
        self.width, self.height = CHART_WIDTH, CHART_HEIGHT
        step = CHART_WIDTH / max(len(self.years), 1)
        for tag in tags:
            tallest = max(tag.years.values(), default=0) or 1
            tag.bars = []
            for index, year in enumerate(self.years):
                n = tag.years.get(year, 0)
                # At least a sliver for a year with any takeaway, none for an empty one.
                height = max(round(CHART_HEIGHT * n / tallest), 1) if n else 0
                tag.bars.append(
                    {"year": year, "n": n, "x": round(index * step + step * 0.1, 2),
                     "y": CHART_HEIGHT - height, "height": height, "width": round(step * 0.8, 2)}
                )  # fmt: skip
            tag.trend = ", ".join(f"{bar['year']}: {bar['n']}" for bar in tag.bars)
            tag.chart = self.chart(tag)

    def chart(self, tag: Tag) -> str:
        """The tag's bars as an inline SVG, built here rather than in the template: a
        few hundred numbers, each of which a template would localize one by one."""
        if not self.years:
            return ""
        # Numbers only (ints and rounded floats), which need no escaping: written as
        # format_html_join wrote them, without escaping each one (about 90 bars a page).
        bars = mark_safe(  # noqa: S308 - numbers only
            "".join(
                f'<rect x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" '
                f'height="{bar["height"]}"><title>{bar["year"]}: {bar["n"]}</title></rect>'
                for bar in tag.bars
            )
        )
        return format_html(
            '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            'preserveAspectRatio="none" role="img" aria-label="{name} by event year: {trend}" '
            'focusable="false">{bars}</svg>',
            w=self.width,
            h=self.height,
            name=tag.name,
            trend=tag.trend,
            bars=bars,
        )

    def __iter__(self):
        return iter(self.tags)

    def __len__(self) -> int:
        return len(self.tags)

    def __bool__(self) -> bool:
        return bool(self.tags)
