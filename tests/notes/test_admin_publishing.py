"""Publishing a note, or turning it back into a draft, in the admin does what the
note's edit page does: assignees held back while it was a draft are told, and what
was published with it stays public."""

import pytest
from django.urls import reverse

from actions.models import ActionPoint, ActionPointChange, Notification
from actions.services import update_action_points
from notes.services import NewActionPoint, write_note
from talks.models import Note
from tests.factories import TalkFactory, UserFactory
from tests.helpers import days_from_today, logged_in

pytestmark = pytest.mark.django_db


def note_with_an_assigned_action_point(author, staff, status: str) -> tuple[Note, object]:
    talk = TalkFactory()
    note = write_note(
        author=author,
        event=talk.event,
        talk=talk,
        body="What I heard.",
        status=status,
        action_points=[NewActionPoint("Write the runbook", due_on=days_from_today(7))],
    )
    assignee = UserFactory(role="attendee")
    update_action_points(
        ActionPoint.objects.all(), by=staff, via=ActionPointChange.Via.ADMIN_BULK,
        assignee=assignee,
    )  # fmt: skip
    return note, assignee


def save_in_admin(client, note: Note, **changes) -> None:
    url = reverse("admin:talks_note_change", args=[note.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302


def test_publishing_in_the_admin_tells_the_held_back_assignee(
    attendee, staff, staff_client, django_capture_on_commit_callbacks
):
    note, assignee = note_with_an_assigned_action_point(attendee, staff, "draft")
    assert list(Notification.objects.filter(recipient=assignee)) == []
    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(staff_client, note, status="published")
    assert [n.subject for n in Notification.objects.filter(recipient=assignee)] == [
        "Assigned to you: Write the runbook"
    ]


def test_a_draft_again_in_the_admin_keeps_the_assignees_follow_up(attendee, staff, staff_client):
    note, assignee = note_with_an_assigned_action_point(attendee, staff, "published")
    save_in_admin(staff_client, note, status="draft")
    action_point = ActionPoint.objects.get()
    assert logged_in(assignee).get(action_point.get_absolute_url()).status_code == 200
