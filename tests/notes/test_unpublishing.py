"""A published note turned back into a draft: what was published with it stays
public, where people already work on it, and deleting the draft afterwards leaves it."""

import pytest

from actions.models import ActionPoint, ActionPointChange
from actions.services import update_action_points
from notes.services import NewActionPoint, NewTakeaway, update_note, write_note
from talks.models import Note, Takeaway
from tests.factories import TalkFactory, UserFactory
from tests.helpers import days_from_today, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(attendee) -> Note:
    talk = TalkFactory()
    return write_note(
        author=attendee,
        event=talk.event,
        talk=talk,
        body="What I heard.",
        status=Note.Status.PUBLISHED,
        takeaways=[NewTakeaway("Page less")],
        action_points=[NewActionPoint("Write the runbook", due_on=days_from_today(7))],
    )


def back_to_draft(note: Note) -> None:
    update_note(note=note, by=note.author, title=note.title, body=note.body, status="draft")


def test_the_assignee_keeps_their_follow_up_when_its_note_goes_back_to_draft(published, staff):
    assignee = UserFactory(role="attendee")
    update_action_points(
        ActionPoint.objects.all(), by=staff, via=ActionPointChange.Via.ADMIN_BULK,
        assignee=assignee,
    )  # fmt: skip
    back_to_draft(published)
    action_point = ActionPoint.objects.get()
    assert logged_in(assignee).get(action_point.get_absolute_url()).status_code == 200
    assert [t.text for t in Takeaway.objects.visible_to(assignee)] == ["Page less"]


def test_deleting_an_unpublished_note_keeps_what_was_published_with_it(published, attendee):
    back_to_draft(published)
    response = logged_in(attendee).post(f"/notes/{published.pk}/delete/")
    assert response.status_code == 302
    assert list(Note.objects.all()) == []
    assert [ap.title for ap in ActionPoint.objects.all()] == ["Write the runbook"]
    assert [t.text for t in Takeaway.objects.all()] == ["Page less"]


def test_what_is_added_to_an_unpublished_note_is_private_again(published, attendee):
    back_to_draft(published)
    update_note(
        note=published, by=attendee, title="", body=published.body, status="draft",
        takeaways=[NewTakeaway("Second thoughts")],
    )  # fmt: skip
    colleague = UserFactory(role="attendee")
    assert [t.text for t in Takeaway.objects.visible_to(colleague)] == ["Page less"]
