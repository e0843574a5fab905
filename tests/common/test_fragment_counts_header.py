"""The X-Fragments header the benchmark reads to tell the share of pages served from the
cache: present only when FRAGMENT_COUNTS_HEADER is on, and counting a page's fragments
as built the first time and from the cache the next."""

import pytest
from django.core.cache import cache

from tests.factories import EventFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def counting(settings):
    settings.FRAGMENT_COUNTS_HEADER = True
    settings.MIDDLEWARE = ["common.caching.fragment_counts_header", *settings.MIDDLEWARE]


def test_a_page_counts_its_fragments_built_then_from_the_cache(counting, attendee):
    event = EventFactory()
    client = logged_in(attendee)

    first = client.get(event.get_absolute_url())
    second = client.get(event.get_absolute_url())

    built = int(first["X-Fragments"].split()[1])
    assert built > 0
    assert (first["X-Fragments"], second["X-Fragments"]) == (f"0 {built}", f"{built} 0")


def test_no_header_unless_it_is_turned_on(attendee):
    event = EventFactory()
    response = logged_in(attendee).get(event.get_absolute_url())
    assert response.status_code == 200
    assert "X-Fragments" not in response
