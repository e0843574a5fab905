"""The one rule for every link stored in the database: an absolute http(s) address.

Pages put stored links into ``href``, where ``javascript:``, ``data:`` or
``vbscript:`` would run or show whatever the link's author wanted, so every URL
field uses :data:`validate_http_url` and every way in (admin, forms, import,
``full_clean`` from a shell) refuses them the same way. Templates also pass stored
links through the ``http_url`` filter, which drops whatever got past this (rows
written before the rule, raw SQL).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible

SCHEMES = ("http", "https")
MESSAGE = "Enter a web address starting with http:// or https://."


def is_http_url(value: object) -> bool:
    """True when ``value`` is an address a page may link to: ``http://`` or
    ``https://`` (in any case) right at its start, then a host, with no whitespace
    or control characters anywhere (browsers drop those, so ``java\\tscript:``
    and `` javascript:`` would otherwise sneak through)."""
    if not isinstance(value, str):
        return False
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        return False
    scheme, separator, rest = value.partition("://")
    return bool(separator) and scheme.lower() in SCHEMES and bool(rest) and rest[0] != "/"


@deconstructible
class HttpURLValidator(URLValidator):
    """Django's URL check narrowed to http and https, with the stricter start
    :func:`is_http_url` asks for; one message whatever is wrong."""

    message = MESSAGE
    code = "invalid_url"

    def __init__(self, **kwargs) -> None:
        super().__init__(schemes=list(SCHEMES), **kwargs)

    def __call__(self, value: object) -> None:
        if not is_http_url(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


validate_http_url = HttpURLValidator()


class HttpURLFormField(forms.URLField):
    """A form's link field under the same rule; an address typed without a scheme
    is https (Django 6's default)."""

    default_validators = [validate_http_url]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class HttpURLField(models.URLField):
    """The model field for every stored link: :data:`validate_http_url` replaces
    Django's check (which also lets ftp through), so a bad value gets one message."""

    default_validators = [validate_http_url]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": HttpURLFormField, **kwargs})
