"""The admin and the pages work in Chromium under the Content-Security-Policy (nothing
is refused), and a stored ``javascript:`` link never runs."""

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser import log_in
from tests.factories import ActionPointFactory, EventFactory, TalkFactory
from tests.helpers import days_from_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Runs before the page's own scripts, through the DevTools protocol (which the policy
# does not apply to): it records every violation the page reports.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""
SCRIPT_LINK = "javascript:document.title='pwned';window.__pwned=true"


@pytest.fixture
def page(browser_page):
    """The browser page, recording violations both as events and console messages."""
    refused: list[str] = []

    def record(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    browser_page.on("console", record)
    browser_page.add_init_script(RECORD_VIOLATIONS)
    browser_page.refused = refused
    return browser_page


def violations(page) -> list[str]:
    return [*page.evaluate("window.__violations"), *page.refused]


def pwned(page) -> bool:
    return page.evaluate("window.__pwned === true") or page.title() == "pwned"


def store_raw_website(event, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE talks_event SET website = %s WHERE id = %s", [value, event.pk])


@pytest.fixture
def follow_up(staff, attendee):
    talk = TalkFactory(title="Lean QA", event=EventFactory(name="DevOpsDays Oslo"))
    return ActionPointFactory(
        title="Pair a tester with each team", event=talk.event, talk=talk, raised_by=attendee
    )


def test_the_action_point_admin_works_without_violations(page, follow_up):
    log_in(page, "alice")
    page.goto("/admin/actions/actionpoint/")
    expect(page.get_by_role("link", name="Pair a tester with each team")).to_be_visible()
    page.get_by_role("link", name="Pair a tester with each team").click()
    # The scripted widget: an autocomplete drop-down (the due date is the browser's
    # own date picker).
    page.locator(".field-assignee .select2-selection").click()
    page.locator(".select2-search__field").fill("bob")
    page.get_by_role("option", name="bob", exact=True).click()
    page.locator("#id_due_on").fill(days_from_today(7).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert violations(page) == []


def test_the_event_admin_works_without_violations(page, follow_up):
    log_in(page, "alice")
    page.goto("/admin/talks/event/")
    page.get_by_role("link", name="DevOpsDays Oslo").click()
    expect(page.locator("#id_name")).to_have_value("DevOpsDays Oslo")
    page.get_by_role("button", name="Add another Talk").click()
    expect(page.locator("#id_talks-TOTAL_FORMS")).to_have_value("2")
    page.locator(".fieldBox.field-ends_on .date-icon").click()
    page.locator(".calendarbox:visible .calendarnav-next").click()
    assert violations(page) == []


def test_a_stored_script_website_is_not_linked_anywhere(page, follow_up):
    event = follow_up.event
    store_raw_website(event, SCRIPT_LINK)
    log_in(page, "alice")

    page.goto(event.get_absolute_url())
    expect(page.get_by_role("heading", name="DevOpsDays Oslo")).to_be_visible()
    expect(page.get_by_role("link", name="website")).to_have_count(0)

    page.goto(f"/admin/talks/event/{event.pk}/change/")
    expect(page.locator("#id_website")).to_have_value(SCRIPT_LINK)
    expect(page.locator(".field-website a")).to_have_count(0)
    assert not pwned(page)
    assert violations(page) == []


def test_the_policy_stops_a_script_link_that_reaches_a_page(page, follow_up):
    """Should a ``javascript:`` link get into a page anyway, clicking it runs nothing."""
    log_in(page, "alice")
    page.goto(follow_up.event.get_absolute_url())
    page.evaluate(
        """(href) => {
          const link = document.createElement("a");
          link.href = href;
          link.textContent = "website";
          document.querySelector("h1").after(link);
        }""",
        SCRIPT_LINK,
    )
    page.get_by_role("link", name="website", exact=True).click()
    page.wait_for_timeout(300)
    assert not pwned(page)
    assert [line.split()[0] for line in page.evaluate("window.__violations")] == ["script-src-elem"]


def test_the_pages_and_the_live_preview_work_without_violations(page, follow_up):
    talk = follow_up.talk
    log_in(page, "bob")
    for path in ["/", talk.event.get_absolute_url(), "/follow-ups/"]:
        assert page.goto(path).ok, path
    page.goto(talk.get_absolute_url())
    # Until the new page's load event, its deferred preview script may not have run,
    # and typing before that would go unseen.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Write a note").first.click()
    page.get_by_label("Body").fill("Testers *pair* with developers.")
    # Generous: the preview waits for a pause in typing, then a round trip to the server.
    expect(page.locator("#note-preview em")).to_have_text("pair", timeout=15_000)
    assert violations(page) == []
