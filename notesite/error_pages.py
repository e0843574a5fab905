"""The site's own 404 page while developing too.

With DEBUG on, Django answers a missing page with its technical 404 (every URL
pattern it tried) instead of the site's ``404.html``, so a developer never sees the
page people get, nor its links. This middleware gives the site's page in both modes;
with DEBUG off it changes nothing, Django already does the same. 403 and 400 pages
are the site's in both modes already; a 500 keeps its traceback while developing.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404
from django.views.defaults import page_not_found


class SiteNotFoundPage:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            # No URL pattern matched, so no view ran: the response is Django's list
            # of the patterns it tried.
            return page_not_found(request, Resolver404({"path": request.path_info}))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A view's Http404 (get_object_or_404); a view that renders its own 404 page
        # (an unknown tag) raises nothing and keeps it.
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
