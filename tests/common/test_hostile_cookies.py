"""Cookies are input too: a session cookie that no session could have (Python's
cookie parser turns a quoted ``"\\000..."`` into a NUL, which PostgreSQL refuses in
a query) is no session, so the page answers as to anyone logged out."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FORGED = ['"\\000abcdefgh"', "ABCDEFGH-not-a-key", "a" * 8 + "\u00e9"]


@pytest.mark.parametrize("value", FORGED)
def test_a_forged_session_cookie_is_no_session(value):
    client = Client(raise_request_exception=False, HTTP_COOKIE=f"sessionid={value}")
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/").status_code == 302  # to the login page


def test_a_real_session_cookie_still_logs_in(attendee_client):
    assert attendee_client.get("/").status_code == 200
