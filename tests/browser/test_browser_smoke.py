"""A person logs in with a real browser and finds the events."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests.factories import EventFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_bob_logs_in_and_opens_an_event(browser_page, attendee):
    EventFactory(name="DevOpsDays Oslo", city="Oslo", country="Norway")
    log_in(browser_page, "bob")
    browser_page.get_by_role("link", name="Events", exact=True).click()
    browser_page.get_by_role("link", name="DevOpsDays Oslo").click()
    expect(browser_page.get_by_role("heading", level=1)).to_have_text("DevOpsDays Oslo")
    expect(browser_page).to_have_title("DevOpsDays Oslo · Notesite")
