"""The main journeys, walked in a real browser as the people who use Notesite would."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from actions.models import ActionPoint
from tests.browser import log_in
from tests.factories import EventFactory, TakeawayFactory, TalkFactory, UserFactory
from tests.helpers import days_from_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def conference(db):
    event = EventFactory(name="DevOpsDays Oslo", starts_on=datetime.date(2026, 10, 14))
    talk = TalkFactory(event=event, title="Lean QA")
    talk.speakers.create(name="Theresa Tester")
    # Other people's takeaways, so that "all of" and "any of" differ.
    TakeawayFactory(talk=talk, event=event, text="Testers belong in planning.").tags.add("testing")
    TakeawayFactory(talk=talk, event=event, text="Blameless reviews need practice.").tags.add(
        "culture"
    )
    return talk


def write_note_as_bob(page, talk) -> None:
    page.goto(talk.get_absolute_url())
    page.get_by_role("link", name="Write a note").first.click()
    page.get_by_label("Body").fill(
        "Quality analysis, not assurance: testers as *generalists* who pair with developers."
    )
    page.get_by_label("Status").select_option(label="Published")
    first_takeaway = page.get_by_role("group", name="Takeaway 1")
    first_takeaway.get_by_label("Takeaway").fill("Make testing everyone's job.")
    first_takeaway.get_by_label("Tags").fill("testing, culture")
    page.get_by_role("group", name="Action point 1").get_by_label("Action point").fill(
        "Pair a tester with each team"
    )
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("testers as generalists who pair with developers")).to_be_visible()


def assign_to_bob_as_alice(page) -> None:
    action_point = ActionPoint.objects.get(title="Pair a tester with each team")
    page.goto(f"/admin/actions/actionpoint/{action_point.pk}/change/")
    page.locator(".field-assignee .select2-selection").click()
    page.locator(".select2-search__field").fill("bob")
    page.get_by_role("option", name="bob", exact=True).click()
    page.locator("#id_due_on").fill(days_from_today(30).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def test_a_note_becomes_a_follow_up_that_gets_done(browser_page, staff, attendee, conference):
    page = browser_page
    log_in(page, "bob")
    write_note_as_bob(page, conference)
    page.context.clear_cookies()

    log_in(page, "alice")
    assign_to_bob_as_alice(page)
    page.context.clear_cookies()

    log_in(page, "bob")
    page.get_by_role("link", name="Follow-ups", exact=True).click()
    page.get_by_role("link", name="Pair a tester with each team").click()
    page.get_by_label("Status").select_option(label="Done")
    page.get_by_label("Comment").fill("Two teams have a tester pairing with them now.")
    page.get_by_role("button", name="Save").click()

    history = page.locator(".history")
    expect(history).to_contain_text("alice")
    expect(history).to_contain_text("Assignee: — → bob")
    expect(history).to_contain_text(f"Due date: — → {days_from_today(30)}")
    expect(history).to_contain_text("Status: Open → Done")
    expect(history).to_contain_text("Two teams have a tester pairing with them now.")
    action_point = ActionPoint.objects.get(title="Pair a tester with each team")
    assert (action_point.status, action_point.assignee.username) == ("done", "bob")
    assert action_point.completed_at is not None


def test_carol_filters_takeaways_and_finds_bobs_note(browser_page, attendee, conference):
    UserFactory(username="carol", role="manager")
    page = browser_page
    log_in(page, "bob")
    write_note_as_bob(page, conference)
    page.context.clear_cookies()

    log_in(page, "carol")
    page.get_by_role("link", name="Takeaways", exact=True).click()
    filters = page.get_by_role("form", name="Filter takeaways")
    filters.locator("label.facet-include", has_text="testing").locator("input").check()
    filters.locator("label.facet-include", has_text="culture").locator("input").check()
    filters.get_by_label("all of the chosen tags").check()
    filters.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"match=all"))
    # Filters also apply as they change: wait for the page the last change asked for.
    expect(page.locator(".takeaway-text")).to_have_text(["Make testing everyone's job."])

    filters.get_by_label("any of the chosen tags").check()
    filters.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"match=any"))  # the filter state is a shareable URL
    expect(page.locator(".takeaway-text")).to_have_count(3)
    assert sorted(page.locator(".takeaway-text").all_inner_texts()) == [
        "Blameless reviews need practice.",
        "Make testing everyone's job.",
        "Testers belong in planning.",
    ]

    page.get_by_role("searchbox", name="Search").fill("generalist testers")
    page.get_by_role("button", name="Search", exact=True).click()
    result = page.locator(".search-results li").first
    expect(result).to_contain_text("Note")
    expect(result.locator("mark").first).to_be_visible()
    result.get_by_role("link").first.click()
    expect(page.get_by_text("testers as generalists who pair with developers")).to_be_visible()
