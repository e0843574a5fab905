from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from actions.models import ActionPoint
from talks.models import Event


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    my_open = (
        ActionPoint.objects.open()
        .assigned_to(request.user)
        .select_related("event")
        .order_by("due_on")[:10]
    )
    events = Event.objects.newest_first()[:5]
    return render(request, "home.html", {"my_open": my_open, "events": events})


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    raise Http404("Search is not built yet.")


@require_safe
def tag_list(request: HttpRequest) -> HttpResponse:
    raise Http404("Tags are not built yet.")


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404("Tags are not built yet.")
