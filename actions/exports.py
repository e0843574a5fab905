from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse


def follow_ups_csv(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")


def calendar_settings(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404("Not built yet.")


@admin.action(description="Export selected as CSV", permissions=["view"])
def export_as_csv(modeladmin, request: HttpRequest, queryset) -> HttpResponse:
    raise Http404("Not built yet.")
