"""Fixtures for browser tests: Debian's Chromium driven by Playwright.

Playwright cannot download its own browsers here (and should not at run time), so
it launches the system ``chromium``, which ``make test`` (its ``chromium`` target)
installs where it can.
"""

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# Flags that keep a headless Chromium from reaching out to the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium to drive: a missing one skips the browser tests, and fails them in CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(
                f"Browser tests need Chromium at {CHROMIUM}; `make test` installs it "
                "(its chromium target)."
            )
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (make test installs it).")
    return CHROMIUM


@pytest.fixture
def browser_page(chromium, live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread for as long as it is
    # started, which trips Django's async-safety check although the ORM calls from the
    # test body stay synchronous and safe. So the check is off only while a browser test
    # runs, and Playwright starts and stops with each test (well under a second): a
    # session-wide browser would leave the loop running under every later test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()
        # The test body's queries ran on connections Django opened for the loop's
        # context; close them while that context is still current.
        connections.close_all()


def log_in(page, username: str, password: str = "pw") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
