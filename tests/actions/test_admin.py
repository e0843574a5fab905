import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import ActionPoint, ActionPointChange
from actions.services import update_action_point
from common import markdown
from common.admin_helpers import EstimatedCountPaginator
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import admin_change_form, days_from_today, list_edit_form, list_edit_row

pytestmark = pytest.mark.django_db

ADMIN_BULK = ActionPointChange.Via.ADMIN_BULK


def changelist_url(query: str = "") -> str:
    return reverse("admin:actions_actionpoint_changelist") + query


def change_url(action_point: ActionPoint) -> str:
    return reverse("admin:actions_actionpoint_change", args=[action_point.pk])


def shown_titles(response) -> list[str]:
    return sorted(ap.title for ap in response.context["cl"].result_list)


def history(action_point: ActionPoint) -> list[tuple[str, dict, str]]:
    return [
        (entry.via, entry.changes, entry.comment)
        for entry in ActionPointChange.objects.filter(action_point=action_point)
    ]


def action_data(action: str, *action_points: ActionPoint) -> dict:
    return {
        "action": action,
        "_selected_action": [ap.pk for ap in action_points],
        "select_across": "0",
        "index": "0",
    }


# Access


@pytest.mark.parametrize("persona", ["attendee", "manager", "outsider"])
@pytest.mark.parametrize("url", ["/admin/", "/admin/actions/actionpoint/"])
def test_non_staff_are_sent_to_the_admin_login(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/admin/login/?next={url}"


@pytest.mark.parametrize(
    ("url", "login"),
    [
        ("/admin/", "/admin/login/"),
        # The site-wide LoginRequiredMiddleware answers before the admin does.
        ("/admin/actions/actionpoint/", "/accounts/login/"),
    ],
)
def test_anonymous_visitors_are_sent_to_a_login_page(client, db, url, login):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{login}?next={url}"


def test_attendee_cannot_run_a_bulk_action(client, attendee):
    action_point = ActionPointFactory()
    client.force_login(attendee)
    response = client.post(changelist_url(), action_data("mark_done", action_point))
    assert response.status_code == 302
    assert ActionPoint.objects.get().status == "open"


# The changelist and its filters


def test_changelist_shows_the_tracking_columns(staff_client, staff):
    ActionPointFactory(title="Try trunk-based development", assignee=staff, due_on=None)
    response = staff_client.get(changelist_url())
    assert response.status_code == 200
    assert shown_titles(response) == ["Try trunk-based development"]
    assert response.context["cl"].list_display == [
        "action_checkbox",
        "title",
        "assignee",
        "status",
        "due_on",
        "overdue",
    ]


def test_status_filter_shows_only_that_status(staff_client):
    ActionPointFactory(title="Open one")
    ActionPointFactory(title="Done one", status="done")
    response = staff_client.get(changelist_url("?status__exact=done"))
    assert shown_titles(response) == ["Done one"]


def test_assignee_filter_shows_unassigned_items(staff_client, staff):
    ActionPointFactory(title="Nobody's")
    ActionPointFactory(title="Alice's", assignee=staff)
    response = staff_client.get(changelist_url("?assignee=none"))
    assert shown_titles(response) == ["Nobody's"]


def test_assignee_filter_shows_my_items(staff_client, staff, attendee):
    ActionPointFactory(title="Alice's", assignee=staff)
    ActionPointFactory(title="Bob's", assignee=attendee)
    ActionPointFactory(title="Nobody's")
    response = staff_client.get(changelist_url("?assignee=me"))
    assert shown_titles(response) == ["Alice's"]


def test_assignee_filter_shows_one_users_items(staff_client, staff, attendee):
    ActionPointFactory(title="Alice's", assignee=staff)
    ActionPointFactory(title="Bob's", assignee=attendee)
    response = staff_client.get(changelist_url(f"?assignee={attendee.pk}"))
    assert shown_titles(response) == ["Bob's"]


def test_assignee_filter_offers_only_people_with_open_items_busiest_first(
    staff_client, attendee, manager
):
    UserFactory.create_batch(5)  # no action points: not offered
    ActionPointFactory(assignee=attendee)
    ActionPointFactory.create_batch(2, assignee=manager)
    ActionPointFactory(assignee=UserFactory(username="finished"), status="done")
    response = staff_client.get(changelist_url())
    spec = next(f for f in response.context["cl"].filter_specs if f.title == "assignee")
    assert [label for _value, label in spec.lookup_choices] == [
        "Unassigned",
        "Assigned to me",
        "carol",
        "bob",
    ]


def test_event_filter_shows_that_events_items(staff_client):
    pycon, devopsdays = EventFactory(name="PyCon"), EventFactory(name="DevOpsDays")
    ActionPointFactory(title="From PyCon", event=pycon)
    ActionPointFactory(title="From DevOpsDays", event=devopsdays)
    response = staff_client.get(changelist_url(f"?event={pycon.pk}"))
    assert shown_titles(response) == ["From PyCon"]


def test_event_filter_offers_recent_events_with_action_points_only(staff_client):
    for year in range(2000, 2020):
        event = EventFactory(name=f"Summit {year}", starts_on=datetime.date(year, 6, 1))
        ActionPointFactory(event=event)
    EventFactory(name="Quiet conference", starts_on=datetime.date(2025, 1, 1))
    response = staff_client.get(changelist_url())
    spec = next(f for f in response.context["cl"].filter_specs if f.title == "event")
    assert [label for _value, label in spec.lookup_choices] == [
        f"Summit {year} ({year})" for year in range(2019, 2004, -1)
    ]


def test_overdue_filter_splits_overdue_from_the_rest(staff_client):
    ActionPointFactory(title="Late", due_on=days_from_today(-1))
    ActionPointFactory(title="Late but done", due_on=days_from_today(-1), status="done")
    ActionPointFactory(title="Due later", due_on=days_from_today(3))
    ActionPointFactory(title="No due date", due_on=None)
    overdue = staff_client.get(changelist_url("?overdue=yes"))
    not_overdue = staff_client.get(changelist_url("?overdue=no"))
    assert shown_titles(overdue) == ["Late"]
    assert shown_titles(not_overdue) == ["Due later", "Late but done", "No due date"]


def test_overdue_column_marks_overdue_items(staff_client):
    ActionPointFactory(title="Late", due_on=days_from_today(-1))
    response = staff_client.get(changelist_url())
    assert '<img src="/static/admin/img/icon-yes.svg" alt="True">' in response.text


def test_tag_filter_shows_items_with_that_tag(staff_client):
    ActionPointFactory(title="About CI").tags.add("CI", "docs")
    ActionPointFactory(title="About docs").tags.add("docs")
    ActionPointFactory(title="Untagged")
    response = staff_client.get(changelist_url("?tag=ci"))
    assert shown_titles(response) == ["About CI"]


def test_search_matches_title_and_details(staff_client):
    ActionPointFactory(title="Adopt feature flags")
    ActionPointFactory(title="Write runbooks", details="Start with the feature flag service.")
    ActionPointFactory(title="Buy a coffee machine")
    response = staff_client.get(changelist_url("?q=feature"))
    assert shown_titles(response) == ["Adopt feature flags", "Write runbooks"]


def test_date_hierarchy_narrows_by_due_date(staff_client):
    ActionPointFactory(title="May", due_on=datetime.date(2026, 5, 3))
    ActionPointFactory(title="June", due_on=datetime.date(2026, 6, 3))
    response = staff_client.get(changelist_url("?due_on__year=2026&due_on__month=6"))
    assert shown_titles(response) == ["June"]


# Performance


def changelist_queries(client, query: str = "") -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist_url(query))
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def make_rows(count: int, assignees: list) -> None:
    for index in range(count):
        talk = TalkFactory()
        action_point = ActionPointFactory(
            event=talk.event,
            talk=talk,
            assignee=assignees[index % len(assignees)],
            due_on=days_from_today(index - 5),
        )
        action_point.tags.add("ci", f"tag-{index}")


