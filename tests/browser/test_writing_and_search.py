"""The writing page and the search page in a real browser: where the focus starts,
what Enter does, and the folded search filters."""

import pytest
from playwright.sync_api import expect

from talks.models import Note
from tests.browser import log_in
from tests.factories import NoteFactory, TalkFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_enter_in_a_one_line_field_does_not_save_the_note(browser_page, attendee):
    page = browser_page
    talk = TalkFactory(title="Lean QA")
    log_in(page, "bob")
    page.goto(talk.get_absolute_url())
    page.get_by_role("link", name="Write a note").first.click()
    page.wait_for_url("**/notes/new/")
    # Pages the browser goes to (the live preview's requests are not).
    sent = []
    page.on("request", lambda request: request.is_navigation_request() and sent.append(request))

    # The title has the focus: typing goes straight into it.
    expect(page.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Testers as generalists")
    # Enter in the body starts a new line.
    page.get_by_label("Body").fill("First line")
    page.get_by_label("Body").press("End")
    page.get_by_label("Body").press("Enter")
    page.keyboard.type("second line")
    # With the body filled in, Enter in a one-line field would send the form.
    page.get_by_label("Title").press("Enter")
    first_takeaway = page.get_by_role("group", name="Takeaway 1")
    first_takeaway.get_by_label("Takeaway").fill("Make testing everyone's job.")
    first_takeaway.get_by_label("Tags").fill("testing")
    first_takeaway.get_by_label("Tags").press("Enter")
    page.wait_for_timeout(300)  # time for a sent form's request to show

    expect(page.get_by_label("Body")).to_have_value("First line\nsecond line")
    assert (sent, Note.objects.count()) == ([], 0)

    page.get_by_role("button", name="Save note").click()
    page.wait_for_url(lambda url: "/notes/new/" not in url)
    assert list(Note.objects.values_list("title", "body", "takeaways__text")) == [
        ("Testers as generalists", "First line\nsecond line", "Make testing everyone's job.")
    ]


def test_the_search_filters_open_on_request_and_filter_the_search(browser_page, attendee):
    page = browser_page
    talk = TalkFactory(title="Zebra talk")
    NoteFactory(talk=talk, event=talk.event, title="Zebra note")
    log_in(page, "bob")
    page.goto("/search/?q=zebra")
    expect(page.get_by_label("Talks")).to_be_hidden()

    page.get_by_text("Filters: kinds and tag").click()
    page.get_by_label("Talks").check()
    page.get_by_role("button", name="Search with these filters").click()

    expect(page.locator(".search-results li")).to_have_count(1)
    expect(page.locator(".search-results")).to_contain_text("Zebra talk")
    expect(page.get_by_label("Talks")).to_be_checked()
