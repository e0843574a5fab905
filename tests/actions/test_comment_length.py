"""A comment on a follow-up is held to a length a history can show: a longer one is
refused with a message on the field, and nothing is saved."""

import pytest
from django.urls import reverse

from actions.models import ActionPointChange
from tests.factories import ActionPointFactory, UserFactory
from tests.helpers import admin_change_form, logged_in, post_update

pytestmark = pytest.mark.django_db

LIMIT = ActionPointChange.COMMENT_MAX_LENGTH
TOO_LONG = f"Ensure this value has at most {LIMIT} characters (it has {LIMIT + 1})."


def test_assignee_comment_over_the_limit_is_refused_and_nothing_saved():
    bob = UserFactory(username="bob", role="attendee")
    action_point = ActionPointFactory(assignee=bob)

    response = post_update(logged_in(bob), action_point, status="done", comment="x" * (LIMIT + 1))

    assert response.status_code == 200
    assert response.context["form"].errors == {"comment": [TOO_LONG]}
    action_point.refresh_from_db()
    assert (action_point.status, action_point.history.count()) == ("open", 0)


def test_a_comment_at_the_limit_is_kept():
    bob = UserFactory(username="bob", role="attendee")
    action_point = ActionPointFactory(assignee=bob)

    post_update(logged_in(bob), action_point, comment="x" * LIMIT)

    assert [len(entry.comment) for entry in action_point.history.all()] == [LIMIT]


def test_staff_comment_over_the_limit_is_refused_in_the_admin():
    staff = logged_in(UserFactory(username="admin", role="staff"))
    action_point = ActionPointFactory()
    url = reverse("admin:actions_actionpoint_change", args=[action_point.pk])

    response = staff.post(url, admin_change_form(action_point, comment="x" * (LIMIT + 1)))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"comment": [TOO_LONG]}
    assert action_point.history.count() == 0
