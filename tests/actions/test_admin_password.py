"""A password staff set in the admin ends the old secret links, as a password the
person changes on the site does: the feed key and the calendar address stop working."""

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Preferences
from talks.feeds import feed_key
from tests.factories import EventFactory, UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-passphrase-42"


FEED_URL = "/events/oslo-2025/feed/"


def feed_status(key: str) -> int:
    return Client().get(FEED_URL, {"key": key}).status_code


def calendar_status(token: str) -> int:
    return Client().get(reverse("actions:calendar-feed", args=[token])).status_code


def set_password(staff, user, password: str = NEW_PASSWORD, again: str = NEW_PASSWORD):
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    data = {"password1": password, "password2": again, "usable_password": "true"}
    return logged_in(staff).post(url, data)


def test_a_password_set_by_staff_refuses_the_old_feed_key_and_calendar_address():
    EventFactory(slug="oslo-2025")
    staff = UserFactory(username="admin", role="staff", is_superuser=True)
    bob = UserFactory(username="bob", role="attendee")
    old_key, old_token = feed_key(bob), Preferences.for_user(bob).calendar_token

    response = set_password(staff, bob)

    bob.refresh_from_db()
    new_token = Preferences.objects.get(user=bob).calendar_token
    assert response.status_code == 302
    assert bob.check_password(NEW_PASSWORD)
    assert (feed_status(old_key), feed_status(feed_key(bob))) == (403, 200)
    assert (calendar_status(old_token), calendar_status(new_token)) == (404, 200)


def test_a_refused_password_in_the_admin_keeps_the_links():
    EventFactory(slug="oslo-2025")
    staff = UserFactory(username="admin", role="staff", is_superuser=True)
    bob = UserFactory(username="bob", role="attendee")
    key, token = feed_key(bob), Preferences.for_user(bob).calendar_token

    response = set_password(staff, bob, again="something-else-entirely-99")

    assert response.status_code == 200
    assert (feed_status(key), calendar_status(token)) == (200, 200)
