from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from talks import services
from talks.feeds import signed_feed_url
from talks.filters import EventListFilter, TakeawayFilter, recent_events, takeaway_authors
from talks.forms import OpenSpaceForm, TalkForm
from talks.models import Event, Follow, OpenSpace, Speaker, Takeaway, Talk
from talks.tagging import attach_tags

PER_PAGE = 25
# The event page shows the newest takeaways and links to the takeaways page for the rest.
TAKEAWAYS_ON_EVENT_PAGE = 30
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
    takeaways = list(
        event.takeaways.with_listing_relations().newest_first()[: TAKEAWAYS_ON_EVENT_PAGE + 1]
    )
    context = {
        "event": event,
        "talks": Talk.objects.for_event(event).with_listing_relations(),
        "open_spaces": event.open_spaces.with_listing_relations(),
        "event_notes": notes.filter(talk=None, open_space=None),
        "session_notes": notes.exclude(talk=None, open_space=None).select_related(
            "talk", "open_space"
        ),
        "takeaways": takeaways[:TAKEAWAYS_ON_EVENT_PAGE],
        "more_takeaways": len(takeaways) > TAKEAWAYS_ON_EVENT_PAGE,
        "action_points": event.actionpoints.with_listing_relations(),
        "feed_url": signed_feed_url("talks:event-feed", event.slug, request.user),
        "following": Follow.objects.of(request.user).filter(event=event).exists(),
    }
    return render(request, "talks/event_detail.html", context)


def session_context(request: HttpRequest, session: Talk | OpenSpace) -> dict:
    """What a talk or open-space page shows besides the session itself."""
    return {
        "event": session.event,
        "notes": session.notes.visible_to(request.user).select_related("author"),
        "takeaways": session.takeaways.with_listing_relations().newest_first(),
        "action_points": session.actionpoints.with_listing_relations(),
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
    filterset = TakeawayFilter(request.GET, queryset=Takeaway.objects.newest_first())
    takeaways = filterset.qs
    page = Paginator(takeaways.with_listing_relations(), PER_PAGE).get_page(request.GET.get("page"))
    included = filterset.included_tags
    context = {
        "page": page,
        "filter": filterset,
        "tag_options": filterset.tag_options(limit=TAG_FACETS),
        "event_options": recent_events(),
        "author_options": takeaway_authors(),
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
        talk = services.add_talk(event=event, **form.cleaned_data)
        messages.success(request, f"Added the talk “{talk.title}” to {event.name}.")
        return redirect(talk)
    return render(request, "talks/talk_form.html", {"form": form, "event": event})


@permission_required("talks.add_openspace", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def open_space_new(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=event_slug)
    form = OpenSpaceForm(request.POST if request.method == "POST" else None, event=event)
    if form.is_valid():
        open_space = services.add_open_space(event=event, **form.cleaned_data)
        messages.success(request, f"Added the open space “{open_space.topic}” to {event.name}.")
        return redirect(open_space)
    return render(request, "talks/open_space_form.html", {"form": form, "event": event})
