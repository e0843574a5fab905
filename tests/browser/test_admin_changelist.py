"""The action point changelist as staff see it on a laptop: 1280 by 800, no sideways scroll."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests.factories import ActionPointFactory, EventFactory, TalkFactory, UserFactory
from tests.helpers import days_from_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def busy_list(db, staff):
    """Rows as long as real ones: long titles, events, usernames and many tags."""
    event = EventFactory(name="DevOpsDays Oslo 2026: Platform Engineering and Observability")
    talk = TalkFactory(event=event)
    carol = UserFactory(username="carol-castillo-platform-team")
    for index in range(5):
        action_point = ActionPointFactory(
            event=event,
            talk=talk,
            title="Interview three product teams about what slows down their deployments "
            f"before we plan next quarter's platform work ({index})",
            assignee=carol if index % 2 else staff,
            due_on=days_from_today(index * 7 - 14),
        )
        action_point.tags.add("incident-response", "observability", "platform", "testing")


def column_edges(page) -> dict:
    return page.evaluate(
        """() => {
            const right = (selector) => {
                const cell = document.querySelector(selector);
                return cell ? Math.round(cell.getBoundingClientRect().right) : null;
            };
            const results = document.querySelector('#changelist .results');
            return {
                scroll: results.scrollWidth,
                client: results.clientWidth,
                table: Math.round(document.querySelector('#result_list').scrollWidth),
                status: right('#result_list th.column-status'),
                due: right('#result_list th.column-due_on'),
                overdue: right('#result_list th.column-overdue'),
                viewport: window.innerWidth,
            };
        }"""
    )


def test_status_and_due_are_visible_without_scrolling_at_1280(browser_page, staff, busy_list):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    log_in(page, "alice")
    page.goto("/admin/actions/actionpoint/")
    expect(page.locator("#result_list")).to_be_visible()
    edges = column_edges(page)
    print("changelist at 1280:", edges)
    assert edges["scroll"] <= edges["client"], edges
    assert edges["status"] <= edges["viewport"], edges
    assert edges["due"] <= edges["viewport"], edges
    assert edges["overdue"] <= edges["viewport"], edges
    expect(page.locator("#result_list th.column-status")).to_be_in_viewport()
    expect(page.locator("#result_list th.column-due_on")).to_be_in_viewport()


def test_bulk_assign_with_a_due_date_shows_in_the_history_page(
    browser_page, staff, attendee, busy_list
):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    log_in(page, "alice")
    page.goto("/admin/actions/actionpoint/")
    page.locator("#action-toggle").check()
    page.get_by_label("Action:").select_option(label="Assign to…")
    page.get_by_role("button", name="Go").click()
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("bob")
    page.get_by_role("option", name="bob", exact=True).click()
    due = days_from_today(10)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Assigned 5 action point(s) to bob, due {due.day} {due:%b %Y}."
    )
    page.get_by_role("link", name="(0)").click()
    page.get_by_role("link", name="History").click()
    history = page.locator("table.history")
    expect(history).to_contain_text("Admin bulk action")
    before = days_from_today(-14)
    expect(history).to_contain_text(
        f"Due date: {before.day} {before:%b %Y} → {due.day} {due:%b %Y}"
    )
