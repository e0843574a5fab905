"""The main pages run the same number of SQL queries on a small and a ten times larger
data set, both made by the benchmark's generator (demo.seeding), on the pages the
benchmark measures (docs/benchmarks.md)."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from demo import seeding
from demo.seeding import benchmark

pytestmark = pytest.mark.django_db

SMALL, LARGE = 0.1, 1.0
# The benchmark's floor is not a page.
PAGES = [page for page in benchmark.Targets.PAGES if page != "healthz"]


def measure(scale: float) -> dict[str, tuple[int, int]]:
    """Seed ``scale`` in a transaction that is rolled back, and return each page's
    (status code, number of queries), counted on a second request so that one-time
    caches (content types, permissions) do not count."""
    with transaction.atomic():
        seeding.seed(scale=scale, seed=3)
        targets = benchmark.targets()
        results = {}
        for page, url in targets.urls().items():
            client = Client()
            user = targets.user_for(page)
            if user is not None:
                client.force_login(user)
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            results[page] = (response.status_code, len(captured.captured_queries))
        transaction.set_rollback(True)
    return results


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker) -> dict[float, dict[str, tuple[int, int]]]:
    with django_db_blocker.unblock():
        return {scale: measure(scale) for scale in (SMALL, LARGE)}


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_the_same_queries_on_ten_times_the_data(counts, page):
    (small_status, small_queries), (large_status, large_queries) = (
        counts[SMALL][page],
        counts[LARGE][page],
    )
    assert (small_status, large_status) == (200, 200)
    assert small_queries == large_queries


def test_pages_run_few_queries(counts):
    """A ceiling, so that a fixed but large number of queries shows up too."""
    too_many = {page: queries for page, (_, queries) in counts[LARGE].items() if queries > 25}
    assert too_many == {}
