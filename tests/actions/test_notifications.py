"""Emails about changes to action points: who gets which, exactly once, after the
commit, whichever path made the change; and what happens when mail fails."""

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.urls import reverse

from actions.models import ActionPoint, ActionPointChange, Notification
from actions.outbox import MAX_ATTEMPTS, SEND_NOW_LIMIT, send_notifications
from actions.services import save_action_point, update_action_point, update_action_points
from tests.factories import ActionPointFactory, UserFactory
from tests.helpers import (
    admin_change_form,
    days_from_today,
    list_edit_form,
    list_edit_row,
    post_update,
    send_reminders,
)

pytestmark = pytest.mark.django_db

WEB = ActionPointChange.Via.WEB
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
FAILING = "tests.actions.test_notifications.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: the one thing these tests fake."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("Connection refused by mail.example.com")


@pytest.fixture
def erin(db):
    return UserFactory(username="erin", role="attendee")


@pytest.fixture
def action_point(attendee, erin):
    """Bob's, raised by erin."""
    return ActionPointFactory(title="Try contract tests", assignee=attendee, raised_by=erin)


def sent(mailoutbox) -> list[tuple[list[str], str]]:
    return [(message.to, message.subject) for message in mailoutbox]


# --- Who gets which email -----------------------------------------------------------


