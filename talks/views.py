"""Talks' own pages: the events list, speakers, the takeaways list, and the forms
that add talks and open spaces. The event, talk and open-space pages show action
points and notes to edit too, so the app above them serves those (event_pages)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.decorators.http import require_http_methods, require_safe

from common.caching import query_key
from talks import services
from talks.feeds import signed_feed_url
from talks.filters import EventListFilter
from talks.forms import OpenSpaceForm, TalkForm
from talks.models import TAG_COUNT_SAMPLE, Event, Speaker, Takeaway
from talks.takeaway_filters import TakeawayFilter

PER_PAGE = 25
# The list grouped by tag: the top themes, with their latest takeaways each.
THEME_GROUPS = 6
PER_THEME = 3


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = EventListFilter(request.GET, queryset=Event.objects.newest_first())
    events = filterset.qs.with_counts(request.user)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "filter": filterset, "filtered": filterset.form.has_changed()}
    return render(request, "talks/event_list.html", context)


@require_safe
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = get_object_or_404(Speaker, slug=slug)
    talks = speaker.talks.with_listing_relations().order_by("-event__starts_on", "title", "pk")
    page = Paginator(talks, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "talks/speaker_detail.html", {"speaker": speaker, "page": page})


@require_safe
def takeaway_list(request: HttpRequest) -> HttpResponse:
    """Takeaways for managers: the themes of what the filters leave (top tags with
    their trend by year, each a link that narrows the list), then the takeaways
    grouped by event (latest first) or, with ``group=tag``, by theme."""
    filterset = TakeawayFilter(
        request.GET, queryset=Takeaway.objects.readable_by(request.user), request=request
    )
    included = filterset.included_tags
    by_tag = request.GET.get("group") == "tag"
    takeaways = filterset.qs.by_event_date().values_list("pk", flat=True)
    page = (
        None
        if by_tag
        else lazy_page_of(
            TakeawayPaginator(takeaways, PER_PAGE, count=filterset.count), request.GET.get("page")
        )
    )
    groups = SimpleLazyObject(lambda: ThemeGroups(filterset)) if by_tag else None
    # The filters and results are a cached fragment of the query string: what they
    # show is counted and loaded only when it is built.
    context = {
        "filter": filterset,
        "query": query_key(request),
        "page": page,
        "by_tag": by_tag,
        "theme_groups": groups,
        "count": MatchCount(lambda: groups.count if by_tag else page.paginator.count),
        "themes": SimpleLazyObject(filterset.themes),
        "tag_options": SimpleLazyObject(filterset.tag_options),
        "chosen": SimpleLazyObject(filterset.chosen),
        # Themes and facets count the tags of the latest TAG_COUNT_SAMPLE matches.
        "facet_sample": TAG_COUNT_SAMPLE,
        "by_event_url": filterset.url(drop=("group",)),
        "by_tag_url": filterset.url(group=["tag"]),
        "tag_feed_url": signed_feed_url("talks:tag-feed", included[0].slug, request.user)
        if len(included) == 1
        else None,
        "feed_tag": included[0] if len(included) == 1 else None,
    }
    return render(request, "talks/takeaway_list.html", context)


# What a row of the list shows (talks.templatetags.takeaway_rows): the sessions'
# abstracts, the events' descriptions and the authors' accounts stay in the database.
LISTED_COLUMNS = (
    "text",
    "event__name",
    "event__slug",
    "event__starts_on",
    "talk__title",
    "talk__slug",
    "open_space__topic",
    "open_space__slug",
    "author__username",
    "author__first_name",
    "author__last_name",
)


class TakeawayPaginator(Paginator):
    """Pages of takeaways: the page's ids first (the filters and the order, over the
    takeaway, event and tag tables only), then those rows with everything the list
    shows. One query joining all of it cost more to plan than to run (15 ms against
    5 at scale 100). Counted as the filters say (they may know a cheaper way)."""

    def __init__(self, ids, per_page: int, *, count: Callable[[], int]) -> None:
        super().__init__(ids, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list[bottom : bottom + self.per_page])
        rows = (
            Takeaway.objects.filter(pk__in=ids)
            .with_listing_relations()
            .only(*LISTED_COLUMNS)
            .order_by()
        )
        by_pk = {row.pk: row for row in rows} if ids else {}
        return self._get_page([by_pk[pk] for pk in ids if pk in by_pk], number, self)


def lazy_page_of(paginator: Paginator, number) -> Page:
    """``paginator.get_page(number)``, counted and loaded when the template first
    uses it (a page served from the cache runs no query)."""
    return SimpleLazyObject(lambda: paginator.get_page(number))


class MatchCount:
    """How many takeaways match, asked for when the page first shows it (the list's
    own count, no query of its own), and whether tags were counted in a sample."""

    def __init__(self, count: Callable[[], int]) -> None:
        self._count = count

    @cached_property
    def value(self) -> int:
        return self._count()

    @property
    def sampled(self) -> bool:
        return self.value > TAG_COUNT_SAMPLE


class ThemeGroups:
    """The latest takeaways of each theme (``PER_THEME``), for the list grouped by
    tag: one query for the ids of every theme (a UNION of one short walk per theme),
    one for the rows, one for their tags, and the count of all that match."""

    def __init__(self, filterset: TakeawayFilter) -> None:
        self.themes = list(filterset.themes())[:THEME_GROUPS]
        self.count = filterset.count()
        walks = [
            filterset.qs.with_all_tags([tag.pk])
            .by_event_date()
            .annotate(theme=Value(tag.pk))
            .values_list("pk", "theme")[:PER_THEME]
            for tag in self.themes
        ]
        pairs = list(walks[0].union(*walks[1:], all=True)) if walks else []
        rows = Takeaway.objects.filter(pk__in={pk for pk, _ in pairs}).with_listing_relations()
        by_pk = {takeaway.pk: takeaway for takeaway in rows} if pairs else {}
        for tag in self.themes:
            tag.takeaways = [by_pk[pk] for pk, theme in pairs if theme == tag.pk and pk in by_pk]
            tag.takeaways.sort(
                key=lambda t: (t.event.starts_on, t.event_id, t.created_at, t.pk), reverse=True
            )

    def __iter__(self):
        return iter(self.themes)

    def __bool__(self) -> bool:
        return bool(self.themes)


def _add_session(
    request: HttpRequest, event_slug: str, form_class: type[TalkForm] | type[OpenSpaceForm]
) -> HttpResponse:
    """The form that adds a talk or an open space to an event (``form_class`` says
    which), then goes to the new session's page."""
    event = get_object_or_404(Event, slug=event_slug)
    form = form_class(request.POST if request.method == "POST" else None, event=event)
    kind = "talk" if form_class is TalkForm else "open space"
    add = services.add_talk if form_class is TalkForm else services.add_open_space
    if form.is_valid():
        try:
            session = add(event=event, **form.cleaned_data)
        except ValidationError as error:  # added by someone else since the form was checked
            form.add_error(None, error)
        else:
            messages.success(request, f"Added the {kind} “{session}” to {event.name}.")
            return redirect(session)
    template = f"talks/{kind.replace(' ', '_')}_form.html"
    return render(request, template, {"form": form, "event": event})


@permission_required("talks.add_talk", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def talk_new(request: HttpRequest, event_slug: str) -> HttpResponse:
    return _add_session(request, event_slug, TalkForm)


@permission_required("talks.add_openspace", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def open_space_new(request: HttpRequest, event_slug: str) -> HttpResponse:
    return _add_session(request, event_slug, OpenSpaceForm)