def test_changelist_runs_as_many_queries_for_30_rows_as_for_3(staff_client, staff, attendee):
    make_rows(3, [staff, attendee])
    few = changelist_queries(staff_client)
    make_rows(27, [staff, attendee, UserFactory()])
    many = changelist_queries(staff_client)
    assert len(many) == len(few)


def test_changelist_never_counts_the_whole_table(staff_client, staff):
    make_rows(3, [staff])
    # Row counts (not the grouped counts of the assignee filter, which use an index).
    counts = [sql for sql in changelist_queries(staff_client) if sql.startswith("SELECT COUNT(*)")]
    assert counts == [
        'SELECT COUNT(*) FROM (SELECT "actions_actionpoint"."id" AS "pk" '
        'FROM "actions_actionpoint" LIMIT 10001) subquery'
    ]


def test_paginator_uses_the_planner_estimate_past_its_exact_limit(db):
    ActionPointFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actions_actionpoint")
    with CaptureQueriesContext(connection) as captured:
        paginator = EstimatedCountPaginator(ActionPoint.objects.all(), 10, exact_count_limit=10)
        count = paginator.count
    assert count == 30
    assert [q["sql"] for q in captured.captured_queries] == [
        'SELECT COUNT(*) FROM (SELECT "actions_actionpoint"."id" AS "pk" '
        'FROM "actions_actionpoint" LIMIT 11) subquery',
        "SELECT reltuples::bigint FROM pg_class WHERE oid = "
        """to_regclass('"actions_actionpoint"')""",
    ]