def test_assignee_is_emailed_once_when_assigned(
    staff_client, attendee, erin, mailoutbox, django_capture_on_commit_callbacks
):
    action_point = ActionPointFactory(title="Try contract tests", raised_by=erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_update(staff_client, action_point, assignee="bob", comment="Yours, Bob.")
    assert response.status_code == 302
    assert sent(mailoutbox) == [(["bob@example.com"], "Assigned to you: Try contract tests")]
    body = mailoutbox[0].body
    assert "alice assigned an action point to you:" in body
    assert "  Assignee: — → bob\n" in body
    assert "alice commented:\nYours, Bob.\n" in body
    assert f"https://notes.example.com/follow-ups/{action_point.pk}/" in body
    assert "You get this email because it is assigned to you." in body


def test_only_the_new_assignee_is_emailed_when_reassigned(
    staff_client, manager, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_update(staff_client, action_point, assignee="carol")
    assert sent(mailoutbox) == [(["carol@example.com"], "Assigned to you: Try contract tests")]
    assert "  Assignee: bob → carol\n" in mailoutbox[0].body


def test_assignee_is_emailed_when_the_due_date_changes(
    staff_client, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    due = days_from_today(30)
    with django_capture_on_commit_callbacks(execute=True):
        post_update(staff_client, action_point, due_on=due)
    assert sent(mailoutbox) == [(["bob@example.com"], "New due date for: Try contract tests")]
    body = mailoutbox[0].body
    assert "alice changed the due date of an action point assigned to you:" in body
    assert f"  Due date: — → {due}\n" in body
    assert f"It is now open, assigned to bob, due {due.day} {due:%b %Y}." in body


def test_raiser_is_emailed_when_the_assignee_changes_the_status(
    attendee_client, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_update(attendee_client, action_point, status="done", comment="Shipped.")
    assert sent(mailoutbox) == [(["erin@example.com"], "Done: Try contract tests")]
    body = mailoutbox[0].body
    assert "bob changed the status of an action point you raised:" in body
    assert "  Status: Open → Done\n" in body
    assert "You get this email because you raised it." in body


def test_staff_changing_the_status_emails_the_raiser_not_the_assignee(
    staff_client, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_update(staff_client, action_point, status="dropped")
    assert sent(mailoutbox) == [(["erin@example.com"], "Dropped: Try contract tests")]


def test_a_raiser_changing_the_status_of_their_own_is_not_emailed(
    attendee_client, attendee, mailoutbox, django_capture_on_commit_callbacks
):
    action_point = ActionPointFactory(assignee=attendee, raised_by=attendee)
    with django_capture_on_commit_callbacks(execute=True):
        post_update(attendee_client, action_point, status="in_progress")
    assert sent(mailoutbox) == []
    assert Notification.objects.count() == 0


def test_staff_assigning_to_themselves_are_not_emailed(
    staff_client, staff, erin, mailoutbox, django_capture_on_commit_callbacks
):
    action_point = ActionPointFactory(raised_by=erin)
    with django_capture_on_commit_callbacks(execute=True):
        post_update(staff_client, action_point, assignee="alice", due_on=days_from_today(30))
    assert sent(mailoutbox) == []


def test_someone_with_two_reasons_gets_one_email(
    staff_client, attendee, mailoutbox, django_capture_on_commit_callbacks
):
    action_point = ActionPointFactory(title="Own idea", assignee=attendee, raised_by=attendee)
    due = days_from_today(30)
    with django_capture_on_commit_callbacks(execute=True):
        post_update(staff_client, action_point, due_on=due, status="in_progress")
    assert sent(mailoutbox) == [(["bob@example.com"], "New due date for: Own idea")]
    body = mailoutbox[0].body
    assert f"  Status: Open → In progress\n  Due date: — → {due}\n" in body


def test_a_comment_alone_emails_nobody(
    staff_client, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_update(staff_client, action_point, comment="Any news?")
    assert sent(mailoutbox) == []


def test_an_inactive_assignee_is_not_emailed(
    staff, erin, mailoutbox, django_capture_on_commit_callbacks
):
    leaver = UserFactory(username="leaver", is_active=False)
    action_point = ActionPointFactory(raised_by=erin)
    with django_capture_on_commit_callbacks(execute=True):
        update_action_point(action_point, by=staff, via=WEB, seen_version=1, assignee=leaver)
    assert sent(mailoutbox) == []
    assert Notification.objects.count() == 0


def test_someone_deactivated_after_an_email_was_queued_is_not_emailed(
    staff, erin, action_point, mailoutbox, caplog
):
    # Queued, but not yet sent (no commit has run the on-commit send) when erin leaves.
    update_action_point(action_point, by=staff, via=WEB, seen_version=1, status="done")
    erin.is_active = False
    erin.save()

    delivery = send_notifications()

    assert (delivery.sent, delivery.skipped) == (0, 1)
    assert sent(mailoutbox) == []
    outbox = Notification.objects.get()
    assert (outbox.recipient, outbox.state, outbox.last_error, outbox.attempts) == (
        erin,
        "skipped",
        "Inactive.",
        0,
    )
    assert "Not emailing erin about “Done: Try contract tests”: Inactive." in caplog.text
    assert send_notifications().skipped == 0


def test_creating_an_assigned_action_point_in_the_admin_emails_the_assignee(
    staff_client, staff, attendee, mailoutbox, django_capture_on_commit_callbacks
):
    event = ActionPointFactory().event
    data = {
        "title": "Set up an SLO dashboard",
        "details": "",
        "tags": "",
        "event": event.pk,
        "talk": "",
        "open_space": "",
        "raised_by": staff.pk,
        "assignee": attendee.pk,
        "status": "open",
        "due_on": days_from_today(30),
        "comment": "",
        "seen_version": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:actions_actionpoint_add"), data)
    assert response.status_code == 302
    assert sent(mailoutbox) == [(["bob@example.com"], "Assigned to you: Set up an SLO dashboard")]


# --- Every path, once ---------------------------------------------------------------


def change_in_admin_form(client, action_point, attendee):
    return client.post(
        reverse("admin:actions_actionpoint_change", args=[action_point.pk]),
        admin_change_form(action_point, assignee=attendee.pk),
    )


def change_in_admin_list(client, action_point, attendee):
    data = list_edit_form(list_edit_row(action_point, assignee=attendee.pk))
    return client.post(reverse("admin:actions_actionpoint_changelist"), data)


def change_in_bulk(client, action_point, attendee):
    data = {
        "action": "assign_to",
        "_selected_action": [action_point.pk],
        "select_across": "0",
        "apply": "yes",
        "assignee": attendee.pk,
        "comment": "",
    }
    return client.post(reverse("admin:actions_actionpoint_changelist"), data)


def change_on_the_front_end(client, action_point, attendee):
    return post_update(client, action_point, assignee=attendee.username)


@pytest.mark.parametrize(
    ("change", "via"),
    [
        (change_on_the_front_end, "web"),
        (change_in_admin_form, "admin"),
        (change_in_admin_list, "admin_list"),
        (change_in_bulk, "admin_bulk"),
    ],
)
def test_every_page_writes_one_entry_and_one_email(
    staff_client,
    attendee,
    erin,
    mailoutbox,
    django_capture_on_commit_callbacks,
    change,
    via,
):
    action_point = ActionPointFactory(title="Write runbooks", raised_by=erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(staff_client, action_point, attendee)
    assert response.status_code == 302
    entries = [(e.via, e.changes) for e in ActionPointChange.objects.all()]
    assert entries == [(via, {"assignee": [None, "bob"]})]
    assert sent(mailoutbox) == [(["bob@example.com"], "Assigned to you: Write runbooks")]


def test_a_command_writes_one_entry_and_one_email(
    staff, erin, mailoutbox, django_capture_on_commit_callbacks
):
    action_point = ActionPointFactory(title="Write runbooks", raised_by=erin)
    with django_capture_on_commit_callbacks(execute=True):
        update_action_points([action_point], by=staff, via="command", status="done")
    entries = [(e.via, e.changes) for e in ActionPointChange.objects.all()]
    assert entries == [("command", {"status": ["Open", "Done"]})]
    assert sent(mailoutbox) == [(["erin@example.com"], "Done: Write runbooks")]


def test_a_bulk_action_emails_each_assignee_once_per_action_point(
    staff_client, attendee, manager, erin, mailoutbox, django_capture_on_commit_callbacks
):
    bobs = ActionPointFactory.create_batch(2, assignee=attendee, raised_by=erin)
    carols = ActionPointFactory(assignee=manager, raised_by=erin)
    data = {
        "action": "mark_done",
        "_selected_action": [ap.pk for ap in [*bobs, carols]],
        "select_across": "0",
        "index": "0",
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff_client.post(reverse("admin:actions_actionpoint_changelist"), data)
    assert len(callbacks) == 1  # one batch for the whole action
    assert [to for to, _subject in sent(mailoutbox)] == [["erin@example.com"]] * 3
    assert Notification.objects.filter(state="sent").count() == 3


def test_a_large_bulk_change_leaves_the_rest_for_the_next_run(
    staff, attendee, mailoutbox, django_capture_on_commit_callbacks
):
    rows = ActionPointFactory.create_batch(SEND_NOW_LIMIT + 2)
    with django_capture_on_commit_callbacks(execute=True):
        update_action_points(rows, by=staff, via="admin_bulk", assignee=attendee)
    assert len(mailoutbox) == SEND_NOW_LIMIT
    send_reminders()
    assert len(mailoutbox) == SEND_NOW_LIMIT + 2
    assert Notification.objects.exclude(state="sent").count() == 0


# --- After the commit, and never twice ----------------------------------------------


def test_nothing_is_sent_before_the_commit(staff_client, action_point, mailoutbox):
    with transaction.atomic():
        post_update(staff_client, action_point, due_on=days_from_today(30))
        assert sent(mailoutbox) == []
    assert Notification.objects.get().state == "pending"


def test_a_change_that_rolls_back_sends_nothing(
    staff, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        update_action_point(
            action_point, by=staff, via=WEB, seen_version=1, due_on=days_from_today(30)
        )
        raise RuntimeError("something later in the same request fails")
    assert sent(mailoutbox) == []
    assert Notification.objects.count() == 0
    assert ActionPointChange.objects.count() == 0


def test_a_sent_email_is_not_sent_again(
    staff_client, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    # Due in a month: neither overdue nor due soon, so send_reminders owes bob nothing.
    with django_capture_on_commit_callbacks(execute=True):
        post_update(staff_client, action_point, due_on=days_from_today(30))
    send_reminders()
    send_notifications()
    assert len(mailoutbox) == 1


def test_the_database_refuses_a_second_email_for_one_change(staff, action_point):
    entry = update_action_point(
        action_point, by=staff, via=WEB, seen_version=1, due_on=days_from_today(30)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=entry.action_point.assignee, change=entry, body="")


# --- When mail fails ----------------------------------------------------------------


def test_a_failing_mail_server_keeps_the_change_and_the_next_run_sends_it(
    settings, attendee_client, action_point, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        response = post_update(attendee_client, action_point, status="done")
    assert response.status_code == 302
    action_point.refresh_from_db()
    assert action_point.status == "done"
    assert sent(mailoutbox) == []
    outbox = Notification.objects.get()
    assert (outbox.state, outbox.attempts) == ("pending", 1)
    assert outbox.last_error == "SMTPException: Connection refused by mail.example.com"
    assert [r.levelname for r in caplog.records if r.name == "actions.outbox"] == ["WARNING"]

    settings.EMAIL_BACKEND = LOCMEM
    send_reminders()
    send_reminders()

    assert sent(mailoutbox) == [(["erin@example.com"], "Done: Try contract tests")]
    outbox.refresh_from_db()
    assert (outbox.state, outbox.attempts, outbox.last_error) == ("sent", 2, "")


def test_a_run_stops_after_three_failures_in_a_row(settings, staff, erin, caplog):
    rows = ActionPointFactory.create_batch(5, raised_by=erin)
    update_action_points(rows, by=staff, via="admin_bulk", status="done")
    settings.EMAIL_BACKEND = FAILING
    delivery = send_notifications()
    assert (delivery.sent, delivery.failed, delivery.left) == (0, 3, 2)
    assert sorted(Notification.objects.values_list("attempts", flat=True)) == [0, 0, 1, 1, 1]
    assert "Stopped sending after 3 failures in a row; 2 emails wait" in caplog.text


def test_an_email_that_keeps_failing_is_given_up(settings, staff, action_point, caplog):
    update_action_point(action_point, by=staff, via=WEB, seen_version=1, status="done")
    Notification.objects.update(attempts=MAX_ATTEMPTS - 1)
    settings.EMAIL_BACKEND = FAILING
    assert send_notifications().gave_up == 1
    assert Notification.objects.get().state == "failed"
    assert "giving up" in caplog.text
    assert send_notifications().gave_up == 0


def test_an_assignee_without_an_email_address_is_skipped_and_logged(
    staff_client, erin, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    UserFactory(username="noemail", email="", role="attendee")
    action_point = ActionPointFactory(title="Try contract tests", raised_by=erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_update(staff_client, action_point, assignee="noemail")
    assert response.status_code == 302
    action_point.refresh_from_db()
    assert action_point.assignee.username == "noemail"
    outbox = Notification.objects.get()
    assert (outbox.state, outbox.last_error) == ("skipped", "No email address.")
    assert "Not emailing noemail about “Assigned to you: Try contract tests”" in caplog.text
    send_reminders()
    assert sent(mailoutbox) == []
    outbox.refresh_from_db()
    assert outbox.attempts == 0


def test_the_admin_warns_when_the_assignee_has_no_email_address(staff_client, erin):
    noemail = UserFactory(username="noemail", email="", role="attendee")
    action_point = ActionPointFactory(title="Try contract tests", raised_by=erin)
    response = staff_client.post(
        reverse("admin:actions_actionpoint_change", args=[action_point.pk]),
        admin_change_form(action_point, assignee=noemail.pk),
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]][:1] == [
        "noemail has no email address, so was not told about “Try contract tests”."
    ]


def test_an_address_removed_before_sending_is_skipped(staff, action_point, mailoutbox, caplog):
    update_action_point(action_point, by=staff, via=WEB, seen_version=1, status="done")
    action_point.raised_by.__class__.objects.filter(username="erin").update(email="")
    assert send_notifications().skipped == 1
    assert sent(mailoutbox) == []
    assert Notification.objects.get().state == "skipped"


# --- Bad input ----------------------------------------------------------------------


def test_an_invalid_due_date_on_the_front_end_writes_and_sends_nothing(
    staff_client, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_update(staff_client, action_point, due_on="2026-02-30")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": ["Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."]
    }
    assert (ActionPointChange.objects.count(), Notification.objects.count()) == (0, 0)
    assert sent(mailoutbox) == []


def test_an_invalid_due_date_in_the_admin_writes_and_sends_nothing(
    staff_client, action_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:actions_actionpoint_change", args=[action_point.pk]),
            admin_change_form(action_point, due_on="2026-02-30", status="done"),
        )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "due_on": ["Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."]
    }
    action_point.refresh_from_db()
    assert (action_point.status, action_point.version) == ("open", 1)
    assert (ActionPointChange.objects.count(), Notification.objects.count()) == (0, 0)
    assert sent(mailoutbox) == []


def test_an_import_of_a_new_action_point_emails_nobody(staff, mailoutbox):
    """Imported action points are new and unassigned: nobody to tell yet."""
    action_point = ActionPoint(title="Imported", event=ActionPointFactory().event, raised_by=staff)
    save_action_point(action_point, by=staff, via="import")
    assert Notification.objects.count() == 0
