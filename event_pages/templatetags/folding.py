"""Splitting a list at a fold: the first rows shown, the rest behind a <details>.

Works on any iterable (a queryset, a lazily loaded page or ``Newest``), which the
``slice`` filter does not: it needs indexing."""

from collections.abc import Iterable

from django import template

register = template.Library()


@register.filter
def before_fold(rows: Iterable, count: int) -> list:
    return list(rows)[: int(count)]


@register.filter
def after_fold(rows: Iterable, count: int) -> list:
    return list(rows)[int(count) :]
