from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe

from common.caching import Newest, lazy_page, query_key
from common.roles import sees_everyones_follow_ups
from talks import services
from talks.feeds import signed_feed_url
from talks.filters import EventListFilter, TakeawayFilter, recent_events, takeaway_authors
from talks.forms import OpenSpaceForm, TalkForm
from talks.models import TAG_COUNT_SAMPLE, Event, Follow, OpenSpace, Speaker, Takeaway, Talk
from talks.tagging import attach_tags

PER_PAGE = 25
# The event page shows the newest takeaways, action points and notes on its sessions,
# and links to the rest (its cost is rendering: the biggest event has ~750 rows).
TAKEAWAYS_ON_EVENT_PAGE = 30
ACTION_POINTS_ON_EVENT_PAGE = 30
SESSION_NOTES_PER_PAGE = 30
# Notes on the event as a whole are shown in full.
EVENT_NOTES_PER_PAGE = 20
TAG_FACETS = 40


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = EventListFilter(request.GET, queryset=Event.objects.newest_first())
    events = filterset.qs.with_counts(request.user)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "filter": filterset, "filtered": filterset.form.has_changed()}
    return render(request, "talks/event_list.html", context)


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    attach_tags([event])
    notes = event.notes.visible_to(request.user).select_related("author")
    # Lists that only link to their rows load no long texts; rows loaded through
    # ``event``'s related managers know their event without a join.
    talks = event.talks.prefetch_related("speakers").with_tags().defer("abstract", "abstract_html")
    session_notes = (
        notes.exclude(talk=None, open_space=None)
        .select_related("talk", "open_space")
        .defer("body", "body_html", "talk__abstract", "talk__abstract_html")
        .defer("talk__search_vector", "open_space__search_vector")
        .order_by("-created_at", "-pk")
    )
    # Everything below the event's heading is lazy: the template's cached fragments
    # (common.caching) query only when they are built.
    context = {
        "event": event,
        "talks": talks,
        "open_spaces": event.open_spaces.with_listing_relations(),
        "event_notes": lazy_page(
            notes.filter(talk=None, open_space=None).order_by("-created_at", "-pk"),
            EVENT_NOTES_PER_PAGE,
            request.GET.get("event_notes_page"),
        ),
        "session_notes": lazy_page(
            session_notes, SESSION_NOTES_PER_PAGE, request.GET.get("session_notes_page")
        ),
        "takeaways": Newest(
            event.takeaways.visible_to(request.user).with_listing_relations().newest_first(),
            TAKEAWAYS_ON_EVENT_PAGE,
        ),
        "action_points": Newest(
            event.actionpoints.visible_to(request.user)
            .with_listing_relations()
            .order_by("-created_at", "-pk"),
            ACTION_POINTS_ON_EVENT_PAGE,
        ),
        "sees_everyones_follow_ups": sees_everyones_follow_ups(request.user),
        "feed_url": signed_feed_url("talks:event-feed", event.slug, request.user),
        "following": Follow.objects.of(request.user).filter(event=event).exists(),
    }
    return render(request, "talks/event_detail.html", context)


def session_context(request: HttpRequest, session: Talk | OpenSpace) -> dict:
    """What a talk or open-space page shows besides the session itself."""
    return {
        "event": session.event,
        "notes": session.notes.visible_to(request.user).select_related("author"),
        "takeaways": session.takeaways.visible_to(request.user)
        .with_listing_relations()
        .newest_first(),
        "action_points": session.actionpoints.visible_to(request.user).with_listing_relations(),
    }


@require_safe
def talk_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    talk = get_object_or_404(
        Talk.objects.with_listing_relations(), event__slug=event_slug, slug=slug
    )
    context = {"talk": talk, **session_context(request, talk)}
    return render(request, "talks/talk_detail.html", context)


@require_safe
def open_space_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    open_space = get_object_or_404(
        OpenSpace.objects.with_listing_relations(), event__slug=event_slug, slug=slug
    )
    context = {"open_space": open_space, **session_context(request, open_space)}
    return render(request, "talks/open_space_detail.html", context)


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


@permission_required("talks.add_talk", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def talk_new(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=event_slug)
    form = TalkForm(request.POST if request.method == "POST" else None, event=event)
    if form.is_valid():
        try:
            talk = services.add_talk(event=event, **form.cleaned_data)
        except ValidationError as error:  # added by someone else since the form was checked
            form.add_error(None, error)
        else:
            messages.success(request, f"Added the talk “{talk.title}” to {event.name}.")
            return redirect(talk)
    return render(request, "talks/talk_form.html", {"form": form, "event": event})


@permission_required("talks.add_openspace", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def open_space_new(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=event_slug)
    form = OpenSpaceForm(request.POST if request.method == "POST" else None, event=event)
    if form.is_valid():
        try:
            open_space = services.add_open_space(event=event, **form.cleaned_data)
        except ValidationError as error:  # added by someone else since the form was checked
            form.add_error(None, error)
        else:
            messages.success(request, f"Added the open space “{open_space.topic}” to {event.name}.")
            return redirect(open_space)
    return render(request, "talks/open_space_form.html", {"form": form, "event": event})
