"""The action point admin on a phone (390x844): its changelist and its change form
are no wider than the screen (the table scrolls inside its own box, the page does
not), so staff can triage follow-ups from a phone."""

import pytest
from playwright.sync_api import expect

from actions.services import update_action_point
from tests.browser import log_in
from tests.factories import ActionPointFactory, EventFactory, TalkFactory, UserFactory
from tests.helpers import days_from_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
# How far the page reaches past the right edge of the screen, in CSS px.
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"
# Elements (other than the results table's own scrolling box and what is inside it)
# whose right edge is past the screen's.
PAST_THE_EDGE_JS = """
() => {
  const results = document.querySelector('#changelist .results');
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    if (results && (el === results || results.contains(el))) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (box.right > window.innerWidth + 1) {
      wide.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${Math.round(box.right)}`);
    }
  }
  return wide.slice(0, 10);
}
"""


@pytest.fixture
def busy_list(db, staff):
    """Rows as long as real ones: long titles, events, usernames and many tags."""
    event = EventFactory(name="DevOpsDays Oslo 2026: Platform Engineering and Observability")
    talk = TalkFactory(event=event)
    carol = UserFactory(username="carol-castillo-platform-team")
    action_points = []
    for index in range(5):
        action_point = ActionPointFactory(
            event=event,
            talk=talk,
            title="Interview three product teams about what slows down their deployments "
            f"before we plan next quarter's platform work ({index})",
            details="Ask each team for its three slowest steps, and time them.",
            assignee=carol if index % 2 else staff,
            due_on=days_from_today(index * 7 - 14),
        )
        action_point.tags.add("incident-response", "observability", "platform", "testing")
        action_points.append(action_point)
    # A history as long as a real one: reassigned, rescheduled, with comments.
    first = action_points[0]
    comments = ["Moved: the platform-engineering-observability team asked.", ""]
    for due, comment in zip([21, 35], comments, strict=True):
        first.refresh_from_db()
        update_action_point(
            first,
            by=staff,
            via="web",
            seen_version=first.version,
            comment=comment,
            assignee=carol,
            status="in_progress",
            due_on=days_from_today(due),
        )
    return action_points


def open_on_a_phone(page, path: str) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, "alice")
    page.goto(path)


def test_changelist_is_no_wider_than_a_phone(browser_page, staff, busy_list):
    page = browser_page
    open_on_a_phone(page, "/admin/actions/actionpoint/")
    expect(page.locator("#result_list")).to_be_visible()
    assert page.evaluate(PAST_THE_EDGE_JS) == []
    assert page.evaluate(OVERFLOW_JS) <= 0


def test_changelist_rows_show_status_and_due_without_sideways_scrolling(
    browser_page, staff, busy_list
):
    page = browser_page
    open_on_a_phone(page, "/admin/actions/actionpoint/")
    results = page.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth - box.clientWidth") <= 0
    for field in ["assignee", "status", "due_on", "overdue"]:
        cell = page.locator(f"#result_list tbody tr:first-child td.field-{field}")
        right = cell.evaluate("cell => cell.getBoundingClientRect().right")
        assert right <= PHONE["width"], (field, right)


def test_change_form_is_no_wider_than_a_phone(browser_page, staff, busy_list):
    page = browser_page
    open_on_a_phone(page, f"/admin/actions/actionpoint/{busy_list[0].pk}/change/")
    expect(page.get_by_label("Title:")).to_be_visible()
    assert page.evaluate(PAST_THE_EDGE_JS) == []
    assert page.evaluate(OVERFLOW_JS) <= 0
