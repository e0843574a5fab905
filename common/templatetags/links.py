"""``{{ value|http_url }}``: a stored link, or nothing when it is not http(s).

Every template that puts a stored address into ``href`` or ``src`` goes through this
filter, so a row that got past the model's validator (written before it existed, or
by raw SQL) still cannot become a ``javascript:`` or ``data:`` link."""

from django import template

from common.links import is_http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return value if is_http_url(value) else ""
