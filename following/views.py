"""Following a tag or an event: POST-only buttons on the tag and event pages."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from taggit.models import Tag

from common.middleware import CONTROL_IN_PATH
from talks.models import Event, Follow


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """To the page the button was on (``next``), if it is on this site."""
    target = request.POST.get("next", "")
    # Django checks only the first character for control characters; one further in
    # would make the redirect land on a 400.
    if CONTROL_IN_PATH.search(target) or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


def _where(request: HttpRequest) -> str:
    if request.user.email:
        return "on your dashboard and in a weekly email"
    return "on your dashboard (add an email address to your account to get a weekly email)"


def _set_following(
    request: HttpRequest, follows: bool, *, tag: Tag | None = None, event: Event | None = None
) -> HttpResponse:
    """Start (``follows``) or stop following ``tag`` or ``event``, say so, and go back
    to the page the button was on (else the followed thing's page)."""
    name = f"“{tag.name}”" if tag else event.name
    if follows:
        Follow.objects.start(request.user, tag=tag, event=event)
        message = f"You follow {name}: new takeaways and notes show {_where(request)}."
    else:
        Follow.objects.stop(request.user, tag=tag, event=event)
        message = f"You no longer follow {name}."
    messages.success(request, message)
    return _back(request, Follow(tag=tag, event=event).get_absolute_url())


@require_POST
def tag_follow(request: HttpRequest, slug: str, *, follows: bool) -> HttpResponse:
    return _set_following(request, follows, tag=get_object_or_404(Tag, slug=slug))


@require_POST
def event_follow(request: HttpRequest, slug: str, *, follows: bool) -> HttpResponse:
    return _set_following(request, follows, event=get_object_or_404(Event, slug=slug))
