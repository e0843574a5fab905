"""``{{ value|http_url }}``: a stored link, or nothing when it is not http(s); and
``{% route "name" arg %}``, ``{% url %}`` for links a list repeats (``fast_reverse``).

Every template that puts a stored address into ``href`` or ``src`` goes through this
filter, so a row that got past the model's validator (written before it existed, or
by raw SQL) still cannot become a ``javascript:`` or ``data:`` link."""

from django import template

from common.links import is_http_url
from common.reversing import fast_reverse

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return value if is_http_url(value) else ""


@register.simple_tag
def route(name: str, *args: str | int) -> str:
    """``{% url name arg %}`` for the links a list repeats (escaped as it is)."""
    return fast_reverse(name, *args)
