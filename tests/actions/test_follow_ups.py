"""Follow-ups: my list, everyone's for managers and staff, one action point's page
and its update form (status and comment; assignee and due date for staff)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionPoint, ActionPointChange
from actions.services import record_change
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TalkFactory,
    UserFactory,
    make_team_action_points,
)
from tests.helpers import count_queries, days_from_today, logged_in, post_update

pytestmark = pytest.mark.django_db

LIST_URL = "/follow-ups/"
OPEN, IN_PROGRESS = ActionPoint.Status.OPEN, ActionPoint.Status.IN_PROGRESS
DONE, DROPPED = ActionPoint.Status.DONE, ActionPoint.Status.DROPPED
WEB = ActionPointChange.Via.WEB


def titles(response) -> list[str]:
    return [ap.title for ap in response.context["page"]]


def highlighted_titles(response) -> list[str]:
    """Titles of the rows marked overdue."""
    return re.findall(
        r'<tr class="is-overdue">\s*<td data-label="Follow-up"><a href="[^"]+">([^<]+)</a>',
        response.content.decode(),
    )


def history(action_point: ActionPoint) -> list[tuple]:
    return [
        (entry.changed_by.username, entry.changes, entry.comment, entry.via)
        for entry in ActionPointChange.objects.filter(action_point=action_point)
    ]


def form_fields(response) -> list[str] | None:
    form = response.context["form"]
    return None if form is None else list(form.fields)


# --- My follow-ups ------------------------------------------------------------------


def test_my_follow_ups_are_mine_open_or_in_progress_overdue_first(attendee_client, attendee, staff):
    ActionPointFactory(
        title="Later", assignee=attendee, due_on=days_from_today(5), status=IN_PROGRESS
    )
    ActionPointFactory(title="No date", assignee=attendee)
    ActionPointFactory(title="Tomorrow", assignee=attendee, due_on=days_from_today(1))
    ActionPointFactory(title="Late", assignee=attendee, due_on=days_from_today(-2))
    ActionPointFactory(title="Done", assignee=attendee, due_on=days_from_today(-5), status=DONE)
    ActionPointFactory(title="Dropped", assignee=attendee, status=DROPPED)
    ActionPointFactory(title="Alice's", assignee=staff, due_on=days_from_today(-3))
    ActionPointFactory(title="Nobody's", due_on=days_from_today(-3))

    response = attendee_client.get(LIST_URL)

    assert titles(response) == ["Late", "Tomorrow", "Later", "No date"]
    assert highlighted_titles(response) == ["Late"]
    assert "<h1>My follow-ups</h1>" in response.content.decode()


def test_overdue_come_before_earlier_due_dates_that_are_not_overdue(attendee_client, attendee):
    ActionPointFactory(title="Tomorrow", assignee=attendee, due_on=days_from_today(1))
    ActionPointFactory(
        title="Done long ago", assignee=attendee, due_on=days_from_today(-10), status=DONE
    )
    ActionPointFactory(title="Late", assignee=attendee, due_on=days_from_today(-2))

    response = attendee_client.get(LIST_URL + "?status=open&status=done")

    assert titles(response) == ["Late", "Done long ago", "Tomorrow"]
    assert highlighted_titles(response) == ["Late"]


def test_my_empty_list_says_what_to_do_next(attendee_client):
    response = attendee_client.get(LIST_URL)
    assert titles(response) == []
    assert "Nothing open is assigned to you." in response.content.decode()


def test_attendee_has_no_scope_or_assignee_filter(attendee_client):
    response = attendee_client.get(LIST_URL)
    assert list(response.context["filter"].form.fields) == ["status", "event", "tag", "overdue"]


@pytest.mark.parametrize("query", ["?scope=all", "?assignee=alice", "?scope=all&assignee=alice"])
def test_attendee_asking_for_others_gets_only_their_own_and_is_told(
    attendee_client, attendee, staff, query
):
    """Refusal by narrowing, not 403: a shared link still shows them their own."""
    ActionPointFactory(title="Mine", assignee=attendee)
    ActionPointFactory(title="Alice's", assignee=staff)

    response = attendee_client.get(LIST_URL + query)

    assert response.status_code == 200
    assert titles(response) == ["Mine"]
    assert "You can see only your own follow-ups" in response.content.decode()


def test_attendee_naming_themselves_as_assignee_is_not_told_off(attendee_client, attendee):
    ActionPointFactory(title="Mine", assignee=attendee)
    response = attendee_client.get(LIST_URL + "?assignee=bob")
    assert titles(response) == ["Mine"]
    assert "You can see only your own" not in response.content.decode()


# --- Everyone's follow-ups ------------------------------------------------------------


@pytest.fixture
def team(staff, attendee):
    """Action points of several people at two events."""
    events = make_team_action_points(staff, attendee)
    ActionPoint.objects.get(title="Write up hiring").tags.add("Hiring", "Observability")
    return {name: event.slug for name, event in events.items()}


EVERYONES_FILTERS = [
    ("scope=all", ["Fix the runbook", "Nobody's yet", "Try a chaos day", "Write up hiring"]),
    ("assignee=alice", ["Fix the runbook"]),
    ("assignee=bob&status=done&status=in_progress", ["Old idea", "Try a chaos day"]),
    ("scope=all&status=done", ["Old idea"]),
    ("scope=all&status=open", ["Fix the runbook", "Nobody's yet", "Write up hiring"]),
    ("scope=all&event={oslo}", ["Fix the runbook", "Write up hiring"]),
    ("scope=all&event={berlin}&status=done", []),
    ("scope=all&tag=observability", ["Fix the runbook", "Write up hiring"]),
    ("scope=all&tag=hiring", ["Write up hiring"]),
    ("scope=all&tag=Hiring", ["Write up hiring"]),
    ("scope=all&event=PyCon+Berlin+2026", ["Nobody's yet", "Try a chaos day"]),
    ("scope=all&overdue=yes", ["Fix the runbook"]),
    ("scope=all&overdue=no", ["Nobody's yet", "Try a chaos day", "Write up hiring"]),
    ("scope=all&overdue=no&status=done", ["Old idea"]),
    ("scope=all&event={oslo}&tag=observability&overdue=yes", ["Fix the runbook"]),
]


@pytest.mark.parametrize("role", ["manager", "staff"])
@pytest.mark.parametrize(("query", "expected"), EVERYONES_FILTERS)
def test_managers_and_staff_filter_everyones_follow_ups(request, team, role, query, expected):
    client = logged_in(request.getfixturevalue(role))
    response = client.get(LIST_URL + "?" + query.format(**team))
    assert titles(response) == expected


@pytest.mark.parametrize(("role", "expected"), [("manager", []), ("staff", ["Fix the runbook"])])
def test_scope_mine_is_the_default_for_managers_and_staff_too(request, team, role, expected):
    client = logged_in(request.getfixturevalue(role))
    assert titles(client.get(LIST_URL)) == expected
    assert titles(client.get(LIST_URL + "?scope=mine")) == expected


def test_heading_says_whose_follow_ups_are_shown(team, manager):
    client = logged_in(manager)
    headings = [
        re.search(r"<h1>(.*)</h1>", client.get(LIST_URL + query).content.decode()).group(1)
        for query in ("", "?scope=all", "?assignee=alice")
    ]
    assert headings == [
        "My follow-ups",
        "Everyone&#x27;s follow-ups",
        "Follow-ups assigned to alice",
    ]


def test_managers_get_assignee_suggestions(team, manager):
    response = logged_in(manager).get(LIST_URL + "?scope=all")
    assert response.context["assignee_suggestions"] == ["alice", "bob", "dave"]
    assert '<datalist id="assignee-suggestions">' in response.content.decode()
    assert 'list="assignee-suggestions"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("scope=all&event=no-such-event", "Event: No event called “no-such-event”."),
        ("scope=all&tag=no-such-tag", "Tag: No tag called “no-such-tag”."),
        ("assignee=nobody", "Assignee: No user called “nobody”."),
        (
            "status=finished",
            "Status: Select a valid choice. finished is not one of the available choices.",
        ),
        (
            "overdue=maybe",
            "Overdue: Select a valid choice. maybe is not one of the available choices.",
        ),
    ],
)
def test_unknown_names_in_the_url_get_a_notice_and_no_rows(team, manager, query, notice):
    response = logged_in(manager).get(LIST_URL + "?" + query)
    assert response.status_code == 200
    assert titles(response) == []
    assert f"<li>{notice}</li>" in response.content.decode()


def test_nonsense_page_numbers_get_a_page(attendee_client, attendee):
    for n in range(30):
        ActionPointFactory(title=f"Item {n:02}", assignee=attendee, due_on=days_from_today(n + 1))
    pages = [
        attendee_client.get(LIST_URL + query).context["page"].number
        for query in ("?page=abc", "?page=999", "?page=2", "?page=-1")
    ]
    assert pages == [1, 2, 2, 2]
    assert titles(attendee_client.get(LIST_URL + "?page=2")) == [
        f"Item {n:02}" for n in range(25, 30)
    ]


def make_follow_ups(count: int, **fields) -> None:
    """``count`` tagged action points raised at talks, open spaces and events."""
    event = EventFactory()
    for n in range(count):
        session = [
            {"talk": TalkFactory(event=event)},
            {"open_space": OpenSpaceFactory(event=event)},
            {},
        ][n % 3]
        action_point = ActionPointFactory(
            event=event, due_on=days_from_today(n - 2), **session, **fields
        )
        action_point.tags.add("ops", f"topic-{n % 4}")


def test_my_list_runs_the_same_queries_for_3_and_30_rows(attendee_client, attendee):
    make_follow_ups(3, assignee=attendee)
    few = count_queries(attendee_client, LIST_URL)
    make_follow_ups(27, assignee=attendee)
    assert count_queries(attendee_client, LIST_URL) == few


@pytest.mark.parametrize("role", ["manager", "staff"])
@pytest.mark.parametrize(
    "query", ["?scope=all", "?scope=all&status=open&status=done&tag=ops&overdue=no"]
)
def test_everyones_list_runs_the_same_queries_for_3_and_30_rows(request, role, query):
    client = logged_in(request.getfixturevalue(role))
    make_follow_ups(3, assignee=UserFactory())
    few = count_queries(client, LIST_URL + query)
    make_follow_ups(27, assignee=UserFactory())
    assert count_queries(client, LIST_URL + query) == few


# --- One action point -----------------------------------------------------------------


@pytest.fixture
def action_point(attendee):
    """Bob's, raised by erin at a talk, due in a week."""
    talk = TalkFactory(title="Lean QA", event=EventFactory(name="DevOpsDays Oslo"))
    action_point = ActionPointFactory(
        title="Try contract tests",
        details="**Start** with the billing API. <script>alert(1)</script>",
        talk=talk,
        event=talk.event,
        raised_by=UserFactory(username="erin", role="attendee"),
        assignee=attendee,
        due_on=days_from_today(7),
    )
    action_point.tags.add("Testing")
    return action_point


