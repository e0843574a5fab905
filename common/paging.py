"""Pages of long lists whose rows are joined to several others.

Sorting a list by its own columns and then joining the page's rows to their event,
session and people is what a page needs; PostgreSQL joins first when the order is an
expression (overdue first), so a page of 25 of someone's 421 follow-ups joined all
421 to every event and open space to sort them (25 ms). ``page_by_ids`` picks the
page's ids in a narrow query and loads only those rows.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject


def page_by_ids(queryset: QuerySet, per_page: int, number) -> Page:
    """``Paginator(queryset, per_page).get_page(number)``, its rows chosen by id
    first (count, then the page's ids in the queryset's order, then those rows with
    everything the queryset loads: three queries), loaded when first used."""

    def load() -> Page:
        ids = queryset.values_list("pk", flat=True)
        page = Paginator(ids, per_page).get_page(number)
        wanted = list(page.object_list)
        rows = {row.pk: row for row in queryset.filter(pk__in=wanted).order_by()}
        page.object_list = [rows[pk] for pk in wanted if pk in rows]
        return page

    return SimpleLazyObject(load)
