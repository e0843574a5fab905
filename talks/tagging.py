"""Tags for a page of objects in one query per model.

``obj.tags.all()`` builds a new queryset per object even when prefetched, and
``obj.tags.names()`` bypasses the prefetch entirely: on a 25-row page that cost most of its time.
Pages call ``attach_tags`` on the rows they show and templates read ``tag_list``.

``validate_tag_name`` is the one check every way in (forms, importer) applies to a
tag's name; ``TagNamesField`` is the tags field that applies it, for every form and
the admin.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from taggit.forms import TagField
from taggit.models import Tag

MAX_TAG_LENGTH: int = Tag._meta.get_field("name").max_length
# Unicode's Bidi_Control characters: embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069) and the direction marks (U+061C, U+200E, U+200F). All invisible, and
# they reorder the text around them wherever a tag is shown, so "evil\u202eexe.txt"
# reads as "eviltxt.exe" in a list of tags.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def validate_tag_name(name: str) -> None:
    """Refuse a tag name taggit would store but no page could link to: blank, too long
    for ``Tag.name``, or with an empty slug (tag pages live at /tags/<slug>/, and
    taggit slugifies "???" to ""); and one with bidirectional controls, which
    would make it read differently from what it is."""
    name = name.strip()
    if not name:
        raise ValidationError("A tag needs some text.", code="blank")
    if BIDI_CONTROLS.search(name):
        raise ValidationError(
            "“%(name)s” cannot be a tag: it holds an invisible character that reverses "
            "the text around it (a bidirectional control, U+%(code)04X). Type it again "
            "without it.",
            code="bidi_control",
            params={
                "name": BIDI_CONTROLS.sub("", name),
                "code": ord(BIDI_CONTROLS.search(name)[0]),
            },
        )
    # Tag.slugify, not django's slugify: it follows the TAGGIT_* settings (Unicode
    # kept by default, so "café" is a tag; stripped when asked to).
    slug = Tag().slugify(name)
    # The slug can outgrow the name (NFKC turns "ﬁ" into "fi"); both columns hold 100.
    if len(name) > MAX_TAG_LENGTH or len(slug) > MAX_TAG_LENGTH:
        raise ValidationError(
            "A tag is at most %(limit)d characters: “%(start)s…”.",
            code="too_long",
            params={"limit": MAX_TAG_LENGTH, "start": name[:40]},
        )
    if not slug:
        raise ValidationError(
            "“%(name)s” cannot be a tag: it needs at least one letter or digit.",
            code="no_slug",
            params={"name": name},
        )


def validate_tag_names(names: Iterable[str]) -> None:
    """``validate_tag_name`` on each name, with one message per refused name."""
    errors = []
    for name in names:
        try:
            validate_tag_name(name)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)


class TagNamesField(TagField):
    """taggit's comma-separated tags field, refusing names no tag page could have."""

    def clean(self, value) -> list[str]:
        names = super().clean(value)
        validate_tag_names(names)
        return names


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
