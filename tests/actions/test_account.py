"""The account page: reminders on or off, and the address email goes to."""

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Preferences
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/account/"


def test_the_url_is_named():
    assert reverse("actions:preferences") == URL


def test_reminders_are_on_by_default_and_reading_the_page_creates_nothing(
    attendee_client, attendee
):
    response = attendee_client.get(URL)
    assert response.status_code == 200
    assert response.context["form"]["reminders_enabled"].value() is True
    assert Preferences.objects.count() == 0
    page = response.content.decode()
    assert "<title>Your account · Notesite</title>" in page
    assert "Notesite emails <strong>bob@example.com</strong> when an action point" in page
    assert f'<a href="{reverse("actions:calendar")}">' in page


def test_turning_reminders_off_and_on_again(attendee_client, attendee):
    response = attendee_client.post(URL, {})
    assert response.status_code == 302
    assert response.url == URL
    assert Preferences.objects.get(user=attendee).reminders_enabled is False
    page = attendee_client.get(URL)
    assert [str(m) for m in page.context["messages"]] == ["Saved: reminder emails are off."]
    assert page.context["form"]["reminders_enabled"].value() is False

    attendee_client.post(URL, {"reminders_enabled": "on"})
    assert Preferences.objects.get(user=attendee).reminders_enabled is True


def test_saving_keeps_the_calendar_token(attendee_client, attendee):
    token = Preferences.for_user(attendee).calendar_token
    attendee_client.post(URL, {"reminders_enabled": "on", "calendar_token": "forged"})
    assert Preferences.objects.get(user=attendee).calendar_token == token


def test_one_changes_only_their_own_preferences(attendee_client, attendee, staff):
    attendee_client.post(URL, {"user": staff.pk})
    assert list(Preferences.objects.values_list("user__username", "reminders_enabled")) == [
        ("bob", False)
    ]


def test_without_an_email_address_the_page_says_nothing_can_be_sent(client):
    client.force_login(UserFactory(username="noemail", email=""))
    page = client.get(URL).content.decode()
    assert "You have no email address, so Notesite cannot send you notifications" in page


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={URL}"


def test_a_post_without_the_csrf_token_is_refused(attendee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)
    assert client.post(URL, {}).status_code == 403
    assert Preferences.objects.count() == 0


def test_other_methods_are_refused(attendee_client):
    assert attendee_client.delete(URL).status_code == 405


def test_every_page_links_to_the_account_page(attendee_client):
    page = attendee_client.get("/").content.decode()
    assert '<a href="/account/">Account</a>' in page