def test_page_shows_source_details_people_tags_and_history(attendee_client, action_point, staff):
    record_change(
        action_point,
        by=staff,
        via=WEB,
        changes={"status": ["Open", "In progress"]},
        comment="Bob started on it.",
    )

    html = attendee_client.get(action_point.get_absolute_url()).content.decode()

    assert f'<a href="{action_point.talk.get_absolute_url()}">Lean QA</a>' in html
    assert "talk at DevOpsDays Oslo" in html
    assert "<strong>Start</strong> with the billing API." in html
    assert "<script>" not in html
    assert "<dt>Raised by</dt><dd>erin" in html
    assert "<dt>Assignee</dt><dd>bob</dd>" in html
    assert ">Testing</a>" in html
    assert "<li>Status: Open → In progress</li>" in html
    assert "<blockquote>Bob started on it.</blockquote>" in html


@pytest.mark.parametrize("viewer", ["attendee", "staff", "manager"])
def test_page_runs_the_same_queries_for_1_and_20_history_entries(
    request, action_point, staff, viewer
):
    client = logged_in(request.getfixturevalue(viewer))
    record_change(action_point, by=staff, via=WEB, changes={}, comment="First")
    one = count_queries(client, action_point.get_absolute_url())
    for n in range(19):
        record_change(action_point, by=UserFactory(), via=WEB, changes={}, comment=f"No. {n}")
    assert count_queries(client, action_point.get_absolute_url()) == one


