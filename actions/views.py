from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from actions.models import ActionPoint


@require_safe
def action_point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action_point = get_object_or_404(
        ActionPoint.objects.with_listing_relations().select_related("raised_by"), pk=pk
    )
    history = action_point.history.select_related("changed_by")
    return render(
        request, "actions/action_point_detail.html", {"ap": action_point, "history": history}
    )


@require_safe
def action_point_list(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")
