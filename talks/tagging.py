"""Tags for a page of objects in one query per model.

``obj.tags.all()`` builds a new queryset per object even when prefetched, and
``obj.tags.names()`` bypasses the prefetch entirely (DESIGN.md, "Known pitfalls").
Pages call ``attach_tags`` on the rows they show and templates read ``tag_list``.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from taggit.models import Tag


def tagged_item_model(model: type[models.Model]) -> type[models.Model]:
    """The per-model through table behind ``model.tags``."""
    return model._meta.get_field("tags").remote_field.through


def attach_tags(objects: Iterable[models.Model]) -> list[models.Model]:
    """Set ``tag_list`` (tags sorted by name) on each object; returns the objects."""
    objects = list(objects)
    by_model: dict[type, dict[int, models.Model]] = defaultdict(dict)
    for obj in objects:
        obj.tag_list = []
        by_model[type(obj)][obj.pk] = obj
    for model, by_pk in by_model.items():
        links = (
            tagged_item_model(model)
            .objects.filter(content_object_id__in=by_pk)
            .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
            .order_by("tag__name")
        )
        for object_id, tag_id, name, slug in links:
            by_pk[object_id].tag_list.append(Tag(id=tag_id, name=name, slug=slug))
    return objects


class TaggedQuerySet(models.QuerySet):
    """A queryset whose ``with_tags()`` sets ``tag_list`` on every row it loads,
    with one extra query per evaluation (not per row)."""

    _with_tags = False

    def with_tags(self):
        clone = self._chain()
        clone._with_tags = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_tags = self._with_tags
        return clone

    def _fetch_all(self) -> None:
        loaded = self._result_cache is not None
        super()._fetch_all()
        if self._with_tags and not loaded and self._iterable_class is models.query.ModelIterable:
            attach_tags(self._result_cache)