def test_unknown_action_point_is_404(attendee_client):
    assert attendee_client.get("/follow-ups/999999/").status_code == 404


def test_assignee_can_mark_done_with_a_comment(attendee_client, action_point):
    response = post_update(attendee_client, action_point, status="done", comment="Shipped in v2.")

    assert response.status_code == 302
    assert response["Location"] == action_point.get_absolute_url()
    action_point.refresh_from_db()
    assert (action_point.status, action_point.completed_at is not None) == (DONE, True)
    assert action_point.version == 2
    assert history(action_point) == [("bob", {"status": ["Open", "Done"]}, "Shipped in v2.", WEB)]
    html = attendee_client.get(action_point.get_absolute_url()).content.decode()
    assert "<li>Status: Open → Done</li>" in html
    assert "<blockquote>Shipped in v2.</blockquote>" in html
    assert "Saved." in html


def test_assignee_form_has_status_and_comment_only(attendee_client, action_point):
    response = attendee_client.get(action_point.get_absolute_url())
    assert form_fields(response) == ["version", "status", "comment"]
    assert 'name="assignee"' not in response.content.decode()


def test_assignee_cannot_reassign_or_change_due_date(attendee_client, action_point, manager):
    due = action_point.due_on
    response = post_update(
        attendee_client,
        action_point,
        status="in_progress",
        assignee="carol",
        due_on=days_from_today(30),
    )

    assert response.status_code == 302
    action_point.refresh_from_db()
    assert (action_point.assignee.username, action_point.due_on) == ("bob", due)
    assert history(action_point) == [("bob", {"status": ["Open", "In progress"]}, "", WEB)]


