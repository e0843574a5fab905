"""``reverse()`` for the links a list repeats.

A page of 112 talks with their speakers and tags made about 860 ``reverse()`` calls,
a third of its rendering: each one walks Django's resolver, translation and
converter machinery. ``fast_reverse`` reverses a route once with placeholder
arguments and then fills in each link's arguments. For arguments made only of ASCII
letters, digits, ``-`` and ``_`` (every slug and id) that is exactly what
``reverse()`` returns: they match the slug, str and int converters and quoting
leaves them as they are. Any other argument goes through ``reverse()`` itself, which
quotes it or refuses it as it always does.
"""

import html
import re
from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

_PLAIN = re.compile(r"[-a-zA-Z0-9_]+")
_DIGITS = re.compile(r"[0-9]+")
# Placeholders no converter refuses and quoting keeps: letters and digits for
# slugs and strings, digits for ids (an int converter takes nothing else).
_WORD_PLACEHOLDER = "zzfastreverse{}zz"
_ID_PLACEHOLDER = "987654321{}"


@lru_cache(maxsize=128)
def _pieces(resolver, prefix: str, name: str, kinds: tuple[bool, ...]) -> tuple[str, ...]:
    """The route's address split around its arguments (``kinds``: whether each is an
    id): one piece more than there are arguments.

    Keyed by the resolver and the script prefix, as ``reverse()`` depends on both (a
    test that swaps the URLconf gets a new resolver)."""
    placeholders = [
        (_ID_PLACEHOLDER if is_id else _WORD_PLACEHOLDER).format(n) for n, is_id in enumerate(kinds)
    ]
    url = reverse(name, args=placeholders)
    pieces = []
    for placeholder in placeholders:
        before, _, url = url.partition(placeholder)
        pieces.append(before)
    pieces.append(url)
    return tuple(pieces)


def fast_reverse(name: str, *args: str | int) -> str:
    """``reverse(name, args=args)``, without walking the resolver for plain slugs and
    ids (see the module's docstring)."""
    return _fast_reverse(get_resolver(get_urlconf()), get_script_prefix(), name, args)


def _fast_reverse(resolver, prefix: str, name: str, args: tuple) -> str:
    texts = [str(arg) for arg in args]
    kinds = tuple(isinstance(arg, int) for arg in args)
    plain = all(
        (_DIGITS if is_id else _PLAIN).fullmatch(text)
        for text, is_id in zip(texts, kinds, strict=True)
    )
    if not plain:
        return reverse(name, args=args)
    pieces = _pieces(resolver, prefix, name, kinds)
    parts = [pieces[0]]
    for text, piece in zip(texts, pieces[1:], strict=True):
        parts += (text, piece)
    return "".join(parts)


class EscapedAddresses(dict):
    """Escaped addresses by (route, *arguments), each reversed once: for rows written
    in Python, which repeat the same events, tags and speakers on a page. The URLconf
    and script prefix are read once, when it is made (a list is written within one
    request), not once per address: those reads were most of a long list's links."""

    def __init__(self) -> None:
        super().__init__()
        self._resolver = get_resolver(get_urlconf())
        self._prefix = get_script_prefix()

    def __missing__(self, key: tuple) -> str:
        address = self[key] = html.escape(
            _fast_reverse(self._resolver, self._prefix, key[0], key[1:])
        )
        return address
