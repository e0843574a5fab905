"""The takeaways page in Chromium: themes narrow the list, filters apply as they
change (and the back button returns to the previous ones), names are chosen from
suggestions, the form works without JavaScript, and a phone sees it all without
scrolling sideways."""

import datetime
import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests.browser.test_phone import MIN_TARGET, OVERFLOW_JS, PHONE, SMALL_TARGETS_JS
from tests.factories import EventFactory, SpeakerFactory, TakeawayFactory, TalkFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Set to a folder to keep screenshots of the page while working on it.
SHOTS = os.environ.get("TAKEAWAY_SHOTS")


@pytest.fixture
def takeaways(attendee):
    madrid = EventFactory(
        name="DevOpsDays Madrid",
        city="Madrid",
        country="Spain",
        starts_on=datetime.date(2025, 6, 3),
    )
    oslo = EventFactory(
        name="DevOpsDays Oslo", city="Oslo", country="Norway", starts_on=datetime.date(2026, 10, 14)
    )
    hanna = SpeakerFactory(name="Hanna Lindqvist")
    rows = [
        ("Trace the slow path first.", madrid, ["observability", "kubernetes"]),
        ("Alert on symptoms, not causes.", madrid, ["observability"]),
        ("Pods are cattle, not pets.", oslo, ["kubernetes"]),
        ("Blameless reviews need practice.", oslo, ["culture"]),
        ("Hire for curiosity.", oslo, ["hiring", "culture"]),
    ]
    for text, event, tags in rows:
        talk = TalkFactory(event=event, speakers=[hanna] if event == madrid else [])
        TakeawayFactory(text=text, talk=talk).tags.add(*tags)
    return madrid


def wait_for_query(page, **expected: list[str]) -> None:
    """Wait until the address's query string holds exactly these parameters."""
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query) == expected)


def shown(page) -> list[str]:
    return page.locator(".takeaway-text").all_inner_texts()


def violations(page) -> list[str]:
    """Script errors and Content-Security-Policy violations, as they happen."""
    found = []
    page.on("pageerror", lambda error: found.append(str(error)))

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    return found


def test_a_ticked_tag_applies_at_once_and_back_returns(browser_page, takeaways):
    page = browser_page
    errors = violations(page)
    log_in(page, "bob")
    page.goto("/takeaways/")
    filters = page.get_by_role("form", name="Filter takeaways")
    filters.locator("label.facet-include", has_text="observability").locator("input").check()
    page.wait_for_url(re.compile(r"tag=observability"))
    expect(page.locator(".takeaway-text")).to_have_count(2)
    assert sorted(shown(page)) == ["Alert on symptoms, not causes.", "Trace the slow path first."]
    # The ticked box keeps the focus in the new form, for the next tick.
    assert page.evaluate("document.activeElement.value") == "observability"

    filters.get_by_label("any of the chosen tags").check()
    page.wait_for_url(re.compile(r"match=any"))
    # Any tag can still be added under "any of": hiring is on no takeaway shown.
    filters.locator("label.facet-include", has_text="hiring").locator("input").check()
    page.wait_for_url(re.compile(r"tag=hiring"))
    expect(page.locator(".takeaway-text")).to_have_count(3)

    page.go_back()
    wait_for_query(page, tag=["observability"], match=["any"])
    expect(page.locator(".takeaway-text")).to_have_count(2)
    page.go_back()
    wait_for_query(page, tag=["observability"], match=["all"])
    page.go_back()
    wait_for_query(page)
    expect(page.locator(".takeaway-text")).to_have_count(5)
    assert errors == []


def test_a_theme_narrows_the_list(browser_page, takeaways):
    page = browser_page
    log_in(page, "bob")
    page.goto("/takeaways/")
    themes = page.get_by_role("region", name="Themes")
    expect(
        themes.get_by_role("img", name=re.compile(r"^culture by event year: 2025: 0, 2026: 2$"))
    ).to_be_visible()
    themes.get_by_role("link", name=re.compile(r"^culture")).click()
    page.wait_for_url(re.compile(r"tag=culture"))
    assert sorted(shown(page)) == ["Blameless reviews need practice.", "Hire for curiosity."]


