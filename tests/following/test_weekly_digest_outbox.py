"""The weekly digest goes out through the outbox, like every other email: written
with its log in one transaction, sent after, retried by ``send_reminders`` while the
mail server fails, and never sent twice."""

import ast
import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection, transaction

from actions.models import Notification, ReminderLog
from following.digests import send_digests
from talks.models import DigestLog, Follow
from tests.factories import ActionPointFactory, EventFactory, TakeawayFactory
from tests.helpers import days_from_today, send_reminders

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
# A mail server that is down (its SMTPException is what a real one raises).
FAILING = "tests.actions.test_notifications.FailingBackend"


@pytest.fixture
def oslo(attendee):
    """bob follows the event "Oslo", where there is one new takeaway."""
    event = EventFactory(name="Oslo")
    Follow.objects.start(attendee, event=event)
    TakeawayFactory(text="At Oslo", talk=None, event=event)
    return event


def run_send_digests() -> str:
    out = StringIO()
    call_command("send_digests", stdout=out)
    return out.getvalue().strip()


def test_a_sent_digest_is_an_outbox_row_tied_to_its_log(oslo, mailoutbox):
    run = send_digests()

    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["bob@example.com"], "Notesite weekly: 1 new takeaway in what you follow")
    ]
    notification = Notification.objects.get()
    assert (notification.digest, notification.state, notification.attempts) == (
        DigestLog.objects.get(),
        Notification.State.SENT,
        1,
    )
    assert notification.body == mailoutbox[0].body
    assert (run.delivery.sent, run.failed) == (1, [])


def test_a_digest_the_mail_server_refused_is_kept_and_send_reminders_sends_it_once(
    oslo, settings, mailoutbox, caplog
):
    settings.EMAIL_BACKEND = FAILING
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("send_digests", stdout=out)

    assert str(failed.value) == (
        "Could not send to: bob yet (see the log); kept in the outbox for send_reminders to retry."
    )
    assert (
        out.getvalue().strip().endswith("Emails: 0 sent, 1 failed and kept to retry, 0 not tried.")
    )
    assert "Could not email bob@example.com" in caplog.text
    pending = Notification.objects.get()
    assert (pending.state, pending.attempts, pending.digest) == (
        Notification.State.PENDING,
        1,
        DigestLog.objects.get(),
    )
    assert pending.last_error == "SMTPException: Connection refused by mail.example.com"

    settings.EMAIL_BACKEND = LOCMEM
    # The week's digest is queued already: running the command again adds nothing.
    assert run_send_digests().startswith("Queued 0 digest(s)")
    assert mailoutbox == []

    send_reminders()
    send_reminders()

    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["bob@example.com"], "Notesite weekly: 1 new takeaway in what you follow")
    ]
    assert "- At Oslo" in mailoutbox[0].body
    sent = Notification.objects.get()
    assert (sent.state, sent.attempts) == (Notification.State.SENT, 2)
    assert DigestLog.objects.count() == 1


def test_the_log_is_not_kept_when_its_outbox_row_cannot_be_written(oslo, mailoutbox):
    def fail_on_the_outbox(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "actions_notification"'):
            raise OperationalError("the database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_the_outbox), pytest.raises(OperationalError):
        send_digests()

    assert DigestLog.objects.count() == 0
    assert mailoutbox == []
    # So the next run makes the digest whole.
    send_digests()
    assert [m.to for m in mailoutbox] == [["bob@example.com"]]
    assert DigestLog.objects.get().notification == Notification.objects.get()


def test_a_waiting_digest_is_not_replaced_by_a_daily_reminder(oslo, attendee, settings, mailoutbox):
    settings.EMAIL_BACKEND = FAILING
    send_digests()
    settings.EMAIL_BACKEND = LOCMEM
    ActionPointFactory(title="Late", assignee=attendee, due_on=days_from_today(-1))

    send_reminders()

    assert sorted(m.subject for m in mailoutbox) == [
        "Notesite weekly: 1 new takeaway in what you follow",
        "Your follow-ups: 1 overdue",
    ]
    assert sorted(Notification.objects.values_list("state", flat=True)) == ["sent", "sent"]


def test_every_refused_digest_waits_in_the_outbox_and_is_sent_later(
    oslo, manager, settings, mailoutbox
):
    Follow.objects.start(manager, event=oslo)
    settings.EMAIL_BACKEND = FAILING

    run = send_digests()

    assert (run.queued, run.failed, run.delivery.failed) == (["bob", "carol"], ["bob", "carol"], 2)
    settings.EMAIL_BACKEND = LOCMEM
    send_reminders()
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.com", "carol@example.com"]


def test_next_weeks_digest_starts_where_a_retried_one_ended(oslo, settings, mailoutbox):
    settings.EMAIL_BACKEND = FAILING
    first = send_digests()
    settings.EMAIL_BACKEND = LOCMEM
    send_reminders()
    TakeawayFactory(text="Later at Oslo", talk=None, event=oslo)

    send_digests(now=DigestLog.objects.get().sent_at + datetime.timedelta(days=7))

    assert first.failed == ["bob"]
    assert ["- At Oslo" in m.body for m in mailoutbox] == [True, False]
    assert "- Later at Oslo" in mailoutbox[1].body


def test_an_outbox_row_is_about_one_thing_only(oslo, attendee):
    send_digests()
    row = Notification.objects.get()
    row.reminder = ReminderLog.objects.create(user=attendee, sent_on=days_from_today(0))

    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_talks_imports_neither_following_nor_actions():
    talks = Path(django_settings.BASE_DIR) / "talks"
    wrong_way = {
        f"{path.relative_to(talks)}: {module}"
        for path in talks.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in {"following", "actions"}
    }
    assert wrong_way == set()


def test_following_is_installed_after_actions():
    apps = django_settings.INSTALLED_APPS
    assert apps.index("following") > apps.index("actions")
