"""Whoever is assigned a follow-up updates it (status and comment), whatever their
role; a manager who is not assigned still may not, and reassigning stays with staff."""

import pytest

from actions.models import ActionPoint, ActionPointChange
from tests.factories import ActionPointFactory, EventFactory, UserFactory
from tests.helpers import days_from_today, logged_in, post_update

pytestmark = pytest.mark.django_db

OPEN, DONE = ActionPoint.Status.OPEN, ActionPoint.Status.DONE


@pytest.fixture
def raised_by(db):
    return UserFactory(username="erin", role="attendee")


def follow_up(assignee, raised_by) -> ActionPoint:
    return ActionPointFactory(
        title="Ask finance about the budget",
        event=EventFactory(name="DevOpsDays Oslo"),
        raised_by=raised_by,
        assignee=assignee,
        due_on=days_from_today(7),
    )


def form_fields(response) -> list[str] | None:
    form = response.context["form"]
    return None if form is None else list(form.fields)


def history(action_point: ActionPoint) -> list[tuple]:
    return [
        (entry.changed_by.username, entry.changes, entry.comment)
        for entry in ActionPointChange.objects.filter(action_point=action_point)
    ]


def test_a_manager_assignee_gets_the_form_with_status_and_comment(manager, raised_by):
    action_point = follow_up(manager, raised_by)
    page = logged_in(manager).get(action_point.get_absolute_url())
    assert (page.status_code, form_fields(page)) == (200, ["version", "status", "comment"])


def test_a_manager_assignee_sets_the_status_and_comments(manager, raised_by):
    action_point = follow_up(manager, raised_by)

    response = post_update(
        logged_in(manager), action_point, status=DONE, comment="Finance said yes."
    )

    action_point.refresh_from_db()
    assert response.status_code == 302
    assert action_point.status == DONE
    assert history(action_point) == [("carol", {"status": ["Open", "Done"]}, "Finance said yes.")]


def test_a_manager_assignee_cannot_reassign_or_move_the_due_date(manager, raised_by, attendee):
    action_point = follow_up(manager, raised_by)
    due_on = action_point.due_on

    post_update(
        logged_in(manager),
        action_point,
        assignee=attendee.username,
        due_on=days_from_today(30).isoformat(),
        comment="Passing it on",
    )

    action_point.refresh_from_db()
    assert (action_point.assignee, action_point.due_on) == (manager, due_on)


def test_a_manager_who_is_not_assigned_still_gets_no_form_and_a_403(manager, raised_by, attendee):
    action_point = follow_up(attendee, raised_by)
    client = logged_in(manager)

    page = client.get(action_point.get_absolute_url())
    response = post_update(client, action_point, status=DONE, comment="Not mine")

    action_point.refresh_from_db()
    assert (page.status_code, form_fields(page), response.status_code) == (200, None, 403)
    assert (action_point.status, history(action_point)) == (OPEN, [])


@pytest.mark.parametrize("role", ["attendee", "manager", "staff"])
def test_every_role_updates_what_is_assigned_to_them(role, raised_by):
    assignee = UserFactory(username="gina", role=role)
    action_point = follow_up(assignee, raised_by)
    response = post_update(logged_in(assignee), action_point, status=DONE)
    action_point.refresh_from_db()
    assert (response.status_code, action_point.status) == (302, DONE)


def test_an_assignee_in_no_role_still_may_not(outsider, raised_by):
    action_point = follow_up(outsider, raised_by)
    assert post_update(logged_in(outsider), action_point, status=DONE).status_code == 403