def test_comment_alone_is_a_history_entry(attendee_client, action_point):
    post_update(attendee_client, action_point, comment="  Waiting on the ops team.  ")

    action_point.refresh_from_db()
    assert action_point.status == OPEN
    assert history(action_point) == [("bob", {}, "Waiting on the ops team.", WEB)]
    html = attendee_client.get(action_point.get_absolute_url()).content.decode()
    assert "<blockquote>Waiting on the ops team.</blockquote>" in html


def test_saving_nothing_writes_nothing(attendee_client, action_point):
    response = post_update(attendee_client, action_point, comment="   ")

    assert response.status_code == 302
    action_point.refresh_from_db()
    assert (history(action_point), action_point.version) == ([], 1)
    assert "Nothing to save" in attendee_client.get(response["Location"]).content.decode()


def test_person_who_raised_it_may_comment_but_not_change_status(action_point):
    erin = logged_in(action_point.raised_by)
    assert form_fields(erin.get(action_point.get_absolute_url())) == ["version", "comment"]

    post_update(erin, action_point, status="done", comment="Happy to pair on it.")

    action_point.refresh_from_db()
    assert action_point.status == OPEN
    assert history(action_point) == [("erin", {}, "Happy to pair on it.", WEB)]


def test_staff_form_has_every_field(staff_client, action_point):
    response = staff_client.get(action_point.get_absolute_url())
    assert form_fields(response) == ["version", "status", "assignee", "due_on", "comment"]
    assert response.context["form"]["assignee"].value() == "bob"


def test_staff_reassigns_and_changes_due_date(staff_client, action_point):
    dave = UserFactory(username="dave", role="attendee")
    old_due, new_due = action_point.due_on, days_from_today(30)

    response = post_update(
        staff_client, action_point, assignee="dave", due_on=new_due, comment="Dave has time."
    )

    assert response.status_code == 302
    action_point.refresh_from_db()
    assert (action_point.assignee, action_point.due_on) == (dave, new_due)
    assert history(action_point) == [
        (
            "alice",
            {"assignee": ["bob", "dave"], "due_on": [old_due.isoformat(), new_due.isoformat()]},
            "Dave has time.",
            WEB,
        )
    ]


def test_staff_can_unassign_and_clear_the_due_date(staff_client, action_point):
    post_update(staff_client, action_point, assignee="", due_on="")

    action_point.refresh_from_db()
    assert (action_point.assignee, action_point.due_on) == (None, None)
    assert history(action_point)[0][1] == {
        "assignee": ["bob", None],
        "due_on": [days_from_today(7).isoformat(), None],
    }


def test_invalid_due_date_is_an_error_next_to_the_field(staff_client, action_point):
    response = post_update(staff_client, action_point, due_on="2026-02-30", comment="Keep me")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": ["Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."]
    }
    assert 'id="id_due_on_error"' in response.content.decode()
    assert response.context["form"]["comment"].value() == "Keep me"
    action_point.refresh_from_db()
    assert (history(action_point), action_point.version) == ([], 1)


@pytest.mark.parametrize("username", ["nobody", "gone"])
def test_unknown_or_inactive_user_is_an_error_next_to_the_field(
    staff_client, action_point, username
):
    UserFactory(username="gone", is_active=False)

    response = post_update(staff_client, action_point, assignee=username)

    assert response.context["form"].errors == {"assignee": [f"No user called “{username}”."]}
    assert 'id="id_assignee_error"' in response.content.decode()
    action_point.refresh_from_db()
    assert (action_point.assignee.username, history(action_point)) == ("bob", [])


# --- Refusals ---------------------------------------------------------------------


@pytest.fixture
def other_attendee(db):
    return UserFactory(username="frank", role="attendee")


