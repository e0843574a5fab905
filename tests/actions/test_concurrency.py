"""No lost updates: two people editing one action point from the same version, on
the front end and in the admin (form, list edit, bulk actions). The second save is
refused with the other person's change named, and nothing is overwritten."""

import re
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import ActionPoint, ActionPointChange
from actions.services import update_action_point
from tests.browser import log_in
from tests.factories import ActionPointFactory, UserFactory
from tests.helpers import (
    admin_change_form,
    days_from_today,
    list_edit_form,
    list_edit_row,
    logged_in,
    post_update,
    update_form,
)

pytestmark = pytest.mark.django_db

WEB, ADMIN = ActionPointChange.Via.WEB, ActionPointChange.Via.ADMIN
NOTHING_SAVED = (
    " while you were editing. Nothing was saved: your changes are still in the form, so "
    "check them against the page and save again."
)


@pytest.fixture
def action_point(attendee):
    """Bob's, raised by erin."""
    return ActionPointFactory(
        title="Try contract tests",
        assignee=attendee,
        raised_by=UserFactory(username="erin", role="attendee"),
    )


def at(entry: ActionPointChange) -> str:
    return timezone.localtime(entry.changed_at).strftime("%H:%M")


def history(action_point: ActionPoint) -> list[tuple[str, dict, str]]:
    return [
        (entry.changed_by.username, entry.changes, entry.via)
        for entry in ActionPointChange.objects.filter(action_point=action_point)
    ]


def change_url(action_point: ActionPoint) -> str:
    return reverse("admin:actions_actionpoint_change", args=[action_point.pk])


CHANGELIST = "/admin/actions/actionpoint/"


def front_end_save(client: Client, action_point: ActionPoint, data: dict):
    return client.post(reverse("actions:update", args=[action_point.pk]), data)


# --- One after the other, from the same version --------------------------------------


def test_an_admin_save_after_a_front_end_save_is_refused_naming_it(staff, attendee, action_point):
    alices_page = admin_change_form(
        action_point, due_on=days_from_today(30), title="Try contract tests now"
    )
    bobs_page = update_form(action_point, status="in_progress")

    front_end_save(logged_in(attendee), action_point, bobs_page)
    response = logged_in(staff).post(change_url(action_point), alices_page)

    bobs = ActionPointChange.objects.get()
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        f"bob changed status from Open to In progress at {at(bobs)}{NOTHING_SAVED}"
    ]
    action_point.refresh_from_db()
    assert (action_point.title, action_point.status, action_point.due_on) == (
        "Try contract tests",
        "in_progress",
        None,
    )
    assert history(action_point) == [("bob", {"status": ["Open", "In progress"]}, "web")]


def test_a_front_end_save_after_an_admin_save_is_refused_naming_it(staff, attendee, action_point):
    alices_page = admin_change_form(action_point, due_on=days_from_today(30))
    bobs_page = update_form(action_point, status="done", comment="Shipped.")

    logged_in(staff).post(change_url(action_point), alices_page)
    response = front_end_save(logged_in(attendee), action_point, bobs_page)

    alices = ActionPointChange.objects.get()
    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        f"alice changed due date from — to {days_from_today(30)} at {at(alices)}{NOTHING_SAVED}"
    ]
    action_point.refresh_from_db()
    assert (action_point.status, action_point.due_on) == ("open", days_from_today(30))
    assert history(action_point) == [
        ("alice", {"due_on": [None, days_from_today(30).isoformat()]}, "admin")
    ]


def test_saving_the_refused_admin_form_again_applies_it_over_the_other_change(
    staff, attendee, action_point
):
    alices_page = admin_change_form(action_point, due_on=days_from_today(30))
    post_update(logged_in(attendee), action_point, status="done")
    alice = logged_in(staff)
    refused = alice.post(change_url(action_point), alices_page)
    resubmitted = refused.context["adminform"].form.data.copy()
    assert resubmitted["seen_version"] == "2"
    resubmitted["status"] = "done"  # Alice agrees with Bob's change

    response = alice.post(change_url(action_point), resubmitted)

    assert response.status_code == 302
    action_point.refresh_from_db()
    assert (action_point.status, action_point.due_on) == ("done", days_from_today(30))
    assert [entry[0] for entry in history(action_point)] == ["bob", "alice"]


