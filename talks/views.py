"""Talks' own pages: the events list, speakers, the takeaways list, and the forms
that add talks and open spaces. The event, talk and open-space pages show action
points and notes to edit too, so the app above them serves those (event_pages)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe

from common.caching import lazy_page, query_key
from talks import services
from talks.feeds import signed_feed_url
from talks.filters import EventListFilter, TakeawayFilter, recent_events, takeaway_authors
from talks.forms import OpenSpaceForm, TalkForm
from talks.models import TAG_COUNT_SAMPLE, Event, Speaker, Takeaway

PER_PAGE = 25
TAG_FACETS = 40


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
    filterset = TakeawayFilter(
        request.GET, queryset=Takeaway.objects.visible_to(request.user).newest_first()
    )
    included = filterset.included_tags
    # The filters and results are a cached fragment of the query string: what they
    # show is counted and loaded only when it is built.
    context = {
        "filter": filterset,
        # The reader too: takeaways drafted with a note are its author's.
        "query": (query_key(request), request.user.pk),
        "page": lazy_page(filterset.qs.with_listing_relations(), PER_PAGE, request.GET.get("page")),
        "tag_options": SimpleLazyObject(lambda: filterset.tag_options(limit=TAG_FACETS)),
        # Facets count the tags of the latest TAG_COUNT_SAMPLE matches (tag_counts).
        "facet_sample": TAG_COUNT_SAMPLE,
        "event_options": SimpleLazyObject(recent_events),
        "author_options": SimpleLazyObject(takeaway_authors),
        "tag_feed_url": signed_feed_url("talks:tag-feed", included[0].slug, request.user)
        if len(included) == 1
        else None,
        "feed_tag": included[0] if len(included) == 1 else None,
    }
    return render(request, "talks/takeaway_list.html", context)


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
