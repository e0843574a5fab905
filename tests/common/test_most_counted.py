"""most_counted: the rows a grouped count counts most, ties broken by a field, the
same answer as grouping by the joined rows (the slow way) gives."""

import pytest
from django.contrib.auth.models import User
from django.db.models import Count

from actions.models import ActionPoint
from common.db import most_counted
from tests.factories import ActionPointFactory, UserFactory

pytestmark = pytest.mark.django_db


def busiest(limit: int, queryset=None) -> list[tuple[int, str]]:
    queryset = ActionPoint.objects.all() if queryset is None else queryset
    counts = queryset.values("assignee").annotate(n=Count("*"))
    return most_counted(
        counts.filter(assignee__isnull=False),
        model=User,
        fields=["id", "username"],
        then_by="username",
        limit=limit,
    )


def by_joining(limit: int) -> list[tuple[int, str]]:
    return list(
        ActionPoint.objects.filter(assignee__isnull=False)
        .values_list("assignee", "assignee__username")
        .annotate(n=Count("*"))
        .order_by("-n", "assignee__username")
        .values_list("assignee", "assignee__username")[:limit]
    )


@pytest.fixture
def assigned():
    """dora 3, ann 2, cid 2, bob 2, eve 1: a tie of three for second place."""
    for name, count in [("eve", 1), ("bob", 2), ("cid", 2), ("ann", 2), ("dora", 3)]:
        ActionPointFactory.create_batch(count, assignee=UserFactory(username=name))
    ActionPointFactory(assignee=None)


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 10])
def test_most_counted_first_then_by_name_as_joining_first_would(assigned, limit):
    assert busiest(limit) == by_joining(limit)


def test_a_tie_at_the_cut_is_broken_by_name(assigned):
    assert [name for _pk, name in busiest(3)] == ["dora", "ann", "bob"]


def test_nothing_counted_is_no_rows(assigned):
    assert busiest(5, ActionPoint.objects.filter(title="no such title")) == []
