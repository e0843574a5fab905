"""While developing (DEBUG on), a missing page is the site's own 404 page, as in
production, not Django's list of URL patterns; the site's 403 page likewise."""

import pytest

from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["developing", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def template_names(response) -> list[str]:
    # Django's own pages are rendered from unnamed templates (None).
    return [template.name for template in response.templates if template.name]


@pytest.mark.parametrize(
    "path", ["/no-such-page/", "/events/no-such-event/", "/notes/999999/edit/"]
)
def test_a_missing_page_is_the_sites_404_page(debug, attendee_client, path):
    response = attendee_client.get(path)
    assert response.status_code == 404
    assert template_names(response)[:2] == ["404.html", "base.html"]
    assert "Using the URLconf" not in response.content.decode()


def test_a_missing_page_for_someone_logged_out_is_the_sites_404_page(debug, client):
    response = client.get("/no-such-page/")
    assert (response.status_code, template_names(response)[:1]) == (404, ["404.html"])


def test_a_page_that_renders_its_own_404_keeps_it(debug, attendee_client):
    response = attendee_client.get("/tags/no-such-tag/")
    assert (response.status_code, template_names(response)[:1]) == (
        404,
        ["search/tag_not_found.html"],
    )


def test_a_missing_slash_still_redirects(debug, attendee_client):
    response = attendee_client.get("/search")
    assert (response.status_code, response["Location"]) == (301, "/search/")


def test_a_refused_page_is_the_sites_403_page(debug, attendee_client):
    note = NoteFactory(status="published")
    response = attendee_client.get(f"/notes/{note.pk}/edit/")
    assert (response.status_code, template_names(response)[:2]) == (403, ["403.html", "base.html"])
