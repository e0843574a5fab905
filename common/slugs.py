from django.db import models
from django.utils.text import slugify


def unique_slug(instance: models.Model, text: str, *, scope: dict | None = None) -> str:
    """A slug for ``text`` that no other row of the model (within ``scope``) uses.

    ``scope`` narrows uniqueness, e.g. ``{"event": event}`` for talks, whose slugs are
    unique per event. Collisions get ``-2``, ``-3``... appended.
    """
    field = instance._meta.get_field("slug")
    base = (slugify(text) or "untitled")[: field.max_length - 8].strip("-")
    others = type(instance)._default_manager.filter(**(scope or {}))
    if instance.pk:
        others = others.exclude(pk=instance.pk)
    # "new" would be shadowed by the add pages (/events/<slug>/talks/new/).
    taken = {"new"} | set(others.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
