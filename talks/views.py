from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from talks.models import Event, Note, OpenSpace, Speaker, Talk

EVENTS_PER_PAGE = 25


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.newest_first()
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "talks/event_list.html", {"page": page})


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    talks = Talk.objects.for_event(event).with_listing_relations()
    open_spaces = event.open_spaces.with_listing_relations()
    notes = (
        Note.objects.visible_to(request.user)
        .filter(event=event, talk=None, open_space=None)
        .select_related("author")
    )
    context = {"event": event, "talks": talks, "open_spaces": open_spaces, "notes": notes}
    return render(request, "talks/event_detail.html", context)


@require_safe
def talk_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    talk = get_object_or_404(
        Talk.objects.with_listing_relations(), event__slug=event_slug, slug=slug
    )
    notes = Note.objects.visible_to(request.user).filter(talk=talk).select_related("author")
    return render(request, "talks/talk_detail.html", {"talk": talk, "notes": notes})


@require_safe
def open_space_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    open_space = get_object_or_404(
        OpenSpace.objects.select_related("event"), event__slug=event_slug, slug=slug
    )
    notes = (
        Note.objects.visible_to(request.user).filter(open_space=open_space).select_related("author")
    )
    context = {"open_space": open_space, "notes": notes}
    return render(request, "talks/open_space_detail.html", context)


@require_safe
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = get_object_or_404(Speaker, slug=slug)
    talks = speaker.talks.with_listing_relations().order_by("-event__starts_on")
    return render(request, "talks/speaker_detail.html", {"speaker": speaker, "talks": talks})


@require_safe
def takeaway_list(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")
