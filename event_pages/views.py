"""The event, talk and open-space pages. Each shows talks' things (sessions, notes,
takeaways) with action points and the links to write notes, follow and export, so
they live above every app they show; talks names their addresses
(``talks.urls.urlconf``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from actions.models import ActionPoint
from common.caching import Newest, lazy_page
from common.roles import sees_everyones_follow_ups
from talks.feeds import signed_feed_url
from talks.models import Event, Follow, OpenSpace, Talk, programme
from talks.tagging import attach_tags

# The event page shows the newest takeaways, action points and notes on its sessions,
# and links to the rest (its cost is rendering: the biggest event has ~750 rows).
TAKEAWAYS_ON_EVENT_PAGE = 30
ACTION_POINTS_ON_EVENT_PAGE = 30
SESSION_NOTES_PER_PAGE = 30
# Notes on the event as a whole are shown in full.
EVENT_NOTES_PER_PAGE = 20


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    attach_tags([event])
    notes = event.notes.visible_to(request.user).select_related("author")
    # Lists that only link to their rows load no long texts; rows loaded through
    # ``event``'s related managers know their event without a join.
    talks = (
        event.talks.in_programme_order()
        .prefetch_related("speakers")
        .with_tags()
        .defer("abstract", "abstract_html")
    )
    open_spaces = event.open_spaces.with_listing_relations().in_programme_order()
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
        "open_spaces": open_spaces,
        # Built from the two lists above when first used (no further queries).
        "programme": SimpleLazyObject(lambda: programme([*talks, *open_spaces])),
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
            ActionPoint.objects.filter(event=event)
            .visible_to(request.user)
            .with_listing_relations()
            .defer("details", "details_html")
            .order_by("-created_at", "-pk"),
            ACTION_POINTS_ON_EVENT_PAGE,
        ),
        "sees_everyones_follow_ups": sees_everyones_follow_ups(request.user),
        "feed_url": signed_feed_url("talks:event-feed", event.slug, request.user),
        "following": Follow.objects.of(request.user).filter(event=event).exists(),
    }
    return render(request, "event_pages/event_detail.html", context)


def _session_page(
    request: HttpRequest, model: type[Talk] | type[OpenSpace], event_slug: str, slug: str
) -> HttpResponse:
    """A talk's or an open space's page: the session, and its notes, takeaways and
    action points. The template and the session's name in it follow the model
    (``talk_detail.html`` with ``talk``, ``open_space_detail.html`` with ``open_space``)."""
    session = get_object_or_404(
        model.objects.with_listing_relations(), event__slug=event_slug, slug=slug
    )
    name = "talk" if model is Talk else "open_space"
    context = {
        name: session,
        "event": session.event,
        "notes": session.notes.visible_to(request.user).select_related("author"),
        "takeaways": session.takeaways.visible_to(request.user)
        .with_listing_relations()
        .newest_first(),
        "action_points": ActionPoint.objects.filter(**{name: session})
        .visible_to(request.user)
        .with_listing_relations(),
    }
    return render(request, f"event_pages/{name}_detail.html", context)


@require_safe
def talk_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    return _session_page(request, Talk, event_slug, slug)


@require_safe
def open_space_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    return _session_page(request, OpenSpace, event_slug, slug)
