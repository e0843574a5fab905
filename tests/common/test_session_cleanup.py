"""Expired sessions are deleted by Django's ``clearsessions`` (which the scheduler runs
weekly) from the session table the site now uses; live ones stay."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from common.models import Session
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def test_clearsessions_deletes_expired_sessions_and_keeps_live_ones(attendee):
    client = logged_in(attendee)
    live = client.cookies["sessionid"].value
    expired = logged_in(attendee).cookies["sessionid"].value
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    call_command("clearsessions")

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert client.get("/").status_code == 200
