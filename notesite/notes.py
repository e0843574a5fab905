from django.http import Http404, HttpRequest, HttpResponse


def new_for_event(request: HttpRequest, event_slug: str) -> HttpResponse:
    raise Http404("Not built yet.")


def new_for_talk(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    raise Http404("Not built yet.")


def new_for_open_space(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    raise Http404("Not built yet.")


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404("Not built yet.")


def delete(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404("Not built yet.")