def test_paginator_counts_a_filtered_list_exactly(db):
    ActionPointFactory.create_batch(12)
    ActionPointFactory.create_batch(3, status="done")
    queryset = ActionPoint.objects.filter(status="open")
    assert EstimatedCountPaginator(queryset, 10, exact_count_limit=5).count == 12


# Editing in the list


def test_list_edit_saves_status_and_records_it(staff_client, staff):
    changed = ActionPointFactory(title="Changed")
    untouched = ActionPointFactory(title="Untouched")
    data = list_edit_form(list_edit_row(changed, status="done"), list_edit_row(untouched))
    response = staff_client.post(changelist_url(), data)
    assert response.status_code == 302
    changed.refresh_from_db()
    assert changed.status == "done"
    assert changed.completed_at is not None
    assert history(changed) == [("admin_list", {"status": ["Open", "Done"]}, "")]
    assert history(untouched) == []


def test_list_edit_saves_assignee_and_due_date_in_one_entry(staff_client, attendee):
    action_point, due = ActionPointFactory(), days_from_today(30)
    data = list_edit_form(list_edit_row(action_point, assignee=attendee.pk, due_on=due))
    staff_client.post(changelist_url(), data)
    action_point.refresh_from_db()
    assert (action_point.assignee, action_point.due_on) == (attendee, due)
    assert history(action_point) == [
        ("admin_list", {"assignee": [None, "bob"], "due_on": [None, due.isoformat()]}, "")
    ]
    assert ActionPointChange.objects.get().changed_by.username == "alice"


def test_list_edit_moving_out_of_done_clears_completion(staff_client):
    action_point = ActionPointFactory(status="done")
    staff_client.post(changelist_url(), list_edit_form(list_edit_row(action_point, status="open")))
    action_point.refresh_from_db()
    assert (action_point.status, action_point.completed_at) == ("open", None)


def test_list_edit_from_a_stale_page_is_refused(staff_client, attendee):
    action_point = ActionPointFactory()
    page_row = list_edit_row(action_point, due_on=days_from_today(30))
    action_point.status = "done"
    action_point.version += 1
    action_point.save()  # someone else, meanwhile
    response = staff_client.post(changelist_url(), list_edit_form(page_row))
    assert response.status_code == 200
    assert response.context["cl"].formset.forms[0].non_field_errors() == [
        "Someone else changed this action point while you were editing. Nothing was "
        "saved: your changes are still in the form, so check them against the page and "
        "save again."
    ]
    action_point.refresh_from_db()
    assert (action_point.status, action_point.due_on) == ("done", None)


def test_list_edit_saves_a_row_when_someone_only_commented_on_another(staff_client, attendee):
    edited, other = ActionPointFactory(title="Edited"), ActionPointFactory(title="Other")
    page = list_edit_form(list_edit_row(edited, status="done"), list_edit_row(other))
    # Meanwhile someone comments on the other row: its version moves, its fields do not,
    # and this save leaves it alone.
    update_action_point(other, by=attendee, via="web", seen_version=other.version,
                        comment="On it")  # fmt: skip
    response = staff_client.post(changelist_url(), page)
    assert response.status_code == 302
    edited.refresh_from_db()
    assert edited.status == "done"
    assert [entry.comment for entry in other.history.all()] == ["On it"]


def test_list_edit_renders_each_rows_version(staff_client):
    ActionPointFactory(version=4)
    response = staff_client.get(changelist_url())
    assert '<input type="hidden" name="form-0-seen_version" value="4"' in response.text


