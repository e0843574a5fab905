"""Tag housekeeping for staff: how much each tag is used, and merging tags.

Tag links live in one through table per tagged model (``TaggedTalk``…), some of
them in other apps (``actions.TaggedActionPoint``): talks never imports actions, so
the tables are found in the app registry, as every subclass of taggit's
``TaggedItemBase``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models, transaction
from django.db.models import Count, Exists, F, Func, OuterRef, Q
from taggit.models import Tag, TaggedItemBase

from common.db import SubqueryCount
from talks.models import Follow


def tagged_item_models() -> list[type[TaggedItemBase]]:
    """Every concrete tag-link table, by what it tags (action points, events…)."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, TaggedItemBase) and not model._meta.proxy
    ]
    return sorted(found, key=kind_label)


def tagged_model(through: type[TaggedItemBase]) -> type[models.Model] | None:
    """The model whose rows ``through`` tags; None for taggit's generic table."""
    field = through._meta.get_field("content_object")
    return None if isinstance(field, GenericForeignKey) else field.related_model


def kind_label(through: type[TaggedItemBase]) -> str:
    model = tagged_model(through)
    return "other objects" if model is None else str(model._meta.verbose_name_plural)


def kind_key(through: type[TaggedItemBase]) -> str:
    """A name for annotations and columns, e.g. ``uses_talk``."""
    model = tagged_model(through)
    return f"uses_{(model or through)._meta.model_name}"


def object_columns(through: type[TaggedItemBase]) -> list[str]:
    """The columns that name the tagged object: its foreign key, or for the generic
    table the (content type, object id) pair."""
    field = through._meta.get_field("content_object")
    if isinstance(field, GenericForeignKey):
        return [f"{field.ct_field}_id", field.fk_field]
    return [field.attname]


def _object_key(through: type[TaggedItemBase]) -> F | Func:
    columns = object_columns(through)
    if len(columns) == 1:
        return F(columns[0])
    return Func(*map(F, columns), function="ROW", output_field=models.TextField())


def with_use_counts(tags: models.QuerySet) -> models.QuerySet:
    """Annotate each tag with how many objects of each kind carry it (``uses_talk``,
    ``uses_event``…, one indexed subquery each) and their sum ``uses_total``."""
    counts = {
        kind_key(through): SubqueryCount(through.objects.filter(tag=OuterRef("pk")).values("pk"))
        for through in tagged_item_models()
    }
    total = sum((F(key) for key in counts), start=models.Value(0))
    return tags.annotate(**counts).annotate(uses_total=total)


@dataclass(frozen=True)
class KindChange:
    """What merging does to one kind of object."""

    label: str
    moved: int  # objects that will carry the target instead
    duplicates: int  # objects that already carry the target: the merged link goes
    # taggit's own generic table, which nothing here uses: shown only when not empty
    generic: bool = False

    @property
    def total(self) -> int:
        return self.moved + self.duplicates


@dataclass(frozen=True)
class MergePlan:
    into: Tag
    merged: list[Tag]
    kinds: list[KindChange]
    follows_moved: int
    follows_duplicates: int

    @property
    def objects(self) -> int:
        return sum(kind.total for kind in self.kinds)


def _links_of(through, merged_ids: list[int]) -> models.QuerySet:
    return through.objects.filter(tag_id__in=merged_ids)


def _carries(through, into: Tag) -> Exists:
    """Whether the outer link's object also carries ``into``."""
    same_object = {column: OuterRef(column) for column in object_columns(through)}
    return Exists(through.objects.filter(tag=into, **same_object))