def test_a_list_edit_after_a_front_end_save_is_refused_naming_it(staff, attendee, action_point):
    alices_page = list_edit_form(list_edit_row(action_point, status="dropped"))
    post_update(logged_in(attendee), action_point, comment="On it.")

    response = logged_in(staff).post(CHANGELIST, alices_page)

    bobs = ActionPointChange.objects.get()
    assert response.status_code == 200
    assert response.context["cl"].formset.forms[0].non_field_errors() == [
        f"bob commented at {at(bobs)}{NOTHING_SAVED}"
    ]
    action_point.refresh_from_db()
    assert (action_point.status, action_point.version) == ("open", 2)


def test_a_bulk_status_change_after_a_front_end_save_changes_nothing(staff, attendee, action_point):
    other = ActionPointFactory(title="Write runbooks")
    # The changelist's form carries each shown row's version along with the action.
    shown = list_edit_form(list_edit_row(action_point), list_edit_row(other))
    post_update(logged_in(attendee), action_point, status="in_progress")
    data = {
        **shown,
        "action": "mark_done",
        "_selected_action": [action_point.pk, other.pk],
        "select_across": "0",
        "index": "0",
    }
    del data["_save"]

    response = logged_in(staff).post(CHANGELIST, data, follow=True)

    bobs = ActionPointChange.objects.get()
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was changed: 1 of the chosen action points changed after the list was "
        f"shown. “Try contract tests”: bob changed status from Open to In progress at "
        f"{at(bobs)}. Check them and try again."
    ]
    assert sorted(ActionPoint.objects.values_list("status", flat=True)) == [
        "in_progress",
        "open",
    ]


def test_assigning_in_bulk_carries_the_shown_versions_and_refuses_a_stale_row(
    staff, attendee, manager, action_point
):
    alice = logged_in(staff)
    picked = {
        **list_edit_form(list_edit_row(action_point)),
        "action": "assign_to",
        "_selected_action": [action_point.pk],
        "select_across": "0",
        "index": "0",
    }
    del picked["_save"]
    confirm = alice.post(CHANGELIST, picked)
    assert confirm.context["seen_versions"] == [(action_point.pk, 1)]
    hidden = re.findall(r'name="(form-0-[a-z_]+)" value="(\d+)"', confirm.content.decode())
    assert hidden == [("form-0-id", str(action_point.pk)), ("form-0-seen_version", "1")]
    post_update(logged_in(attendee), action_point, status="in_progress")

    response = alice.post(
        CHANGELIST,
        {
            "action": "assign_to",
            "_selected_action": [action_point.pk],
            "select_across": "0",
            "apply": "yes",
            "assignee": manager.pk,
            "form-0-id": action_point.pk,
            "form-0-seen_version": "1",
        },
        follow=True,
    )

    message = next(str(m) for m in response.context["messages"])
    assert message.startswith("Nothing was changed: 1 of the chosen action points changed")
    action_point.refresh_from_db()
    assert action_point.assignee == attendee


@pytest.mark.parametrize("version", [None, "two"])
def test_an_admin_form_without_its_version_is_refused(staff_client, action_point, version):
    data = admin_change_form(action_point, status="done", seen_version=version)
    if version is None:
        del data["seen_version"]
    response = staff_client.post(change_url(action_point), data)
    assert response.context["adminform"].form.non_field_errors() == [
        "This form was damaged on the way: reload the page and try again."
    ]
    assert ActionPointChange.objects.count() == 0


# --- At the same moment ------------------------------------------------------------


