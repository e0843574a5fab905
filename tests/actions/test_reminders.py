"""send_reminders: one reminder a day per person (due soon and overdue), the team's
overdue ones for managers, the outbox retried, and a clean failure without a
database."""

import datetime
import os
import smtplib
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.utils import timezone

from actions.management.commands.send_reminders import Command
from actions.models import Notification, Preferences, ReminderLog
from tests.factories import ActionPointFactory, UserFactory
from tests.helpers import send_reminders

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 6, 10)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The clock, the one true boundary: 8 in the morning on TODAY."""
    moment = {"now": datetime.datetime(2026, 6, 10, 8, 0, tzinfo=datetime.UTC)}
    monkeypatch.setattr(timezone, "now", lambda: moment["now"])

    def move_to(day: datetime.date, hour: int = 8) -> None:
        moment["now"] = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)

    return move_to


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def reminders_sent(mailoutbox) -> list[tuple[list[str], str]]:
    return [(message.to, message.subject) for message in mailoutbox]


def titles_in(body: str) -> list[str]:
    return [line.strip()[2:] for line in body.splitlines() if line.startswith("  - ")]


# --- A person's reminder ------------------------------------------------------------


def test_a_person_gets_one_reminder_of_what_is_overdue_or_due_within_three_days(
    attendee, staff, mailoutbox
):
    ActionPointFactory(title="Due in three days", assignee=attendee, due_on=day(3))
    ActionPointFactory(title="Due in four days", assignee=attendee, due_on=day(4))
    ActionPointFactory(title="Due today", assignee=attendee, due_on=day(0), status="in_progress")
    ActionPointFactory(title="Two days late", assignee=attendee, due_on=day(-2))
    ActionPointFactory(title="Done late", assignee=attendee, due_on=day(-2), status="done")
    ActionPointFactory(title="Dropped", assignee=attendee, due_on=day(1), status="dropped")
    ActionPointFactory(title="No due date", assignee=attendee)
    ActionPointFactory(title="Alice's", assignee=staff, due_on=day(5))

    output = send_reminders()

    assert reminders_sent(mailoutbox) == [
        (["bob@example.com"], "Your follow-ups: 1 overdue, 2 due soon"),
    ]
    body = mailoutbox[0].body
    assert titles_in(body) == ["Two days late", "Due today", "Due in three days"]
    assert "Overdue:\n\n  - Two days late\n    2 days overdue (due 8 Jun 2026)\n" in body
    assert "Due by 13 Jun 2026:\n\n  - Due today\n    due today (due 10 Jun 2026)\n" in body
    assert "https://notes.example.com/follow-ups/" in body
    assert "Turn reminders off on your account page: https://notes.example.com/account/" in body
    assert output == (
        "Reminders for 2026-06-10 (due by 2026-06-13): 1 queued (0 to managers, 0 skipped: "
        "no email address). Emails: 1 sent, 0 failed and kept to retry, 0 given up, "
        "0 skipped, 0 not tried.\n"
    )


def test_days_sets_how_far_ahead_it_looks(attendee, mailoutbox):
    ActionPointFactory(title="Tomorrow", assignee=attendee, due_on=day(1))
    ActionPointFactory(title="In a week", assignee=attendee, due_on=day(7))
    send_reminders("--days", "7")
    assert titles_in(mailoutbox[0].body) == ["Tomorrow", "In a week"]


def test_nobody_with_nothing_due_gets_a_reminder(attendee, mailoutbox):
    ActionPointFactory(assignee=attendee, due_on=day(4))
    ActionPointFactory(assignee=None, due_on=day(-4))
    send_reminders()
    assert reminders_sent(mailoutbox) == []
    assert ReminderLog.objects.count() == 0


def test_running_every_hour_sends_one_reminder_a_day(attendee, clock, mailoutbox):
    ActionPointFactory(title="Late", assignee=attendee, due_on=day(-1))
    send_reminders()
    clock(TODAY, hour=9)
    ActionPointFactory(title="Later the same day", assignee=attendee, due_on=day(1))
    second = send_reminders()
    assert len(mailoutbox) == 1
    assert second.startswith("Reminders for 2026-06-10 (due by 2026-06-13): 0 queued")

    clock(day(1))
    send_reminders()
    assert [titles_in(m.body) for m in mailoutbox] == [
        ["Late"],
        ["Late", "Later the same day"],
    ]


def test_someone_who_turned_reminders_off_gets_none(attendee, mailoutbox):
    Preferences.objects.create(user=attendee, reminders_enabled=False)
    ActionPointFactory(assignee=attendee, due_on=day(-1))
    send_reminders()
    assert reminders_sent(mailoutbox) == []


def test_reminders_are_on_without_a_preferences_row(attendee, staff, mailoutbox):
    Preferences.objects.create(user=staff, reminders_enabled=True)
    ActionPointFactory(assignee=attendee, due_on=day(-1))
    ActionPointFactory(assignee=staff, due_on=day(-1))
    send_reminders()
    assert sorted(to for to, _subject in reminders_sent(mailoutbox)) == [
        ["alice@example.com"],
        ["bob@example.com"],
    ]


def test_an_inactive_account_gets_none(mailoutbox):
    leaver = UserFactory(username="leaver", is_active=False)
    ActionPointFactory(assignee=leaver, due_on=day(-1))
    send_reminders()
    assert reminders_sent(mailoutbox) == []


def test_someone_without_an_email_address_is_skipped_once_a_day_with_a_warning(mailoutbox, caplog):
    noemail = UserFactory(username="noemail", email="")
    ActionPointFactory(assignee=noemail, due_on=day(-1))
    output = send_reminders()
    send_reminders()
    assert reminders_sent(mailoutbox) == []
    assert "1 queued (0 to managers, 1 skipped: no email address)" in output
    assert Notification.objects.get().state == "skipped"
    assert caplog.text.count("Not emailing noemail") == 1


# --- Managers -----------------------------------------------------------------------


def test_a_manager_gets_the_teams_overdue_ones_in_their_reminder(
    manager, attendee, staff, mailoutbox
):
    ActionPointFactory(title="Bob's, late", assignee=attendee, due_on=day(-3))
    ActionPointFactory(title="Nobody's, late", due_on=day(-1))
    ActionPointFactory(title="Alice's, due soon", assignee=staff, due_on=day(1))
    ActionPointFactory(title="Bob's, done", assignee=attendee, due_on=day(-3), status="done")
    ActionPointFactory(title="Carol's, late", assignee=manager, due_on=day(-1))

    send_reminders()

    carols = next(m for m in mailoutbox if m.to == ["carol@example.com"])
    assert carols.subject == "Your follow-ups: 1 overdue, 2 overdue across the team"
    assert titles_in(carols.body) == ["Carol's, late", "Bob's, late", "Nobody's, late"]
    assert "Overdue across the team (besides yours):" in carols.body
    assert "    bob, 3 days overdue (due 7 Jun 2026)\n" in carols.body
    assert "    unassigned, 1 day overdue (due 9 Jun 2026)\n" in carols.body
    assert (
        "Everything overdue: https://notes.example.com/follow-ups/?scope=all&overdue=yes"
        in carols.body
    )
    assert sorted(to[0] for to, _subject in reminders_sent(mailoutbox)) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]


def test_a_manager_with_nothing_of_their_own_still_gets_the_team_reminder(
    manager, attendee, mailoutbox
):
    ActionPointFactory(title="Bob's, late", assignee=attendee, due_on=day(-3))
    Preferences.objects.create(user=attendee, reminders_enabled=False)
    send_reminders()
    assert reminders_sent(mailoutbox) == [
        (["carol@example.com"], "Your follow-ups: 1 overdue across the team")
    ]
    assert "(besides yours)" not in mailoutbox[0].body


def test_a_long_team_list_is_cut_short_with_a_link(manager, attendee, mailoutbox):
    ActionPointFactory.create_batch(32, assignee=attendee, due_on=day(-1))
    Preferences.objects.create(user=attendee, reminders_enabled=False)
    send_reminders()
    body = mailoutbox[0].body
    assert len(titles_in(body)) == 30
    assert "  …and 2 more.\n" in body
    assert mailoutbox[0].subject == "Your follow-ups: 32 overdue across the team"


def test_staff_who_are_not_managers_get_no_team_reminder(staff, attendee, mailoutbox):
    ActionPointFactory(assignee=attendee, due_on=day(-3))
    Preferences.objects.create(user=attendee, reminders_enabled=False)
    send_reminders()
    assert reminders_sent(mailoutbox) == []


def test_a_manager_who_turned_reminders_off_gets_none(manager, attendee, mailoutbox):
    ActionPointFactory(assignee=attendee, due_on=day(-3))
    Preferences.objects.create(user=manager, reminders_enabled=False)
    send_reminders()
    assert reminders_sent(mailoutbox) == [(["bob@example.com"], "Your follow-ups: 1 overdue")]


# --- Failures -----------------------------------------------------------------------


def test_a_reminder_the_mail_server_refused_is_retried_by_the_next_run(
    settings, attendee, clock, mailoutbox
):
    ActionPointFactory(title="Late", assignee=attendee, due_on=day(-1))
    settings.EMAIL_BACKEND = "tests.actions.test_reminders.FailingBackend"
    output = send_reminders()
    assert "Emails: 0 sent, 1 failed and kept to retry" in output

    settings.EMAIL_BACKEND = LOCMEM
    clock(TODAY, hour=9)
    send_reminders()
    send_reminders()

    assert reminders_sent(mailoutbox) == [(["bob@example.com"], "Your follow-ups: 1 overdue")]
    assert Notification.objects.get().attempts == 2


def test_yesterdays_unsent_reminder_gives_way_to_todays(settings, attendee, clock, mailoutbox):
    ActionPointFactory(title="Late", assignee=attendee, due_on=day(-1))
    settings.EMAIL_BACKEND = "tests.actions.test_reminders.FailingBackend"
    send_reminders()
    settings.EMAIL_BACKEND = LOCMEM
    clock(day(1))
    send_reminders()
    assert [titles_in(m.body) for m in mailoutbox] == [["Late"]]
    assert "1 day overdue" not in mailoutbox[0].body  # today's: two days
    assert list(Notification.objects.order_by("pk").values_list("state", flat=True)) == [
        "skipped",
        "sent",
    ]


def test_the_database_failing_midway_leaves_no_half_written_reminder(
    attendee, manager, mailoutbox, caplog
):
    ActionPointFactory(assignee=attendee, due_on=day(-1))
    ActionPointFactory(assignee=manager, due_on=day(-1))
    inserts = []

    def fail_on_the_second_reminder(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "actions_notification"'):
            inserts.append(sql)
            if len(inserts) == 2:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_the_second_reminder), pytest.raises(SystemExit) as exit:
        send_reminders()

    assert exit.value.code == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "send_reminders: the database is unavailable (server closed the connection "
        "unexpectedly); nothing was half-written, the next run carries on."
    ]
    # Bob's reminder is whole; Carol's has neither its log row nor its email.
    assert list(ReminderLog.objects.values_list("user__username", flat=True)) == ["bob"]
    assert list(Notification.objects.values_list("recipient__username", "state")) == [
        ("bob", "pending")
    ]

    send_reminders()
    assert sorted(to[0] for to, _subject in reminders_sent(mailoutbox)) == [
        "bob@example.com",
        "carol@example.com",
    ]


def test_without_a_database_it_exits_with_one_clear_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://notesite@127.0.0.1:9/none"}
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "send_reminders"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("send_reminders: the database is unavailable (")
    assert lines[0].endswith("); nothing was half-written, the next run carries on.")
    assert result.stdout == ""


def test_a_negative_number_of_days_is_refused(db):
    with pytest.raises(CommandError) as refused:
        send_reminders("--days", "-1")
    assert str(refused.value) == "--days must be 0 or more."


def test_help_states_the_rules():
    assert "at most one reminder a day" in Command.help
    assert "“manager” group" in Command.help