def merge_plan(tags: Iterable[Tag], *, into: Tag) -> MergePlan:
    """What ``merge_tags`` would do: per kind, how many objects would carry ``into``
    instead and how many carry it already. One query per kind, and one for follows."""
    merged = [tag for tag in tags if tag.pk != into.pk]
    merged_ids = [tag.pk for tag in merged]
    kinds = []
    for through in tagged_item_models():
        key = _object_key(through)
        counts = _links_of(through, merged_ids).aggregate(
            objects=Count(key, distinct=True),
            duplicates=Count(key, distinct=True, filter=Q(_carries(through, into))),
        )
        kinds.append(
            KindChange(
                kind_label(through),
                moved=counts["objects"] - counts["duplicates"],
                duplicates=counts["duplicates"],
                generic=tagged_model(through) is None,
            )
        )
    follow_counts = Follow.objects.filter(tag_id__in=merged_ids).aggregate(
        users=Count("user", distinct=True),
        duplicates=Count(
            "user",
            distinct=True,
            filter=Q(Exists(Follow.objects.filter(tag=into, user=OuterRef("user")))),
        ),
    )
    return MergePlan(
        into=into,
        merged=merged,
        kinds=kinds,
        follows_moved=follow_counts["users"] - follow_counts["duplicates"],
        follows_duplicates=follow_counts["duplicates"],
    )


@dataclass(frozen=True)
class KindMoved:
    """What merging did to one kind of object."""

    label: str
    moved: int  # links now pointing at the target
    removed: int  # links deleted because their object carries the target already


@dataclass(frozen=True)
class MergeResult:
    into: Tag
    merged_names: list[str]
    kinds: list[KindMoved]
    follows_moved: int
    follows_removed: int


class TargetGone(Exception):
    """The tag to merge into was deleted in the meantime."""


def merge_tags(*, tags: Iterable[Tag], into: Tag) -> MergeResult:
    """Merge ``tags`` into ``into``: everything they tag, in every app, then carries
    ``into``, and they are deleted.

    Side effects, in one transaction: per link table, deletes the merged tags' links
    on objects that already carry ``into`` (and all but one when an object carries
    several of the merged tags), points the remaining links at ``into``; moves the
    merged tags' follows the same way; deletes the merged tags. The tag rows are
    locked first, so two merges of the same tags run one after the other.
    """
    merged_ids = sorted(tag.pk for tag in tags if tag.pk != into.pk)
    with transaction.atomic():
        locked = list(
            Tag.objects.select_for_update()
            .filter(pk__in=[*merged_ids, into.pk])
            .order_by("pk")
            .values_list("pk", "name")
        )
        names = dict(locked)
        if into.pk not in names:
            raise TargetGone(f"The tag “{into.name}” no longer exists.")
        merged_ids = [pk for pk in merged_ids if pk in names]
        kinds = [_move_links(through, merged_ids, into) for through in tagged_item_models()]
        follows_moved, follows_removed = _move_follows(merged_ids, into)
        Tag.objects.filter(pk__in=merged_ids).delete()
    return MergeResult(
        into=into,
        merged_names=sorted((names[pk] for pk in merged_ids), key=str.lower),
        kinds=kinds,
        follows_moved=follows_moved,
        follows_removed=follows_removed,
    )


def _move_links(through, merged_ids: list[int], into: Tag) -> KindMoved:
    links = _links_of(through, merged_ids)
    duplicates, _ = links.filter(_carries(through, into)).delete()
    # An object with several of the merged tags keeps one link (its oldest).
    same_object = {column: OuterRef(column) for column in object_columns(through)}
    earlier = through.objects.filter(tag_id__in=merged_ids, pk__lt=OuterRef("pk"), **same_object)
    extra, _ = links.filter(Exists(earlier)).delete()
    moved = links.update(tag=into)
    return KindMoved(kind_label(through), moved=moved, removed=duplicates + extra)


def _move_follows(merged_ids: list[int], into: Tag) -> tuple[int, int]:
    follows = Follow.objects.filter(tag_id__in=merged_ids)
    removed, _ = follows.filter(
        Exists(Follow.objects.filter(tag=into, user=OuterRef("user")))
    ).delete()
    earlier = Follow.objects.filter(
        tag_id__in=merged_ids, user=OuterRef("user"), pk__lt=OuterRef("pk")
    )
    extra, _ = follows.filter(Exists(earlier)).delete()
    return follows.update(tag=into), removed + extra
