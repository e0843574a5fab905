"""Requests refused before any view sees them."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# C0 control characters and DEL. No address or query parameter here has a use for
# them, and PostgreSQL refuses NUL in text outright, so a lookup on "%00" would fail
# with a database error (a 500) wherever a parameter reaches a query.
CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
# Tab and line breaks pass in the query string: a textarea in a GET form has them.
CONTROL_IN_QUERY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_in(request: HttpRequest) -> str | None:
    """Where ``request``'s address carries a control character (the path, or the
    query parameter's name), or None when it carries none."""
    if CONTROL_IN_PATH.search(request.path_info):
        return "the address"
    for name, values in request.GET.lists():
        if any(CONTROL_IN_QUERY.search(text) for text in [name, *values]):
            return f"the parameter “{CONTROL_IN_QUERY.sub('', name)[:40]}”"
    return None


def refuse_control_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer 400, saying where, to a request whose path or query string holds a
    control character (NUL, ESC, ...), for every page and the admin alike.

    Form fields need no such check: Django's form fields refuse NUL themselves, with
    an error next to the field, and keep what was typed."""

    def middleware(request: HttpRequest) -> HttpResponse:
        where = control_character_in(request)
        if where is not None:
            return render(request, "400.html", {"where": where}, status=400)
        return get_response(request)

    return middleware
