"""Notesite on a phone (390x844) and the header on a laptop (1280x800), walked in Chromium.

Tap targets follow WCAG 2.2's target size (2.5.8, minimum): every control is at least
24x24 CSS px, except links inside running text, which WCAG exempts because the line
height of the sentence around them sets their size. A link counts as "in a sentence"
when its block (nearest ancestor that is not displayed inline) holds text of its own
outside any link or control, e.g. "Correct the filters above, or clear them."
"""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seeding.plan import DEMO_PASSWORD
from talks.models import Event, Takeaway
from tests.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
MIN_TARGET = 24

# Interactive elements that are visible and on the page; the JS returns the ones smaller
# than MIN_TARGET in either dimension, with enough to find them.
SMALL_TARGETS_JS = """
(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const isInline = (el) => getComputedStyle(el).display.startsWith('inline');
  const blockOf = (el) => {
    let block = el.parentElement;
    while (block && isInline(block)) block = block.parentElement;
    return block;
  };
  // Text in the block that is neither in a link or control nor in a nested block.
  const ownText = (block) => {
    let text = '';
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) { text += child.textContent; continue; }
        if (child.nodeType !== Node.ELEMENT_NODE) continue;
        if (child.matches(selector) || child.matches('.visually-hidden')) continue;
        if (!isInline(child)) continue;
        walk(child);
      }
    };
    walk(block);
    return text.replace(/[\\s()·,.:;|\\u2013\\u2014-]+/g, ' ').trim();
  };
  const inSentence = (el) => el.matches('a') && isInline(el) && ownText(blockOf(el)) !== '';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden') continue;
    if (box.right < 0 || box.bottom < 0) continue;  // the skip link until it is focused
    if (el.closest('details:not([open])') && !el.matches('summary')) continue;
    if (inSentence(el)) continue;
    if (box.width < minimum || box.height < minimum) {
      const name = (el.textContent || el.getAttribute('aria-label') || el.name || '').trim();
      small.push(`${el.tagName.toLowerCase()} "${name.slice(0, 30)}" ` +
                 `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}
"""
OVERFLOW_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def demo(db, settings):
    """The demo data: a dashboard, events, takeaways and follow-ups as full as a real one."""
    settings.DEBUG = True  # load_demo refuses to run without it (known passwords)
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    settings.DEBUG = False


def log_in_as(page, username: str) -> None:
    log_in(page, username, DEMO_PASSWORD)


def main_pages() -> list[str]:
    event = Event.objects.order_by("-starts_on").first()
    return [
        "/",
        event.get_absolute_url(),
        "/takeaways/",
        "/follow-ups/",
        "/follow-ups/overview/",
        "/search/?q=testing",
    ]


def exposed_links(page, names: list[str]) -> list[str]:
    """Which of these links Chromium's accessibility tree exposes (not ignored), in order."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    exposed = [
        node["name"]["value"]
        for node in tree
        if node.get("role", {}).get("value") == "link" and not node.get("ignored")
    ]
    return [name for name in names if name in exposed]


def on_phone(page) -> None:
    page.set_viewport_size(PHONE)


def test_no_page_is_wider_than_a_phone(browser_page, demo):
    page = browser_page
    on_phone(page)
    log_in_as(page, "carol")
    wider = {}
    for url in [*main_pages(), "/events/", "/tags/", "/accounts/preferences/"]:
        page.goto(url)
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow > 0:
            wider[url] = overflow
    assert wider == {}


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_no_tap_target_under_24_px_on_the_main_pages(browser_page, demo, viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    log_in_as(page, "carol")
    small = {}
    for url in main_pages():
        page.goto(url)
        # Open the menu and the filters too (on a phone): their controls are tapped as well.
        closed = page.locator("details:not([open]) > summary:visible")
        while closed.count():
            closed.first.click()
        found = page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)
        if found:
            small[url] = found
    assert small == {}


@pytest.mark.parametrize("url", ["/takeaways/", "/follow-ups/"])
def test_first_result_is_on_the_first_screen_of_a_phone(browser_page, demo, url):
    page = browser_page
    on_phone(page)
    log_in_as(page, "carol")
    page.goto(url)
    first = page.locator(".takeaway-text, table.follow-ups tbody tr").first
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]


def test_header_on_a_phone_is_one_line_with_a_menu(browser_page, demo):
    page = browser_page
    on_phone(page)
    log_in_as(page, "carol")
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] <= 64
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    assert exposed_links(page, ["Events", "Tags", "Account"]) == []

    page.get_by_text("Menu", exact=True).click()
    expect(nav).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()
    nav.get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My follow-ups")

    page.get_by_text("Menu", exact=True).focus()  # and by keyboard
    page.keyboard.press("Enter")
    page.get_by_role("searchbox", name="Search").fill("testing")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Search")


def test_header_on_a_laptop_shows_the_menu_without_a_button(browser_page, demo):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    log_in_as(page, "carol")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # Today's two rows (brand, links and search; then the account), 102 px before phones.
    assert page.locator("header.site-header").bounding_box()["height"] <= 110
    # The links sit in a <details> that is shown, not opened: screen readers must get them.
    assert exposed_links(page, ["Events", "Tags", "Account"]) == ["Events", "Tags", "Account"]
    nav.get_by_role("link", name="Takeaways").click()
    expect(page.get_by_role("form", name="Filter takeaways")).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()


def test_filters_on_a_phone_open_from_their_button_and_apply(browser_page, demo):
    page = browser_page
    on_phone(page)
    log_in_as(page, "carol")
    page.goto("/takeaways/")
    filters = page.get_by_role("form", name="Filter takeaways")
    expect(filters).to_be_hidden()

    page.get_by_text("Filters", exact=True).click()
    filters.locator("label.facet-include", has_text="testing").locator("input").check()
    filters.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/takeaways/?*tag=testing*")
    expect(page.get_by_text("Filters (on)", exact=True)).to_be_visible()
    expect(filters).to_be_hidden()  # the results come first again
    tagged = Takeaway.objects.filter(tags__slug="testing").values_list("text", flat=True)
    assert sorted(page.locator(".takeaway-text").all_inner_texts()) == sorted(tagged)