def test_list_edit_shows_a_bad_date_next_to_its_field(staff_client):
    action_point = ActionPointFactory()
    data = list_edit_form(list_edit_row(action_point, due_on="next tuesday"))
    response = staff_client.post(changelist_url(), data)
    assert response.status_code == 200
    SimpleTestCase().assertInHTML(
        '<ul class="errorlist" id="id_form-0-due_on_error">'
        "<li>Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30).</li></ul>",
        response.text,
    )
    assert 'name="form-0-due_on" value="next tuesday"' in response.text
    action_point.refresh_from_db()
    assert action_point.due_on is None


# Bulk actions


def test_mark_done_records_only_the_rows_it_changes(staff_client):
    open_one = ActionPointFactory(title="Open")
    started = ActionPointFactory(title="Started", status="in_progress")
    finished = ActionPointFactory(title="Finished", status="done")
    finished_at = finished.completed_at
    response = staff_client.post(
        changelist_url(), action_data("mark_done", open_one, started, finished)
    )
    assert response.status_code == 302
    statuses = {
        ap.title: (ap.status, ap.completed_at is not None) for ap in ActionPoint.objects.all()
    }
    assert statuses == {
        "Open": ("done", True),
        "Started": ("done", True),
        "Finished": ("done", True),
    }
    assert history(open_one) == [("admin_bulk", {"status": ["Open", "Done"]}, "")]
    assert history(started) == [("admin_bulk", {"status": ["In progress", "Done"]}, "")]
    assert history(finished) == []
    finished.refresh_from_db()
    assert finished.completed_at == finished_at


def test_mark_done_loads_nobody_per_row_and_renders_no_markdown(
    staff_client, attendee, monkeypatch
):
    rendered = []

    def mark_done(count: int) -> list[str]:
        rows = ActionPointFactory.create_batch(count, raised_by=attendee, details="**Why**")
        monkeypatch.setattr(markdown, "render_markdown", lambda text: rendered.append(text))
        with CaptureQueriesContext(connection) as captured:
            staff_client.post(changelist_url(), action_data("mark_done", *rows))
        monkeypatch.undo()
        return [query["sql"] for query in captured.captured_queries]

    two, ten = mark_done(2), mark_done(10)
    per_row = (len(ten) - len(two)) / 8
    # A savepoint around the save, the history entry and the email to whoever raised
    # it (loaded with the locked row, not once per row); the unchanged details are
    # not rendered again.
    assert per_row == 5
    assert sum('FROM "auth_user"' in sql for sql in ten) == sum(
        'FROM "auth_user"' in sql for sql in two
    )
    assert rendered == []
    assert ActionPoint.objects.filter(status="done").count() == 12


def test_mark_dropped_records_each_change(staff_client):
    done = ActionPointFactory(status="done")
    dropped = ActionPointFactory(status="dropped")
    staff_client.post(changelist_url(), action_data("mark_dropped", done, dropped))
    done.refresh_from_db()
    assert (done.status, done.completed_at) == ("dropped", None)
    assert history(done) == [("admin_bulk", {"status": ["Done", "Dropped"]}, "")]
    assert history(dropped) == []


def test_bulk_action_across_all_filtered_rows(staff_client):
    late = ActionPointFactory(due_on=days_from_today(-2))
    later = ActionPointFactory(due_on=days_from_today(-1))
    not_late = ActionPointFactory(due_on=days_from_today(5))
    data = {**action_data("mark_done", late), "select_across": "1"}
    staff_client.post(changelist_url("?overdue=yes"), data)
    assert sorted(ActionPoint.objects.values_list("status", flat=True)) == ["done", "done", "open"]
    assert [len(history(ap)) for ap in (late, later, not_late)] == [1, 1, 0]


def test_assign_to_asks_for_the_assignee_first(staff_client):
    first, second = ActionPointFactory(title="First"), ActionPointFactory(title="Second")
    response = staff_client.post(changelist_url(), action_data("assign_to", first, second))
    assert response.status_code == 200
    assert response.templates[0].name == "admin/actions/actionpoint/assign_to.html"
    assert sorted(ap.title for ap in response.context["action_points"]) == ["First", "Second"]
    assert response.context["selected"] == [str(first.pk), str(second.pk)]
    assert 'data-field-name="assignee"' in response.text
    assert ActionPointChange.objects.count() == 0


