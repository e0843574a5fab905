"""Login throttling: too many wrong passwords lock an account for one address, and an
address alone after more; the page says how long to wait; staff unlock in the admin."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from notesite.throttle import client_ip
from tests.factories import UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
ATTEMPTS_URL = "/admin/axes/accessattempt/"


def log_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in_as(client: Client) -> str | None:
    user = client.get("/").wsgi_request.user
    return user.username if user.is_authenticated else None


def fail(times: int, username: str, address: str = "203.0.113.7") -> None:
    for _ in range(times):
        response = log_in(Client(), username, "wrong", address)
        assert response.status_code in {200, 429}


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 12
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.TRUSTED_PROXY_COUNT = 0


def test_a_wrong_password_below_the_limit_still_lets_the_right_one_in(limits, attendee):
    fail(4, "bob")
    client = Client()
    response = log_in(client, "bob", "pw")
    assert (response.status_code, logged_in_as(client)) == (302, "bob")


def test_after_the_limit_the_right_password_is_refused_with_the_wait(limits, attendee):
    fail(5, "bob")
    client = Client()
    response = log_in(client, "bob", "pw")
    page = response.content.decode()
    assert response.status_code == 429
    assert "Wait 15 minutes" in page
    assert logged_in_as(client) is None


def test_the_lock_is_for_that_address_only(limits, attendee):
    fail(5, "bob", address="203.0.113.7")
    client = Client()
    response = log_in(client, "bob", "pw", address="198.51.100.20")
    assert (response.status_code, logged_in_as(client)) == (302, "bob")


def test_another_account_from_that_address_works_until_the_address_limit(limits, attendee):
    UserFactory(username="dave", password="pw-dave")
    UserFactory(username="erin", password="pw-erin")
    fail(5, "bob")
    fail(5, "mallory")

    client = Client()
    assert (log_in(client, "dave", "pw-dave").status_code, logged_in_as(client)) == (302, "dave")

    fail(2, "someone")  # 12 failures from this address
    client = Client()
    response = log_in(client, "erin", "pw-erin")
    assert (response.status_code, logged_in_as(client)) == (429, None)


def test_after_the_cool_off_the_right_password_works_again(limits, attendee):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(5, "bob")
        clock.shift(datetime.timedelta(minutes=14))
        assert log_in(Client(), "bob", "pw").status_code == 429
        # That refused try started the wait again.
        clock.shift(datetime.timedelta(minutes=15, seconds=1))
        client = Client()
        response = log_in(client, "bob", "pw")
    assert (response.status_code, logged_in_as(client)) == (302, "bob")


def test_the_wait_on_the_page_follows_the_setting(limits, settings, attendee):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)
    fail(5, "bob")
    assert "Wait 1 minute," in log_in(Client(), "bob", "pw").content.decode()


def test_staff_see_and_delete_the_lockout_to_unlock(limits, attendee, staff):
    fail(5, "bob")
    admin = logged_in(staff)
    listing = admin.get(ATTEMPTS_URL)
    attempt = AccessAttempt.objects.get()
    assert (listing.status_code, attempt.username, attempt.failures_since_start) == (
        200,
        "bob",
        5,
    )
    assert "203.0.113.7" in listing.content.decode()

    confirm = admin.post(f"{ATTEMPTS_URL}{attempt.pk}/delete/", {"post": "yes"})
    client = Client()
    response = log_in(client, "bob", "pw")
    assert (confirm.status_code, AccessAttempt.objects.count()) == (302, 0)
    assert (response.status_code, logged_in_as(client)) == (302, "bob")


@pytest.mark.parametrize("who", ["attendee", "manager"])
def test_people_who_are_not_staff_cannot_see_or_delete_lockouts(request, limits, who):
    UserFactory(username="victim")
    fail(5, "victim")
    attempt = AccessAttempt.objects.get()
    client = logged_in(request.getfixturevalue(who))

    listing = client.get(ATTEMPTS_URL)
    delete = client.post(f"{ATTEMPTS_URL}{attempt.pk}/delete/", {"post": "yes"})

    assert (listing.status_code, delete.status_code) == (302, 302)
    assert listing["Location"].startswith("/admin/login/")
    assert AccessAttempt.objects.count() == 1


def test_forced_logins_of_other_tests_are_not_counted(limits, attendee):
    for _ in range(10):
        logged_in(attendee)
    assert AccessAttempt.objects.count() == 0


# --- The client's address -------------------------------------------------------------


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post(LOGIN_URL, **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No proxy: the header is the client's to make up, so it is ignored.
        (0, "192.0.2.1", "10.0.0.2"),
        # One proxy appends the address it saw; what the client sent is to its left.
        (1, "192.0.2.1, 198.51.100.9", "198.51.100.9"),
        (2, "192.0.2.1, 198.51.100.9, 10.0.0.5", "198.51.100.9"),
        # Not through the proxy (no header, or too short): the peer is the client.
        (1, None, "10.0.0.2"),
        (2, "198.51.100.9", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(proxies, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request_from("10.0.0.2", forwarded)) == expected


def test_behind_a_proxy_a_made_up_header_does_not_escape_the_lock(limits, settings, attendee):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        Client().post(
            LOGIN_URL,
            {"username": "bob", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9",
        )
    response = Client().post(
        LOGIN_URL,
        {"username": "bob", "password": "pw"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.9",
    )
    assert response.status_code == 429


class CountingHasher(MD5PasswordHasher):
    """The test settings' hasher, counting the passwords it checks."""

    checked = 0

    def verify(self, password, encoded):
        type(self).checked += 1
        return super().verify(password, encoded)


def test_a_try_during_the_lockout_checks_no_password(limits, attendee, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    fail(5, "bob")
    CountingHasher.checked = 0

    responses = [log_in(Client(), "bob", password).status_code for password in ("pw", "x", "y")]

    assert (responses, CountingHasher.checked) == ([429, 429, 429], 0)


def test_a_try_below_the_limit_checks_the_password(limits, attendee, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.checked = 0
    fail(1, "bob")
    assert CountingHasher.checked == 1
