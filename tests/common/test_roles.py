"""The three groups the data migration creates, and what each may do."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def test_the_three_roles_exist():
    assert sorted(Group.objects.values_list("name", flat=True)) == ["attendee", "manager", "staff"]


def test_attendee_writes_notes_takeaways_and_raises_action_points(attendee):
    allowed = [
        "talks.add_note",
        "talks.change_note",
        "talks.add_takeaway",
        "actions.add_actionpoint",
    ]
    assert [p for p in allowed if not attendee.has_perm(p)] == []


def test_attendee_cannot_manage_events_or_delete_action_points(attendee):
    refused = ["talks.change_event", "talks.delete_talk", "actions.delete_actionpoint"]
    assert [p for p in refused if attendee.has_perm(p)] == []


def test_manager_reads_everything_and_changes_nothing(manager):
    assert manager.has_perm("talks.view_note")
    assert manager.has_perm("actions.view_actionpoint")
    assert [
        p for p in manager.get_all_permissions() if not p.split(".")[1].startswith("view_")
    ] == []


def test_staff_can_do_everything_with_events_and_action_points(staff):
    wanted = [
        "talks.add_event",
        "talks.change_talk",
        "talks.delete_note",
        "actions.change_actionpoint",
        "actions.delete_actionpoint",
        "taggit.change_tag",
        "auth.view_user",
    ]
    assert [p for p in wanted if not staff.has_perm(p)] == []


def test_nobody_may_rewrite_history(staff):
    assert not staff.has_perm("actions.change_actionpointchange")
    assert not staff.has_perm("actions.delete_actionpointchange")


def test_a_user_in_no_group_may_do_nothing(outsider):
    assert outsider.get_all_permissions() == set()