def test_assign_to_assigns_every_selected_row_once(staff_client, attendee, manager):
    unassigned = ActionPointFactory()
    reassigned = ActionPointFactory(assignee=manager)
    already = ActionPointFactory(assignee=attendee)
    data = {
        "action": "assign_to",
        "_selected_action": [unassigned.pk, reassigned.pk, already.pk],
        "select_across": "0",
        "apply": "yes",
        "assignee": attendee.pk,
        "comment": "Bob owns the pipeline.",
    }
    response = staff_client.post(changelist_url(), data)
    assert response.status_code == 302
    assert set(ActionPoint.objects.values_list("assignee__username", flat=True)) == {"bob"}
    assert history(unassigned) == [
        ("admin_bulk", {"assignee": [None, "bob"]}, "Bob owns the pipeline.")
    ]
    assert history(reassigned) == [
        ("admin_bulk", {"assignee": ["carol", "bob"]}, "Bob owns the pipeline.")
    ]
    assert history(already) == []


def test_assign_to_an_unknown_user_shows_the_page_again(staff_client):
    action_point = ActionPointFactory()
    data = {
        "action": "assign_to",
        "_selected_action": [action_point.pk],
        "apply": "yes",
        "assignee": "999999",
    }
    response = staff_client.post(changelist_url(), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "assignee": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert ActionPoint.objects.get().assignee is None


# The add and change forms


def test_adding_records_a_creation_entry(staff_client, staff):
    event = EventFactory()
    data = {
        "title": "Set up an SLO dashboard",
        "details": "",
        "tags": "SRE, dashboards",
        "event": event.pk,
        "talk": "",
        "open_space": "",
        "raised_by": staff.pk,
        "assignee": "",
        "status": "open",
        "due_on": days_from_today(30),
        "comment": "From the hallway track.",
        "seen_version": "",
    }
    response = staff_client.post(reverse("admin:actions_actionpoint_add"), data)
    assert response.status_code == 302
    action_point = ActionPoint.objects.get()
    assert history(action_point) == [
        (
            "admin",
            {
                "title": [None, "Set up an SLO dashboard"],
                "status": [None, "Open"],
                "due_on": [None, days_from_today(30).isoformat()],
                "event": [None, str(event)],
                "tags": [None, "SRE, dashboards"],
            },
            "From the hallway track.",
        )
    ]


def test_add_form_defaults_raised_by_to_me(staff_client, staff):
    response = staff_client.get(reverse("admin:actions_actionpoint_add"))
    assert response.context["adminform"].form.initial["raised_by"] == staff.pk


def test_changing_fields_records_old_and_new_values(staff_client, attendee):
    action_point = ActionPointFactory(assignee=attendee)
    due = days_from_today(30)
    data = admin_change_form(action_point, status="in_progress", due_on=due)
    response = staff_client.post(change_url(action_point), data)
    assert response.status_code == 302
    assert history(action_point) == [
        ("admin", {"status": ["Open", "In progress"], "due_on": [None, due.isoformat()]}, "")
    ]
    action_point.refresh_from_db()
    assert action_point.version == 2


def test_a_save_locks_and_reads_its_row_once(staff_client, attendee):
    action_point = ActionPointFactory(assignee=attendee)
    data = admin_change_form(action_point, status="done", tags="ci")
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.post(change_url(action_point), data)
    assert response.status_code == 302
    locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    assert history(action_point) == [
        ("admin", {"status": ["Open", "Done"], "tags": [None, "ci"]}, "")
    ]


def test_changing_tags_is_part_of_the_same_entry(staff_client):
    action_point = ActionPointFactory(title="Old title")
    action_point.tags.add("ci")
    data = admin_change_form(action_point, title="New title", tags="ci, docs", comment="Broader.")
    staff_client.post(change_url(action_point), data)
    assert history(action_point) == [
        (
            "admin",
            {"title": ["Old title", "New title"], "tags": ["ci", "ci, docs"]},
            "Broader.",
        )
    ]
    assert sorted(action_point.tags.names()) == ["ci", "docs"]


def test_a_comment_alone_is_recorded(staff_client):
    action_point = ActionPointFactory()
    staff_client.post(
        change_url(action_point), admin_change_form(action_point, comment="Chased Bob.")
    )
    assert history(action_point) == [("admin", {}, "Chased Bob.")]


@pytest.mark.parametrize("session", ["talk", "open_space"])
def test_a_comment_on_a_fully_filled_action_point_keeps_every_field(
    staff_client, attendee, session
):
    event = EventFactory()
    raised_at = {
        "talk": lambda: TalkFactory(event=event, title="Chaos days"),
        "open_space": lambda: OpenSpaceFactory(event=event, topic="Game days"),
    }[session]()
    action_point = ActionPointFactory(
        event=event,
        assignee=attendee,
        due_on=days_from_today(30),
        status="in_progress",
        **{session: raised_at},
    )
    action_point.tags.add("chaos engineering", "sre")
    response = staff_client.post(
        change_url(action_point), admin_change_form(action_point, comment="Any news?")
    )
    assert response.status_code == 302
    assert history(action_point) == [("admin", {}, "Any news?")]
    kept = ActionPoint.objects.get()
    assert (getattr(kept, session), kept.assignee, kept.due_on, kept.status) == (
        raised_at,
        attendee,
        days_from_today(30),
        "in_progress",
    )
    assert sorted(kept.tags.names()) == ["chaos engineering", "sre"]


def test_saving_without_changes_records_nothing(staff_client):
    action_point = ActionPointFactory()
    action_point.tags.add("ci")
    response = staff_client.post(change_url(action_point), admin_change_form(action_point))
    assert response.status_code == 302
    assert history(action_point) == []
    action_point.refresh_from_db()
    assert action_point.version == 1


def test_marking_done_in_the_form_stamps_completion(staff_client):
    action_point = ActionPointFactory()
    staff_client.post(change_url(action_point), admin_change_form(action_point, status="done"))
    action_point.refresh_from_db()
    assert action_point.completed_at is not None


def test_change_from_a_stale_form_is_refused(staff_client):
    action_point = ActionPointFactory()
    stale = admin_change_form(action_point, title="Mine")
    ActionPoint.objects.filter(pk=action_point.pk).update(title="Theirs", version=2)
    response = staff_client.post(change_url(action_point), stale)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Someone else changed this action point while you were editing. Nothing was "
        "saved: your changes are still in the form, so check them against the page and "
        "save again."
    ]
    action_point.refresh_from_db()
    assert action_point.title == "Theirs"


