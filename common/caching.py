"""Page fragments cached under the content version, so they are never stale.

PostgreSQL counts the commits that change what pages show (``ContentVersion``,
bumped by triggers at commit). A fragment is stored under the version read before it
was built, and today's date (overdue marks change without a write): any later change,
whatever wrote it, moves every page to new keys. A fragment built from data newer
than its version is harmless (the next request reads the newer version and builds
again).

The cache is the process's memory (``CACHES``): every process checks the version in
the database, so web processes need share nothing, and a fragment a process lacks is
simply built. Fragments with something personal in them (a user's drafts, their Edit
links, what their role sees) carry that in their key.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.safestring import SafeString, mark_safe

# Old versions' fragments are never read again; the cache's size bound evicts them.
FRAGMENT_TIMEOUT = 60 * 60


def content_version(request: HttpRequest) -> int | None:
    """The content version, read once per request; None when nothing may be cached.

    Inside a transaction a page could show its own uncommitted writes (and they may
    roll back), so nothing read there is cached."""
    if connection.in_atomic_block:
        return None
    if not hasattr(request, "_content_version"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM talks_contentversion")
            row = cursor.fetchone()
        request._content_version = row[0] if row else None
    return request._content_version


def query_key(request: HttpRequest) -> tuple:
    """The query string as part of a key: parameters sorted, repeated values in order."""
    return tuple(sorted((name, tuple(values)) for name, values in request.GET.lists()))


KEY_TYPES = (str, int, bool, type(None))


def key_part(value):
    """A key part whose repr names it exactly: a row becomes (model, pk); anything
    else that is not a plain value is refused rather than risk two fragments sharing a
    key (a model instance's repr is only its name)."""
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk)
    if isinstance(value, tuple | list):
        return tuple(key_part(item) for item in value)
    if isinstance(value, KEY_TYPES):
        return value
    raise TypeError(f"A fragment key part must be a row or a plain value, not {value!r}.")


def cached_fragment(request: HttpRequest, key: tuple, build: Callable[[], str]) -> SafeString:
    """``build()``'s HTML, from the cache when this version has it."""
    version = content_version(request)
    if version is None:
        return mark_safe(build())  # noqa: S308 - rendered template output, escaped there
    # Today is part of every key: pages mark overdue follow-ups without any write.
    today = timezone.localdate().isoformat()
    digest = hashlib.sha256(repr((version, today, key_part(key))).encode()).hexdigest()
    cache_key = f"fragment:{digest}"
    html = cache.get(cache_key)
    if html is None:
        html = str(build())
        cache.set(cache_key, html, FRAGMENT_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered template output, escaped there


# Lists for fragments: loaded when first rendered, so a cached fragment costs no query.


class Newest:
    """The first ``limit`` rows of ``queryset`` and whether there are more (one query,
    run when first iterated or asked)."""

    def __init__(self, queryset, limit: int):
        self.queryset = queryset
        self.limit = limit

    @cached_property
    def _rows(self) -> list:
        return list(self.queryset[: self.limit + 1])

    @property
    def more(self) -> bool:
        return len(self._rows) > self.limit

    def __iter__(self):
        return iter(self._rows[: self.limit])

    def __len__(self) -> int:
        return min(len(self._rows), self.limit)

    def __bool__(self) -> bool:
        return bool(self._rows)


def lazy_page(queryset, per_page: int, number) -> Page:
    """``Paginator(queryset, per_page).get_page(number)``, counted and loaded when the
    template first uses it."""
    return SimpleLazyObject(lambda: Paginator(queryset, per_page).get_page(number))
