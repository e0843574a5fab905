"""Writing a note in Chromium: the preview beside the editor on a laptop and behind a
Write / Preview tab on a phone, never moving the editor or the caret; the text kept in
the browser until saved; a question before leaving unsaved text; all under the
Content-Security-Policy."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from talks.models import Note
from tests.browser import log_in
from tests.factories import NoteFactory, TalkFactory
from tests.helpers import days_from_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"
# Runs before the page's scripts (through the DevTools protocol, which the policy does
# not apply to) and records every violation the page reports.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""
# The visible controls (links aside: the phone tests judge those in sentences) smaller
# than 24 px either way, WCAG 2.2's minimum target size.
SMALL_CONTROLS_JS = """() => [...document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, summary")]
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width > 1 && box.height > 1 && (box.width < 24 || box.height < 24))
  .map(([el, box]) => `${el.tagName} ${el.name || el.textContent} ${box.width}x${box.height}`)"""
# Generous: the preview waits for a pause in typing, then a round trip to the server.
PREVIEW_TIMEOUT = 15_000


@pytest.fixture
def page(browser_page):
    """The browser page, recording policy violations and every dialog it opens (each
    accepted, so that a navigation it asks about goes ahead)."""
    refused: list[str] = []
    dialogs: list[str] = []
    browser_page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )

    def answer(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    browser_page.on("dialog", answer)
    browser_page.add_init_script(RECORD_VIOLATIONS)
    browser_page.refused = refused
    browser_page.dialogs = dialogs
    return browser_page


@pytest.fixture
def talk(db):
    return TalkFactory(title="Lean QA")


def violations(page) -> list[str]:
    return [*page.evaluate("window.__violations"), *page.refused]


def writing_url(talk) -> str:
    return reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])


def open_page(page, url: str) -> None:
    # Until the load event, the deferred script may not have run, and typing before
    # that would go unseen.
    page.goto(url, wait_until="load")


# The texts the page keeps in this browser's storage, one per writing page.
DRAFTS_JS = """() => Object.keys(localStorage)
  .filter((key) => key.startsWith("notesite:note-draft:"))
  .map((key) => localStorage.getItem(key))"""


def draft_in_storage(page) -> str | None:
    drafts = page.evaluate(DRAFTS_JS)
    return drafts[0] if drafts else None


def wait_for_draft(page, text: str) -> None:
    page.wait_for_function(
        f"(text) => ({DRAFTS_JS})().some((draft) => draft.includes(text))", arg=text
    )


def caret_and_box(page) -> tuple[int, int, dict]:
    body = page.get_by_label("Body")
    start, end = body.evaluate("(el) => [el.selectionStart, el.selectionEnd]")
    return start, end, body.bounding_box()


def test_on_a_laptop_the_preview_sits_beside_and_never_moves_the_editor(page, attendee, talk):
    page.set_viewport_size(LAPTOP)
    log_in(page, "bob")
    open_page(page, writing_url(talk))
    body = page.get_by_label("Body")
    preview = page.locator("#note-preview")
    body.click()
    _, _, before = caret_and_box(page)

    for number in range(1, 9):
        page.keyboard.type(f"Paragraph {number}: testers pair with developers on every story.")
        typed = len(body.input_value())
        expect(preview.locator(".prose p")).to_have_count(number, timeout=PREVIEW_TIMEOUT)
        # The preview grew by a paragraph: the editor and the caret did not move.
        assert caret_and_box(page) == (typed, typed, before), number
        expect(body).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")

    box = preview.bounding_box()
    assert box["x"] >= before["x"] + before["width"]  # beside, not above or below
    assert box["y"] < before["y"] + before["height"]
    assert box["y"] + box["height"] <= LAPTOP["height"]  # scrolls in its own box
    assert preview.get_attribute("role") is None  # no tabs on a wide screen
    expect(page.get_by_role("tab")).to_have_count(0)
    assert violations(page) == []


def test_the_preview_shows_the_takeaways_and_action_points_and_warnings(page, attendee, talk):
    page.set_viewport_size(LAPTOP)
    log_in(page, "bob")
    open_page(page, writing_url(talk))
    page.get_by_label("Body").fill("Testers *pair* with developers.")
    takeaway = page.get_by_role("group", name="Takeaway 1")
    takeaway.get_by_label("Takeaway").fill("Make testing everyone's job.")
    takeaway.get_by_label("Tags").fill("testing, culture")
    point = page.get_by_role("group", name="Action point 1")
    point.get_by_label("Action point").fill("Pair a tester with each team")
    point.get_by_label("Due date").fill(days_from_today(-2).isoformat())

    preview = page.locator("#note-preview")
    expect(preview.locator(".preview-takeaways")).to_contain_text(
        "Make testing everyone's job.", timeout=PREVIEW_TIMEOUT
    )
    expect(preview.locator(".preview-takeaways .tag")).to_have_text(["culture", "testing"])
    expect(preview.locator(".preview-action-points")).to_contain_text(
        "Pair a tester with each team", timeout=PREVIEW_TIMEOUT
    )
    expect(preview.locator(".preview-action-points")).to_contain_text("unassigned")
    expect(preview.locator(".preview-warnings")).to_contain_text(
        "“Pair a tester with each team”: The due date", timeout=PREVIEW_TIMEOUT
    )
    expect(preview.locator(".preview-status")).to_have_attribute("aria-live", "polite")
    expect(preview.locator(".preview-status")).to_have_text(
        "Preview updated: saving creates the note, 1 takeaway and 1 action point; 1 warning."
    )

    page.get_by_label("Body").fill("")
    expect(preview.locator(".preview-problems")).to_contain_text(
        "Body: A note needs some text.", timeout=PREVIEW_TIMEOUT
    )
    assert violations(page) == []


def test_on_a_phone_write_and_preview_tabs_toggle_and_nothing_overflows(page, attendee, talk):
    page.set_viewport_size(PHONE)
    log_in(page, "bob")
    open_page(page, writing_url(talk))
    write_tab = page.get_by_role("tab", name="Write")
    preview_tab = page.get_by_role("tab", name="Preview")
    body = page.get_by_label("Body")
    preview = page.get_by_role("tabpanel", name="Preview")
    expect(write_tab).to_have_attribute("aria-selected", "true")
    expect(body).to_be_visible()
    expect(page.locator("#note-preview")).to_be_hidden()
    assert page.evaluate(OVERFLOW_JS) <= 0
    assert page.evaluate(SMALL_CONTROLS_JS) == []

    body.fill("Testers *pair* with developers.")
    preview_tab.click()
    expect(preview_tab).to_have_attribute("aria-selected", "true")
    expect(preview_tab).to_have_attribute("aria-controls", "note-preview")
    expect(preview.locator(".prose em")).to_have_text("pair", timeout=PREVIEW_TIMEOUT)
    expect(body).to_be_hidden()
    assert page.evaluate(OVERFLOW_JS) <= 0
    assert page.evaluate(SMALL_CONTROLS_JS) == []

    # By keyboard too: the arrow keys move between the tabs.
    preview_tab.focus()
    page.keyboard.press("ArrowLeft")
    expect(write_tab).to_be_focused()
    expect(write_tab).to_have_attribute("aria-selected", "true")
    expect(body).to_be_visible()
    expect(body).to_have_value("Testers *pair* with developers.")
    assert violations(page) == []


def test_typed_text_comes_back_after_a_reload_and_is_forgotten_once_saved(page, attendee, talk):
    log_in(page, "bob")
    open_page(page, writing_url(talk))
    page.get_by_label("Title").fill("Testers as generalists")
    page.get_by_label("Body").fill("Half a thought about pairing")
    page.get_by_role("group", name="Takeaway 1").get_by_label("Takeaway").fill("Pair up.")
    wait_for_draft(page, "Half a thought about pairing")

    page.reload(wait_until="load")
    notice = page.locator("#draft-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(re.compile(r"Restored unsaved text from \d{1,2}:\d{2}"))
    expect(notice.get_by_role("button", name="Discard")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Testers as generalists")
    expect(page.get_by_label("Body")).to_have_value("Half a thought about pairing")
    expect(page.get_by_role("group", name="Takeaway 1").get_by_label("Takeaway")).to_have_value(
        "Pair up."
    )

    page.get_by_role("button", name="Save note").click()
    page.wait_for_url(lambda url: "/notes/new/" not in url)
    assert list(Note.objects.values_list("title", "body")) == [
        ("Testers as generalists", "Half a thought about pairing")
    ]
    assert draft_in_storage(page) is None
    open_page(page, writing_url(talk))
    expect(page.locator("#draft-notice")).to_be_hidden()
    expect(page.get_by_label("Body")).to_have_value("")
    assert violations(page) == []


def test_discarding_restored_text_empties_the_page_and_the_storage(page, attendee, talk):
    log_in(page, "bob")
    open_page(page, writing_url(talk))
    page.get_by_label("Body").fill("Not worth keeping")
    wait_for_draft(page, "Not worth keeping")
    page.reload(wait_until="load")

    page.locator("#draft-notice").get_by_role("button", name="Discard").click()
    expect(page.locator("#draft-notice")).to_be_hidden()
    expect(page.get_by_label("Body")).to_have_value("")
    expect(page.get_by_label("Body")).to_be_focused()
    assert draft_in_storage(page) is None


def test_text_typed_before_a_newer_save_is_offered_not_restored(page, attendee):
    note = NoteFactory(author=attendee, body="First version.")
    log_in(page, "bob")
    open_page(page, reverse("notes:edit", args=[note.pk]))
    page.get_by_label("Body").fill("Typed here, never saved.")
    wait_for_draft(page, "Typed here, never saved.")
    # Meanwhile the note is saved from another window.
    note.body = "Saved from elsewhere."
    note.save()

    open_page(page, reverse("notes:edit", args=[note.pk]))
    expect(page.get_by_label("Body")).to_have_value("Saved from elsewhere.")
    notice = page.locator("#draft-notice")
    expect(notice).to_contain_text("typed before this note was last saved")
    notice.get_by_role("button", name="Restore it").click()
    expect(page.get_by_label("Body")).to_have_value("Typed here, never saved.")
    expect(notice).to_be_hidden()


def test_leaving_unsaved_text_asks_first_but_saving_does_not(page, attendee, talk):
    log_in(page, "bob")
    open_page(page, writing_url(talk))
    page.get_by_role("link", name="Cancel").click()  # nothing typed: leaves without a word
    page.wait_for_url(talk.get_absolute_url())
    assert page.dialogs == []

    open_page(page, writing_url(talk))
    page.get_by_label("Body").fill("Something worth keeping.")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(talk.get_absolute_url())  # the dialog was accepted
    assert page.dialogs == ["beforeunload"]

    open_page(page, writing_url(talk))
    page.locator("#draft-notice").get_by_role("button", name="Discard").click()
    page.get_by_label("Body").fill("Saved this time.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url(lambda url: "/notes/new/" not in url)
    assert page.dialogs == ["beforeunload"]
    assert list(Note.objects.values_list("body", flat=True)) == ["Saved this time."]
    assert violations(page) == []
