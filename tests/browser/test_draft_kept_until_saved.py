"""The text a writing page keeps in the browser stays there until the server confirms
the save: a save lost on the way (a dropped connection) loses nothing."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from talks.models import Note
from tests.browser import log_in
from tests.factories import TalkFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DRAFTS_JS = """() => Object.keys(localStorage)
  .filter((key) => key.startsWith("notesite:note-draft:"))
  .map((key) => localStorage.getItem(key))"""


def drafts(page) -> list[str]:
    return page.evaluate(DRAFTS_JS)


@pytest.fixture
def writing_url(db) -> str:
    talk = TalkFactory(title="Lean QA")
    return reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])


def type_a_note(page, url: str, body: str) -> None:
    page.goto(url, wait_until="load")
    page.get_by_label("Body").fill(body)


def test_a_save_that_never_arrives_keeps_the_text_for_the_next_visit(
    browser_page, attendee, writing_url
):
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "bob")
    type_a_note(page, writing_url, "Typed on a train")
    page.route(
        "**/notes/new/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="Save note").click()
    page.wait_for_timeout(500)  # the request is refused by the route, not the server
    page.unroute("**/notes/new/")

    page.goto(writing_url, wait_until="load")
    expect(page.locator("#draft-notice")).to_have_text(
        re.compile(r"Restored unsaved text from \d{1,2}:\d{2}")
    )
    expect(page.get_by_label("Body")).to_have_value("Typed on a train")
    assert Note.objects.count() == 0


def test_a_confirmed_save_forgets_the_kept_text(browser_page, attendee, writing_url):
    page = browser_page
    log_in(page, "bob")
    type_a_note(page, writing_url, "Typed at a desk")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url(lambda url: "/notes/new/" not in url)
    expect(page.get_by_role("status")).to_contain_text("Saved your note")

    assert (list(Note.objects.values_list("body", flat=True)), drafts(page)) == (
        ["Typed at a desk"],
        [],
    )
    page.goto(writing_url, wait_until="load")
    expect(page.locator("#draft-notice")).to_be_hidden()
    expect(page.get_by_label("Body")).to_have_value("")
