"""Feed keys can be revoked: a reset on the account page, or a password change (which
also replaces the calendar address), makes every earlier key stop working."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from actions.models import Preferences
from talks.feeds import FEED_SALT, feed_key
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

FEED_URL = "/events/oslo-2025/feed/"
ACCOUNT_URL = "/account/"
RESET_URL = "/account/feed-key/reset/"
PASSWORD_URL = "/accounts/password_change/"


@pytest.fixture(autouse=True)
def event():
    return EventFactory(slug="oslo-2025")


def feed_status(key: str) -> int:
    return Client().get(FEED_URL, {"key": key}).status_code


def calendar_status(token: str) -> int:
    return Client().get(reverse("actions:calendar-feed", args=[token])).status_code


def change_password(client: Client, old: str = "pw", new: str = "a-new-long-passphrase"):
    return client.post(
        PASSWORD_URL, {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_the_key_stays_the_same_until_reset(attendee):
    assert feed_key(attendee) == feed_key(attendee)
    assert feed_status(feed_key(attendee)) == 200


def test_reset_refuses_the_old_key_and_the_new_one_works(attendee_client, attendee):
    old = feed_key(attendee)

    response = attendee_client.post(RESET_URL)
    new = feed_key(attendee)

    assert response["Location"] == ACCOUNT_URL
    assert new != old
    assert (feed_status(old), feed_status(new)) == (403, 200)


def test_a_second_reset_refuses_the_first_new_key_too(attendee_client, attendee):
    attendee_client.post(RESET_URL)
    first = feed_key(attendee)
    attendee_client.post(RESET_URL)
    assert (feed_status(first), feed_status(feed_key(attendee))) == (403, 200)


def test_the_event_page_shows_the_new_key_after_a_reset(attendee_client, attendee, event):
    old = attendee_client.get(event.get_absolute_url()).context["feed_url"]
    attendee_client.post(RESET_URL)
    new = attendee_client.get(event.get_absolute_url()).context["feed_url"]
    assert (Client().get(old).status_code, Client().get(new).status_code) == (403, 200)


def test_keys_made_before_keys_could_be_reset_work_until_the_first_reset(attendee_client, attendee):
    legacy = signing.Signer(salt=FEED_SALT).sign(str(attendee.pk))
    assert feed_status(legacy) == 200
    attendee_client.post(RESET_URL)
    assert feed_status(legacy) == 403


def test_one_persons_reset_leaves_anothers_key_alone(attendee_client, staff):
    key = feed_key(staff)
    attendee_client.post(RESET_URL)
    assert feed_status(key) == 200


def test_the_account_page_offers_the_reset(attendee_client):
    page = attendee_client.get(ACCOUNT_URL).content.decode()
    assert f'action="{RESET_URL}"' in page


def test_reset_is_post_only_and_needs_a_csrf_token(attendee):
    key = feed_key(attendee)
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)
    assert (client.get(RESET_URL).status_code, client.post(RESET_URL).status_code) == (405, 403)
    assert feed_status(key) == 200


def test_a_password_change_refuses_the_old_feed_key_and_calendar_address(attendee_client, attendee):
    old_key = feed_key(attendee)
    old_token = Preferences.for_user(attendee).calendar_token

    response = change_password(attendee_client)
    new_token = Preferences.objects.get(user=attendee).calendar_token

    assert response["Location"] == "/accounts/password_change/done/"
    assert (feed_status(old_key), feed_status(feed_key(attendee))) == (403, 200)
    assert (calendar_status(old_token), calendar_status(new_token)) == (404, 200)


def test_the_done_page_says_the_links_were_reset(attendee_client):
    page = attendee_client.get("/accounts/password_change/done/").content.decode()
    assert "were reset too" in page


def test_a_refused_password_change_keeps_the_links(attendee_client, attendee):
    key = feed_key(attendee)
    token = Preferences.for_user(attendee).calendar_token

    response = change_password(attendee_client, old="not-my-password")

    assert response.status_code == 200
    assert (feed_status(key), calendar_status(token)) == (200, 200)
