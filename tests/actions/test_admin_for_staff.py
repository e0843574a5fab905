"""The action point admin as staff use it: ISO date pickers, a due date in bulk
"assign to…", and one History page showing every change."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from actions.models import ActionPoint, ActionPointChange
from tests.factories import ActionPointFactory
from tests.helpers import admin_change_form, days_from_today, list_edit_form, list_edit_row

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/actions/actionpoint/"


def change_url(action_point: ActionPoint) -> str:
    return reverse("admin:actions_actionpoint_change", args=[action_point.pk])


def history_url(action_point: ActionPoint) -> str:
    return reverse("admin:actions_actionpoint_history", args=[action_point.pk])


def history(action_point: ActionPoint) -> list[tuple[str, dict, str]]:
    return [
        (entry.via, entry.changes, entry.comment)
        for entry in ActionPointChange.objects.filter(action_point=action_point)
    ]


def assign(*action_points: ActionPoint, **fields) -> dict:
    return {
        "action": "assign_to",
        "_selected_action": [ap.pk for ap in action_points],
        "select_across": "0",
        "apply": "yes",
        **fields,
    }


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


def shown(value) -> str:
    return f"{value.day} {value:%b %Y}"


# One date format: the browser's date picker, ISO dates


def test_change_form_due_date_is_an_iso_date_picker(staff_client):
    due = days_from_today(10)
    action_point = ActionPointFactory(due_on=due)
    response = staff_client.get(change_url(action_point))
    assert response.status_code == 200
    assert f'<input type="date" name="due_on" value="{due.isoformat()}"' in response.text


def test_list_edit_due_date_is_an_iso_date_picker(staff_client):
    due = days_from_today(10)
    ActionPointFactory(due_on=due)
    response = staff_client.get(CHANGELIST)
    assert f'<input type="date" name="form-0-due_on" value="{due.isoformat()}"' in response.text


def test_change_form_refuses_a_day_first_date(staff_client):
    action_point = ActionPointFactory(due_on=None)
    day_first = days_from_today(10).strftime("%d/%m/%Y")
    response = staff_client.post(
        change_url(action_point), admin_change_form(action_point, due_on=day_first)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["due_on"] == [
        "Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."
    ]
    action_point.refresh_from_db()
    assert action_point.due_on is None


def test_change_form_warns_about_a_past_due_date(staff_client):
    action_point = ActionPointFactory(title="Write it up", due_on=None)
    past = days_from_today(-3)
    response = staff_client.post(
        change_url(action_point), admin_change_form(action_point, due_on=past.isoformat())
    )
    assert response.status_code == 302
    assert (
        "warning",
        f"“Write it up”: The due date {shown(past)} is in the past, so it shows as overdue.",
    ) in messages_of(response)
    action_point.refresh_from_db()
    assert action_point.due_on == past


def test_list_edit_warns_about_a_past_due_date(staff_client):
    action_point = ActionPointFactory(title="Write it up", due_on=None)
    past = days_from_today(-3)
    data = list_edit_form(list_edit_row(action_point, due_on=past.isoformat()))
    response = staff_client.post(CHANGELIST, data)
    assert response.status_code == 302
    assert [level for level, _text in messages_of(response)] == ["warning", "success"]


def test_a_future_due_date_saves_without_a_warning(staff_client):
    action_point = ActionPointFactory(due_on=None)
    future = days_from_today(3).isoformat()
    response = staff_client.post(
        change_url(action_point), admin_change_form(action_point, due_on=future)
    )
    assert [level for level, _text in messages_of(response)] == ["success"]


def test_changelist_shows_no_event_or_tags_column(staff_client):
    ActionPointFactory().tags.add("ci")
    response = staff_client.get(CHANGELIST)
    assert [header["text"] for header in response.context["result_headers"]][1:] == [
        "title",
        "assignee",
        "status",
        "due date",
        "overdue",
    ]
    assert '<link href="/static/css/admin.css" media="all" rel="stylesheet">' in response.text


# Bulk "assign to…" with a due date


def test_assign_to_offers_a_due_date_picker(staff_client):
    action_point = ActionPointFactory()
    data = assign(action_point)
    del data["apply"]
    response = staff_client.post(CHANGELIST, data)
    assert response.status_code == 200
    assert '<input type="date" name="due_on"' in response.text
    assert 'type="hidden" name="confirm_past"' in response.text


def test_assign_to_sets_the_due_date_in_the_same_entry(staff_client, attendee):
    first, second = ActionPointFactory(due_on=None), ActionPointFactory(due_on=days_from_today(2))
    due = days_from_today(14)
    response = staff_client.post(
        CHANGELIST, assign(first, second, assignee=attendee.pk, due_on=due.isoformat())
    )
    assert response.status_code == 302
    assert history(first) == [
        ("admin_bulk", {"assignee": [None, "bob"], "due_on": [None, due.isoformat()]}, "")
    ]
    assert history(second) == [
        (
            "admin_bulk",
            {
                "assignee": [None, "bob"],
                "due_on": [days_from_today(2).isoformat(), due.isoformat()],
            },
            "",
        )
    ]
    assert messages_of(response) == [
        ("success", f"Assigned 2 action point(s) to bob, due {shown(due)}.")
    ]


def test_assign_to_without_a_date_keeps_each_due_date(staff_client, attendee):
    dated, undated = ActionPointFactory(due_on=days_from_today(5)), ActionPointFactory(due_on=None)
    response = staff_client.post(CHANGELIST, assign(dated, undated, assignee=attendee.pk))
    assert response.status_code == 302
    assert sorted(ActionPoint.objects.values_list("due_on", flat=True), key=str) == sorted(
        [days_from_today(5), None], key=str
    )
    assert history(dated) == [("admin_bulk", {"assignee": [None, "bob"]}, "")]


@pytest.mark.parametrize("year", [1989, 2101])
def test_assign_to_refuses_a_date_outside_1990_to_2100(staff_client, attendee, year):
    action_point = ActionPointFactory(due_on=None)
    response = staff_client.post(
        CHANGELIST, assign(action_point, assignee=attendee.pk, due_on=f"{year}-06-30")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": [f"Enter a date between 1990 and 2100 ({year}-06-30 is outside)."]
    }
    assert history(action_point) == []


def test_assign_to_asks_to_confirm_a_past_date(staff_client, attendee):
    action_point = ActionPointFactory(due_on=None)
    past = days_from_today(-1)
    response = staff_client.post(
        CHANGELIST, assign(action_point, assignee=attendee.pk, due_on=past.isoformat())
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": [
            f"The due date {shown(past)} is in the past, so it shows as overdue. Tick “Yes, "
            "the due date is in the past” to set it."
        ]
    }
    assert '<input type="checkbox" name="confirm_past"' in response.text
    assert history(action_point) == []


def test_assign_to_sets_a_confirmed_past_date_with_a_warning(staff_client, attendee):
    action_point = ActionPointFactory(due_on=None)
    past = days_from_today(-1)
    response = staff_client.post(
        CHANGELIST,
        assign(action_point, assignee=attendee.pk, due_on=past.isoformat(), confirm_past="on"),
    )
    assert response.status_code == 302
    action_point.refresh_from_db()
    assert (action_point.assignee, action_point.due_on) == (attendee, past)
    assert [level for level, _text in messages_of(response)] == ["success", "warning"]


# One history: the History button shows every change


def test_history_page_shows_bulk_and_form_changes(staff_client, attendee):
    action_point = ActionPointFactory(title="Write the postmortem")
    staff_client.post(CHANGELIST, assign(action_point, assignee=attendee.pk, comment="Bob's"))
    action_point.refresh_from_db()
    staff_client.post(
        change_url(action_point), admin_change_form(action_point, status="in_progress")
    )
    response = staff_client.get(history_url(action_point))
    assert response.status_code == 200
    assert response.template_name == "admin/actions/actionpoint/object_history.html"
    assert response.context["title"] == "Change history: Write the postmortem"
    assert response.context["history"].count("<tr>") == 3  # the header and two entries
    assert "Admin bulk action" in response.text
    assert "Assignee: — → bob" in response.text
    assert "Bob&#x27;s" in response.text
    assert "Status: Open → In progress" in response.text


def test_history_page_of_a_missing_action_point_goes_back_to_the_list(staff_client):
    response = staff_client.get(reverse("admin:actions_actionpoint_history", args=[999999]))
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_history_page_is_refused_to_attendees(attendee_client):
    action_point = ActionPointFactory()
    response = attendee_client.get(history_url(action_point))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# Filters


def test_due_filter_shows_unfinished_items_due_in_the_next_seven_days(staff_client):
    for days in (-1, 0, 6, 7):
        ActionPointFactory(title=f"In {days}", due_on=days_from_today(days))
    ActionPointFactory(title="Done", due_on=days_from_today(1), status="done")
    ActionPointFactory(title="Undated", due_on=None)
    response = staff_client.get(CHANGELIST + "?due=week")
    assert sorted(ap.title for ap in response.context["cl"].result_list) == ["In 0", "In 6"]
    response = staff_client.get(CHANGELIST + "?due=none")
    assert [ap.title for ap in response.context["cl"].result_list] == ["Undated"]


@pytest.mark.parametrize(
    "query",
    ["?overdue=yes&assignee=none", "?due=week", "?assignee=me", "?assignee=none&due=none"],
)
def test_demo_data_gives_every_staff_filter_something_to_show(settings, client, query):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    client.force_login(User.objects.get(username="alice"))
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_history_shows_due_dates_in_the_sites_date_style(staff_client, attendee):
    action_point = ActionPointFactory(due_on=None)
    due = days_from_today(20)
    staff_client.post(
        CHANGELIST, assign(action_point, assignee=attendee.pk, due_on=due.isoformat())
    )
    response = staff_client.get(history_url(action_point))
    assert f"Due date: — → {shown(due)}" in response.text