def wait_until_someone_waits_for_a_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("Nobody waited for the row lock.")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("url", "page", "errors"),
    [
        (
            change_url,
            admin_change_form,
            lambda response: response.context["adminform"].form.non_field_errors(),
        ),
        (
            lambda _ap: CHANGELIST,
            lambda action_point, **changes: list_edit_form(list_edit_row(action_point, **changes)),
            lambda response: response.context["cl"].formset.forms[0].non_field_errors(),
        ),
    ],
    ids=["change form", "list edit"],
)
def test_an_admin_save_racing_a_front_end_save_waits_and_is_refused(
    staff, attendee, action_point, url, page, errors
):
    """Bob's save is mid-transaction when Alice's arrives: hers waits on the row's
    lock, then sees his change and is refused, instead of overwriting it."""
    alice = logged_in(staff)
    alices_page = page(action_point, due_on=days_from_today(30))
    bob_saved, bob_may_commit = threading.Event(), threading.Event()
    responses = []

    def bob_saves() -> None:
        try:
            with transaction.atomic():
                update_action_point(
                    action_point, by=attendee, via=WEB, seen_version=1, status="in_progress"
                )
                bob_saved.set()
                bob_may_commit.wait(10)
        finally:
            connections.close_all()

    def alice_saves() -> None:
        try:
            responses.append(alice.post(url(action_point), alices_page))
        finally:
            connections.close_all()

    bob = threading.Thread(target=bob_saves)
    bob.start()
    assert bob_saved.wait(10)
    alice_thread = threading.Thread(target=alice_saves)
    alice_thread.start()
    wait_until_someone_waits_for_a_lock()
    bob_may_commit.set()
    bob.join(10)
    alice_thread.join(10)

    bobs = ActionPointChange.objects.get()
    assert errors(responses[0]) == [
        f"bob changed status from Open to In progress at {at(bobs)}{NOTHING_SAVED}"
    ]
    action_point.refresh_from_db()
    assert (action_point.status, action_point.due_on, action_point.version) == (
        "in_progress",
        None,
        2,
    )


# --- In a browser ------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admin_shows_whose_change_refused_the_save(browser_page, staff, attendee):
    action_point = ActionPointFactory(title="Try contract tests", assignee=attendee)
    page = browser_page
    log_in(page, "alice")
    page.goto(change_url(action_point))
    page.locator("#id_due_on").fill(days_from_today(30).isoformat())

    update_action_point(action_point, by=attendee, via=WEB, seen_version=1, status="done")
    page.get_by_role("button", name="Save", exact=True).click()

    bobs = ActionPointChange.objects.get()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist.nonfield")).to_have_text(
        f"bob changed status from Open to Done at {at(bobs)}{NOTHING_SAVED}"
    )
    expect(page.locator("#id_due_on")).to_have_value(days_from_today(30).isoformat())
    action_point.refresh_from_db()
    assert (action_point.status, action_point.due_on) == ("done", None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_follow_up_page_shows_whose_change_refused_the_save(browser_page, staff, attendee):
    action_point = ActionPointFactory(title="Try contract tests", assignee=attendee)
    page = browser_page
    log_in(page, "bob")
    page.goto(action_point.get_absolute_url())
    page.get_by_label("Status").select_option(label="Done")
    page.get_by_label("Comment").fill("Shipped.")

    update_action_point(
        action_point, by=staff, via=ADMIN, seen_version=1, due_on=days_from_today(30)
    )
    page.get_by_role("button", name="Save").click()

    alices = ActionPointChange.objects.get()
    expect(page.locator(".form-errors")).to_have_text(
        f"alice changed due date from — to {days_from_today(30)} at {at(alices)}{NOTHING_SAVED}"
    )
    expect(page.get_by_label("Comment")).to_have_value("Shipped.")
    action_point.refresh_from_db()
    assert (action_point.status, action_point.due_on) == ("open", days_from_today(30))
