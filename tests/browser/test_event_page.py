"""An event's page in Chromium, on the demo data: the programme in order with days,
times and rooms, one primary action, long lists folded (openable without JavaScript),
nothing wider than a phone and no tap target under 24 px."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.seeding.plan import DEMO_PASSWORD
from talks.models import Event
from tests.browser import log_in
from tests.browser.test_phone import LAPTOP, MIN_TARGET, OVERFLOW_JS, PHONE, SMALL_TARGETS_JS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The demo's biggest event page at 1280 px, as bob: 4,542 px tall before the programme
# and the folding, 2,895 px after (at 390 px: 6,650 and 4,085).
MAX_HEIGHT_AT_LAPTOP = 3_300


@pytest.fixture
def lisbon(db, settings) -> str:
    settings.DEBUG = True  # load_demo refuses to run without it (known passwords)
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    settings.DEBUG = False
    return Event.objects.get(slug="pycon-lisbon-2026").get_absolute_url()


def open_as_bob(page, url: str) -> None:
    log_in(page, "bob", DEMO_PASSWORD)
    page.goto(url)


def test_the_programme_is_shown_by_day_in_time_order(browser_page, lisbon):
    page = browser_page
    open_as_bob(page, lisbon)
    days = page.locator(".programme-day").all_inner_texts()
    when = [" ".join(t.split()) for t in page.locator(".programme-when").all_inner_texts()]
    what = page.locator(".programme-what > a").all_inner_texts()
    rows = [f"{w} | {title}" for w, title in zip(when, what, strict=True)]
    assert days == ["Thursday 16 Apr 2026", "Friday 17 Apr 2026"]
    assert rows == [
        "09:30 Auditorium | The Long Tail of Small Decisions",
        "11:00 Room A | Tracing Python Services Without Drowning in Spans",
        "11:00 Room B | Test Suites That Scale With the Team",
        "14:00 Auditorium | Five Minutes on Feature Flags",
        "14:05 Auditorium | Your README Is a Runbook",
        "15:30 Room C | Running an internal platform as a product",
        "09:00 Auditorium | What Our Incident Reviews Stopped Saying",
    ]


def test_write_a_note_looks_primary_and_the_feed_quiet(browser_page, lisbon):
    page = browser_page
    open_as_bob(page, lisbon)
    style = "(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    write = page.get_by_role("link", name="Write a note on the event")
    feed = page.get_by_role("link", name="Atom feed of this event's takeaways and notes")
    assert write.evaluate(style) == ["rgb(11, 92, 173)", "rgb(255, 255, 255)"]
    assert feed.evaluate(style)[0] == "rgba(0, 0, 0, 0)"
    assert write.bounding_box()["height"] >= 36


def test_the_page_is_far_shorter_with_long_lists_folded(browser_page, lisbon):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    open_as_bob(page, lisbon)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT_AT_LAPTOP
    folded = page.locator("details.fold:not([open]) > summary").all_inner_texts()
    assert folded == [
        "Show 5 more takeaways",
        "Show 4 more action points",
        "Show 4 more notes on its sessions",
    ]
    bylines = page.locator("details.note-folded:not([open]) > summary").all_inner_texts()
    assert len(bylines) == 2  # the notes on the event, by Alice and Bob


def test_folded_lists_open_without_javascript(browser_page, live_server, lisbon):
    context = browser_page.context.browser.new_context(
        base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    open_as_bob(page, lisbon)
    more = page.locator("details.fold").first
    hidden = more.locator("li").first
    assert not hidden.is_visible()
    more.locator("summary").click()
    assert hidden.is_visible()
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_no_overflow_and_no_tap_target_under_24_px(browser_page, lisbon, viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    open_as_bob(page, lisbon)
    closed = page.locator("details:not([open]) > summary:visible")
    while closed.count():
        closed.first.click()
    assert page.evaluate(OVERFLOW_JS) <= 0
    assert page.evaluate(SMALL_TARGETS_JS, MIN_TARGET) == []
