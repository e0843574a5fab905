"""Assignee suggestions (the follow-ups list and an action point's form) name the
people with the most published action points still to do: a draft note's action points
do not count, as they are not anybody else's to see yet."""

import pytest
from django.urls import reverse

from talks.models import Note
from tests.factories import ActionPointFactory, NoteFactory, UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def test_action_points_hidden_in_a_draft_note_do_not_make_someone_busiest(manager):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    ActionPointFactory.create_batch(2, assignee=ann)
    ActionPointFactory(assignee=bob)
    ActionPointFactory.create_batch(5, assignee=bob, note=NoteFactory(status=Note.Status.DRAFT))
    response = logged_in(manager).get(reverse("actions:list") + "?scope=all")
    assert response.context["assignee_suggestions"] == ["ann", "bob"]