@pytest.mark.parametrize("who", ["manager", "outsider", "other_attendee"])
def test_people_who_may_not_update_get_no_form_and_a_403(request, action_point, who):
    client = logged_in(request.getfixturevalue(who))

    page = client.get(action_point.get_absolute_url())
    response = post_update(client, action_point, status="done", comment="Not mine to close")

    assert (page.status_code, form_fields(page)) == (200, None)
    assert 'name="comment"' not in page.content.decode()
    assert response.status_code == 403
    action_point.refresh_from_db()
    assert (action_point.status, history(action_point)) == (OPEN, [])


def test_assignee_without_the_change_permission_is_refused(action_point, outsider):
    """Ownership is not enough: mallory is in no group, so she may change nothing."""
    ActionPoint.objects.filter(pk=action_point.pk).update(assignee=outsider)
    client = logged_in(outsider)

    assert form_fields(client.get(action_point.get_absolute_url())) is None
    assert post_update(client, action_point, status="done").status_code == 403


def test_update_needs_a_csrf_token(action_point, attendee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)

    page = client.get(action_point.get_absolute_url()).content.decode()
    response = post_update(client, action_point, status="done")

    assert 'name="csrfmiddlewaretoken"' in page
    assert response.status_code == 403
    action_point.refresh_from_db()
    assert action_point.status == OPEN


def test_damaged_version_is_a_visible_error(attendee_client, action_point):
    response = post_update(attendee_client, action_point, version="abc", status="done")

    assert response.status_code == 200
    assert "This form was damaged on the way" in response.content.decode()
    action_point.refresh_from_db()
    assert (action_point.status, history(action_point)) == (OPEN, [])


def test_update_url_takes_only_post(attendee_client, action_point):
    response = attendee_client.get(reverse("actions:update", args=[action_point.pk]))
    assert response.status_code == 405


# --- Two people at once -----------------------------------------------------------


def test_a_stale_form_is_refused_naming_the_other_change(attendee_client, staff, action_point):
    staff_client = logged_in(staff)
    seen = attendee_client.get(action_point.get_absolute_url()).context["form"]["version"].value()
    post_update(staff_client, action_point, status="done")
    alices = ActionPointChange.objects.get()
    at = timezone.localtime(alices.changed_at).strftime("%H:%M")

    response = post_update(
        attendee_client, action_point, version=seen, status="in_progress", comment="Started."
    )

    assert response.status_code == 409
    assert f"alice changed status from Open to Done at {at} while you were editing" in (
        response.content.decode()
    )
    action_point.refresh_from_db()
    assert (action_point.status, action_point.version) == (DONE, 2)
    assert history(action_point) == [("alice", {"status": ["Open", "Done"]}, "", WEB)]
    form = response.context["form"]
    kept = (form["status"].value(), form["comment"].value(), form["version"].value())
    assert kept == ("in_progress", "Started.", "2")


def test_saving_again_after_a_stale_refusal_applies_the_change(
    attendee_client, staff, action_point
):
    staff_client = logged_in(staff)
    new_due = days_from_today(30)
    post_update(staff_client, action_point, due_on=new_due)
    refused = post_update(attendee_client, action_point, version=1, status="in_progress")
    resubmitted = refused.context["form"].data

    response = attendee_client.post(reverse("actions:update", args=[action_point.pk]), resubmitted)

    assert response.status_code == 302
    action_point.refresh_from_db()
    assert (action_point.status, action_point.due_on) == (IN_PROGRESS, new_due)
    assert [entry[0] for entry in history(action_point)] == ["alice", "bob"]


def test_a_stale_form_names_every_change_since(attendee_client, staff, action_point):
    staff_client = logged_in(staff)
    new_due = days_from_today(30)
    post_update(staff_client, action_point, due_on=new_due)
    action_point.refresh_from_db()
    post_update(staff_client, action_point, comment="Pushed back: waiting on budget.")

    response = post_update(attendee_client, action_point, version=1, comment="Hello?")

    message = response.context["form"].non_field_errors()[0]
    due = days_from_today(7).isoformat()
    assert re.fullmatch(
        rf"alice changed due date from {due} to {new_due} at \d\d:\d\d; "
        r"alice commented at \d\d:\d\d while you were editing\. Nothing was saved: .*",
        message,
    )
    assert len(history(action_point)) == 2


def test_someone_reassigned_away_while_editing_is_refused(attendee_client, staff, action_point):
    """Permission is checked against the action point as it is now."""
    UserFactory(username="dave", role="attendee")
    post_update(logged_in(staff), action_point, assignee="dave")

    response = post_update(attendee_client, action_point, status="done")

    assert response.status_code == 403
    action_point.refresh_from_db()
    assert (action_point.status, action_point.assignee.username) == (OPEN, "dave")