def test_a_talk_from_another_event_is_a_form_error(staff_client):
    action_point = ActionPointFactory()
    elsewhere = TalkFactory(title="Elsewhere")
    response = staff_client.post(
        change_url(action_point), admin_change_form(action_point, talk=elsewhere.pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "talk": ["“Elsewhere” belongs to another event."]
    }
    assert history(action_point) == []


def test_raised_by_cannot_be_changed_after_creation(staff_client, attendee):
    action_point = ActionPointFactory()
    raised_by = action_point.raised_by
    staff_client.post(
        change_url(action_point), admin_change_form(action_point, raised_by=attendee.pk)
    )
    action_point.refresh_from_db()
    assert action_point.raised_by == raised_by


# History


def test_history_is_shown_on_the_change_page(staff_client, staff):
    action_point = ActionPointFactory(title="Write the postmortem")
    staff_client.post(
        change_url(action_point),
        admin_change_form(action_point, status="done", comment="Shipped <b>"),
    )
    response = staff_client.get(change_url(action_point))
    assert response.status_code == 200
    assert "Status: Open → Done" in response.text
    assert "Shipped &lt;b&gt;" in response.text
    assert "history_table" not in response.context["adminform"].form.fields


def test_history_has_no_admin_to_edit_or_delete_it(staff_client):
    assert admin.site.is_registered(ActionPointChange) is False
    response = staff_client.get("/admin/actions/actionpointchange/")
    assert response.status_code == 404


def test_posting_history_fields_does_not_change_history(staff_client):
    action_point = ActionPointFactory()
    staff_client.post(change_url(action_point), admin_change_form(action_point, status="done"))
    data = admin_change_form(
        ActionPoint.objects.get(),
        changes='{"status": ["Open", "Dropped"]}',
        history_table="forged",
        **{"history-0-comment": "forged", "history-TOTAL_FORMS": "1"},
    )
    staff_client.post(change_url(action_point), data)
    assert history(action_point) == [("admin", {"status": ["Open", "Done"]}, "")]