def test_an_event_is_chosen_by_name_from_suggestions(browser_page, takeaways):
    page = browser_page
    errors = violations(page)
    log_in(page, "bob")
    page.goto("/takeaways/")
    box = page.get_by_role("combobox", name="Event")
    box.press_sequentially("madr")
    option = page.get_by_role("option", name=re.compile("DevOpsDays Madrid"))
    expect(option).to_be_visible()
    expect(option).to_contain_text("2025 · Madrid, Spain")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(f"event={takeaways.slug}"))
    expect(page.locator(".chosen-label")).to_have_text("DevOpsDays Madrid")
    assert sorted(shown(page)) == ["Alert on symptoms, not causes.", "Trace the slow path first."]
    assert errors == []


def test_a_speaker_is_chosen_by_clicking_a_suggestion(browser_page, takeaways):
    page = browser_page
    log_in(page, "bob")
    page.goto("/takeaways/")
    page.get_by_role("combobox", name="Speaker").press_sequentially("hann")
    page.get_by_role("option", name="Hanna Lindqvist").click()
    page.wait_for_url(re.compile(r"speaker=hanna-lindqvist"))
    expect(page.locator(".takeaway-text")).to_have_count(2)


def test_without_javascript_the_button_applies_and_names_resolve(
    chromium, live_server, takeaways, monkeypatch
):
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
        page = context.new_page()
        log_in(page, "bob")
        page.goto("/takeaways/")
        filters = page.get_by_role("form", name="Filter takeaways")
        filters.locator("label.facet-include", has_text="observability").locator("input").check()
        filters.get_by_role("textbox", name="Event").fill("Madrid")
        filters.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"event=Madrid"))
        expect(page.locator(".chosen-label")).to_have_text("DevOpsDays Madrid")
        assert sorted(shown(page)) == [
            "Alert on symptoms, not causes.",
            "Trace the slow path first.",
        ]

        filters.get_by_role("textbox", name="Event").fill("DevOpsDays")
        filters.get_by_role("button", name="Apply filters").click()
        expect(page.locator(".chooser .errors")).to_contain_text("“DevOpsDays” matches 2 events")
        page.get_by_role("link", name="DevOpsDays Oslo").click()
        page.wait_for_url(re.compile(r"event=devopsdays-oslo"))
        expect(page.locator(".chosen-label")).to_have_text("DevOpsDays Oslo")
        context.close()
        browser.close()
    from django.db import connections

    connections.close_all()


def test_on_a_phone_nothing_overflows_and_targets_are_big_enough(browser_page, takeaways):
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, "bob")
    for url in ["/takeaways/", "/takeaways/?group=tag", "/takeaways/?event=DevOpsDays"]:
        page.goto(url)
        assert page.evaluate(OVERFLOW_JS) <= 0, url
        if "event=" not in url:  # a name to correct opens the filters first
            box = page.locator(".takeaway-text").first.bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], url
        if not page.locator(".filter-panel[open]").count():
            page.get_by_text("Filters", exact=True).click()
        page.get_by_role("combobox", name="Written by").press_sequentially("a")
        expect(page.get_by_role("option").first).to_be_visible()
        assert page.evaluate(OVERFLOW_JS) <= 0, url
        assert page.evaluate(SMALL_TARGETS_JS, MIN_TARGET) == [], url
        if SHOTS:
            name = re.sub(r"\W+", "-", url).strip("-")
            page.screenshot(path=f"{SHOTS}/phone-{name}.png", full_page=True)
    if SHOTS:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/takeaways/")
        page.screenshot(path=f"{SHOTS}/laptop.png", full_page=True)
