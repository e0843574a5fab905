"""Screenshots of each person's main page at a laptop's and a phone's width.

``make screenshots`` runs this with NOTESITE_SCREENSHOTS_DIR=docs/screenshots, and the
README shows the pictures. Without the variable nothing is saved, but every page must
still load with its heading, so the test also guards the pages the README shows.
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seeding.plan import DEMO_PASSWORD
from tests.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Each person's main page: where the README's tour starts them.
MAIN_PAGES = {
    "bob": "/",
    "carol": "/takeaways/",
    "alice": "/admin/actions/actionpoint/",
}


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # load_demo refuses to run without it (known passwords)
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    settings.DEBUG = False


def screenshots_dir() -> Path | None:
    folder = os.environ.get("NOTESITE_SCREENSHOTS_DIR")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("username", list(MAIN_PAGES))
def test_main_page_of_each_person_at_both_widths(browser_page, demo, username):
    page = browser_page
    folder = screenshots_dir()
    log_in(page, username, DEMO_PASSWORD)
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        response = page.goto(MAIN_PAGES[username])

        assert response.status == 200
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("h1")).to_be_visible()
        if folder is not None:
            # The first screen only, as a person sees it: small files, and what counts.
            page.screenshot(path=folder / f"{username}-{width}.png", full_page=False)
