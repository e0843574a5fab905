"""The whole site requires login, except the login page, static files and /healthz."""

import pytest
from django.db import connections
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import ActionPointFactory, EventFactory, OpenSpaceFactory, TalkFactory
from tests.helpers import count_queries

# The calendar feed is for calendar apps, which cannot log in: its secret token is
# the credential (tested in tests/actions/test_calendar.py).
OPEN_URL_NAMES = {"login", "healthz", "actions:calendar-feed"}
SAMPLE_KWARGS = {"slug": "some-slug", "event_slug": "some-event", "pk": 1, "kind": "event"}


def site_url_names(resolver=None, namespace=""):
    """Every named URL outside the admin (which has its own login)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from site_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, list(pattern.pattern.regex.groupindex)


PROTECTED = sorted((name, args) for name, args in site_url_names() if name not in OPEN_URL_NAMES)


def test_the_protected_list_covers_the_pages_we_know():
    names = [name for name, _ in PROTECTED]
    assert {"home", "talks:event-list", "talks:event-detail", "actions:detail"} <= set(names)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PROTECTED, ids=[name for name, _ in PROTECTED])
def test_anonymous_visitor_is_sent_to_login(client, name, args):
    url = reverse(name, kwargs={arg: SAMPLE_KWARGS[arg] for arg in args})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.django_db
def test_admin_sends_anonymous_visitor_to_admin_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_login_page_is_open(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.django_db
def test_bob_logs_in_and_sees_the_events(client, attendee):
    EventFactory(name="DevOpsDays Oslo")
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": "pw", "next": "/events/"}
    )
    assert response["Location"] == "/events/"
    page = client.get("/events/")
    assert [e.name for e in page.context["page"]] == ["DevOpsDays Oslo"]


@pytest.mark.django_db
def test_wrong_password_says_so(client, attendee):
    response = client.post("/accounts/login/", {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


@pytest.mark.django_db
def test_logout_ends_the_session(attendee_client):
    response = attendee_client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert attendee_client.get("/events/").status_code == 302


@pytest.mark.django_db
def test_password_change_page_needs_the_old_password(attendee_client):
    response = attendee_client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )
    assert response.context["form"].errors["old_password"] == [
        "Your old password was entered incorrectly. Please enter it again."
    ]


@pytest.mark.django_db
def test_static_files_need_no_login(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    # A real connection to a server that is not there, in place of the default one.
    unreachable = connections.create_connection("default")
    unreachable.settings_dict = {**unreachable.settings_dict, "HOST": "/nonexistent", "PORT": "1"}
    monkeypatch.setattr("notesite.views.connection", unreachable)
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"database unavailable\n")


@pytest.mark.django_db
def test_pages_render_for_a_logged_in_attendee(attendee_client):
    talk = TalkFactory(title="Lean QA")
    open_space = OpenSpaceFactory(event=talk.event, topic="Hiring juniors")
    action_point = ActionPointFactory(event=talk.event, title="Write the runbook")
    speaker = talk.speakers.create(name="Theo Tester")
    pages = [
        "/",
        "/events/",
        talk.event.get_absolute_url(),
        talk.get_absolute_url(),
        open_space.get_absolute_url(),
        speaker.get_absolute_url(),
        action_point.get_absolute_url(),
    ]
    assert [attendee_client.get(url).status_code for url in pages] == [200] * len(pages)


@pytest.mark.django_db
def test_unknown_event_is_404(attendee_client):
    assert attendee_client.get("/events/no-such-event/").status_code == 404


@pytest.mark.django_db
def test_event_list_runs_the_same_queries_for_3_and_27_events(attendee_client):
    EventFactory.create_batch(3)
    few = count_queries(attendee_client, "/events/")
    EventFactory.create_batch(24)
    assert count_queries(attendee_client, "/events/") == few


@pytest.mark.django_db
def test_event_page_runs_the_same_queries_for_1_and_10_talks(attendee_client):
    event = EventFactory()
    TalkFactory(event=event).tags.add("a", "b")
    one = count_queries(attendee_client, event.get_absolute_url())
    for talk in TalkFactory.create_batch(9, event=event):
        talk.tags.add("c")
        talk.speakers.create(name=f"Speaker {talk.pk}")
    assert count_queries(attendee_client, event.get_absolute_url()) == one


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/logout/", "/admin/logout/"])
def test_logout_asks_the_browser_to_forget_stored_drafts(url, client, staff):
    client.force_login(staff)
    response = client.post(url)
    assert (response.status_code, response["Clear-Site-Data"]) == (302, '"storage"')
    assert client.get("/admin/").status_code == 302
