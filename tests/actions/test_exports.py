"""Follow-ups as CSV: from the list with its filters (every page, the same rows the
page shows, under the same rule on whose one may see) and from the admin."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.exports import CSV_CHUNK_SIZE, CSV_HEADER
from actions.models import ActionPoint
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TalkFactory,
    UserFactory,
    make_team_action_points,
)
from tests.helpers import days_from_today, logged_in

pytestmark = pytest.mark.django_db

LIST_URL = "/follow-ups/"
CSV_URL = "/follow-ups/export.csv"
OPEN, IN_PROGRESS = ActionPoint.Status.OPEN, ActionPoint.Status.IN_PROGRESS
DONE, DROPPED = ActionPoint.Status.DONE, ActionPoint.Status.DROPPED


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body, newline="")))


def download(client: Client, query: str = "") -> list[list[str]]:
    """The CSV's rows after its header (which must be the agreed one)."""
    header, *rows = read_csv(client.get(CSV_URL + query))
    assert header == CSV_HEADER
    return rows


def csv_ids(client: Client, query: str = "") -> list[int]:
    return [int(row[0]) for row in download(client, query)]


def page_ids(client: Client, query: str = "") -> list[int]:
    """The ids the follow-ups page lists, across all its pages."""
    ids, number = [], 1
    while True:
        separator = "&" if query else "?"
        response = client.get(f"{LIST_URL}{query}{separator}page={number}")
        page = response.context["page"]
        ids += [ap.pk for ap in page]
        if not page.has_next():
            return ids
        number += 1


def titles(ids: list[int]) -> list[str]:
    by_pk = dict(ActionPoint.objects.filter(pk__in=ids).values_list("pk", "title"))
    return [by_pk[pk] for pk in ids]


def csv_queries(client: Client, query: str = "") -> int:
    """Queries run to send the whole CSV (a streamed body runs them while sent)."""
    with CaptureQueriesContext(connection) as captured:
        read_csv(client.get(CSV_URL + query))
    return len(captured.captured_queries)


# --- The download ----------------------------------------------------------------------


def test_download_is_a_dated_csv_attachment(attendee_client, attendee):
    ActionPointFactory(assignee=attendee)
    response = attendee_client.get(CSV_URL)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="follow-ups-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    assert read_csv(response)[0] == [
        "id",
        "title",
        "status",
        "assignee",
        "due date",
        "overdue",
        "completed at",
        "event",
        "source",
        "raised by",
        "tags",
        "url",
    ]


def test_rows_say_everything_about_each_follow_up(staff, attendee):
    event = EventFactory(name="DevOpsDays Oslo")
    talk = TalkFactory(title="Lean QA", event=event)
    space = OpenSpaceFactory(topic="On-call health", event=event)
    erin = UserFactory(username="erin")
    at_talk = ActionPointFactory(
        title="Try contract tests",
        talk=talk,
        event=event,
        assignee=attendee,
        raised_by=erin,
        due_on=days_from_today(-2),
        status=IN_PROGRESS,
    )
    at_talk.tags.add("testing", "CI")
    done = ActionPointFactory(
        title="Rota review", open_space=space, event=event, assignee=attendee, status=DONE
    )
    at_event = ActionPointFactory(title="Blog about it", event=event, raised_by=None)
    completed = timezone.localtime(ActionPoint.objects.get(pk=done.pk).completed_at)

    rows = download(logged_in(staff), "?scope=all&status=open&status=in_progress&status=done")

    assert rows == [
        [
            str(at_talk.pk),
            "Try contract tests",
            "In progress",
            "bob",
            days_from_today(-2).isoformat(),
            "yes",
            "",
            "DevOpsDays Oslo",
            "Lean QA",
            "erin",
            "CI, testing",
            f"http://testserver/follow-ups/{at_talk.pk}/",
        ],
        [
            str(at_event.pk),
            "Blog about it",
            "Open",
            "",
            "",
            "no",
            "",
            "DevOpsDays Oslo",
            "",
            "",
            "",
            f"http://testserver/follow-ups/{at_event.pk}/",
        ],
        [
            str(done.pk),
            "Rota review",
            "Done",
            "bob",
            "",
            "no",
            f"{completed:%Y-%m-%d %H:%M}",
            "DevOpsDays Oslo",
            "On-call health",
            done.raised_by.username,
            "",
            f"http://testserver/follow-ups/{done.pk}/",
        ],
    ]


def test_links_use_the_host_and_scheme_asked_for(attendee, settings):
    settings.ALLOWED_HOSTS = ["notes.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    action_point = ActionPointFactory(assignee=attendee)
    response = logged_in(attendee).get(
        CSV_URL, HTTP_HOST="notes.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert read_csv(response)[1][-1] == f"https://notes.example.org/follow-ups/{action_point.pk}/"


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tindented", "\rreturn"],
)
def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(attendee_client, attendee, title):
    sneaky = UserFactory(username="-sneaky")
    action_point = ActionPointFactory(title=title, assignee=attendee, raised_by=sneaky)
    action_point.tags.add("=cmd|' /C calc'!A0")
    [row] = download(attendee_client)
    assert row[1] == "'" + title
    assert row[9] == "'-sneaky"
    assert row[10] == "'=cmd|' /C calc'!A0"


def test_harmless_text_is_left_alone(attendee_client, attendee):
    ActionPointFactory(title="Plan Q3 (again), 'with' \"quotes\"", assignee=attendee)
    [row] = download(attendee_client)
    assert row[1] == "Plan Q3 (again), 'with' \"quotes\""


def test_needs_login(client):
    response = client.get(CSV_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_takes_only_get_and_head(attendee_client):
    assert attendee_client.post(CSV_URL).status_code == 405


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("?scope=all&tag=no-such-tag", "Tag: No tag called “no-such-tag”."),
        ("?status=finished", "Status: Select a valid choice. finished is not one of"),
        ("?overdue=maybe", "Overdue: Select a valid choice. maybe is not one of"),
    ],
)
def test_filters_that_cannot_apply_get_a_400_saying_why(manager, query, problem):
    response = logged_in(manager).get(CSV_URL + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert problem in response.content.decode()


# --- The same rows as the page ------------------------------------------------------------


@pytest.fixture
def team(staff, attendee):
    """Action points of several people at two events (as in test_follow_ups)."""
    events = make_team_action_points(staff, attendee)
    oslo, berlin = events["oslo"], events["berlin"]
    ActionPointFactory(
        title="Bob's overdue", event=oslo, assignee=attendee, due_on=days_from_today(-1)
    )
    ActionPoint.objects.get(title="Write up hiring").tags.add("Hiring", "Observability")
    ActionPoint.objects.get(title="Bob's overdue").tags.add("Observability")
    return {"oslo": oslo.slug, "berlin": berlin.slug}


EVERYONES_FILTERS = [
    (
        "?scope=all",
        ["Bob's overdue", "Fix the runbook", "Nobody's yet", "Try a chaos day", "Write up hiring"],
    ),
    ("?scope=mine", ["Fix the runbook"]),
    ("?assignee=alice", ["Fix the runbook"]),
    ("?assignee=bob&status=done&status=in_progress", ["Old idea", "Try a chaos day"]),
    ("?scope=all&status=done", ["Old idea"]),
    (
        "?scope=all&status=open",
        ["Bob's overdue", "Fix the runbook", "Nobody's yet", "Write up hiring"],
    ),
    ("?scope=all&event={oslo}", ["Bob's overdue", "Fix the runbook", "Write up hiring"]),
    ("?scope=all&tag=observability", ["Bob's overdue", "Fix the runbook", "Write up hiring"]),
    ("?scope=all&tag=hiring", ["Write up hiring"]),
    ("?scope=all&overdue=yes", ["Bob's overdue", "Fix the runbook"]),
    ("?scope=all&overdue=no", ["Nobody's yet", "Try a chaos day", "Write up hiring"]),
    ("?scope=all&event={oslo}&tag=observability&overdue=yes", ["Bob's overdue", "Fix the runbook"]),
]


@pytest.mark.parametrize("role", ["manager", "staff"])
@pytest.mark.parametrize(("query", "expected"), EVERYONES_FILTERS)
def test_csv_has_exactly_the_rows_the_page_shows(request, team, role, query, expected):
    client = logged_in(request.getfixturevalue(role))
    query = query.format(**team)
    if role == "manager" and query == "?scope=mine":
        expected = []  # carol has none of her own
    ids = csv_ids(client, query)
    assert ids == page_ids(client, query)
    assert sorted(titles(ids)) == expected


ATTENDEE_FILTERS = [
    ("", ["Bob's overdue", "Try a chaos day"]),
    ("?scope=all", ["Bob's overdue", "Try a chaos day"]),
    ("?assignee=alice", ["Bob's overdue", "Try a chaos day"]),
    ("?scope=all&assignee=dave&status=open", ["Bob's overdue"]),
    ("?scope=all&status=done&status=open", ["Bob's overdue", "Old idea"]),
    ("?scope=all&tag=observability", ["Bob's overdue"]),
    ("?scope=all&overdue=no", ["Try a chaos day"]),
]


@pytest.mark.parametrize(("query", "expected"), ATTENDEE_FILTERS)
def test_attendee_gets_only_their_own_whatever_they_ask_for(team, attendee, query, expected):
    client = logged_in(attendee)
    ids = csv_ids(client, query)
    assert ids == page_ids(client, query)
    assert titles(ids) == expected


def test_csv_has_every_page_not_only_the_first(attendee_client, attendee):
    for n in range(60):
        ActionPointFactory(title=f"Item {n:02}", assignee=attendee, due_on=days_from_today(n + 1))
    ids = csv_ids(attendee_client, "?page=2")
    assert titles(ids) == [f"Item {n:02}" for n in range(60)]
    assert ids == page_ids(attendee_client)


def test_list_page_links_to_the_csv_with_its_filters_and_to_the_calendar(team, manager):
    page = logged_in(manager).get(LIST_URL + "?scope=all&tag=observability").content.decode()
    assert (
        '<a href="/follow-ups/export.csv?scope=all&amp;tag=observability" download>Download CSV</a>'
        in page
    )
    assert '<a href="/follow-ups/calendar/">Subscribe in your calendar</a>' in page


# --- Queries ---------------------------------------------------------------------------


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
            event=event, due_on=days_from_today(n - 2), raised_by=UserFactory(), **session, **fields
        )
        action_point.tags.add("ops", f"topic-{n % 4}")


def test_my_csv_runs_the_same_queries_for_3_and_30_rows(attendee_client, attendee):
    make_follow_ups(3, assignee=attendee)
    few = csv_queries(attendee_client)
    make_follow_ups(27, assignee=attendee)
    assert len(download(attendee_client)) == 30
    assert csv_queries(attendee_client) == few


@pytest.mark.parametrize("query", ["?scope=all", "?scope=all&status=open&tag=ops&overdue=no"])
def test_everyones_csv_runs_the_same_queries_for_3_and_30_rows(manager, query):
    client = logged_in(manager)
    make_follow_ups(3, assignee=UserFactory())
    few = csv_queries(client, query)
    make_follow_ups(27, assignee=UserFactory())
    assert csv_queries(client, query) == few


def test_thousands_of_rows_cost_one_tag_query_per_chunk(manager, attendee):
    event = EventFactory()
    make_follow_ups(1, assignee=attendee)
    client = logged_in(manager)
    one = csv_queries(client, "?scope=all")
    count = 2 * CSV_CHUNK_SIZE + 1
    ActionPoint.objects.bulk_create(
        ActionPoint(title=f"Bulk {n}", event=event, assignee=attendee) for n in range(count)
    )
    rows = download(client, "?scope=all")
    assert len(rows) == count + 1
    assert rows[-1][10] == "" and rows[0][10] == "ops, topic-0"
    # Three chunks instead of one: two more tag queries, nothing else.
    assert csv_queries(client, "?scope=all") == one + 2


# --- The admin's bulk action -----------------------------------------------------------


def export_from_admin(client: Client, action_points: list[ActionPoint]):
    return client.post(
        reverse("admin:actions_actionpoint_changelist"),
        {"action": "export_as_csv", "_selected_action": [ap.pk for ap in action_points]},
    )


def test_admin_exports_the_selected_rows_with_the_same_columns(staff_client, team, staff):
    chosen = list(
        ActionPoint.objects.filter(title__in=["Old idea", "Write up hiring", "Nobody's yet"])
    )
    response = export_from_admin(staff_client, chosen)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="follow-ups-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    header, *rows = read_csv(response)
    assert header == CSV_HEADER
    everything = "?scope=all&status=open&status=done"
    same_rows_from_the_list = {row[0]: row for row in download(staff_client, everything)}
    assert sorted(rows) == sorted(same_rows_from_the_list[str(ap.pk)] for ap in chosen)
    assert sorted(row[1] for row in rows) == ["Nobody's yet", "Old idea", "Write up hiring"]
    write_up = next(row for row in rows if row[1] == "Write up hiring")
    assert write_up[10] == "Hiring, Observability"


def test_admin_export_needs_only_the_view_permission(team):
    # A manager given admin access can view action points but not change them.
    viewer = UserFactory(username="vera", role="manager", is_staff=True)
    client = logged_in(viewer)
    changelist = client.get(reverse("admin:actions_actionpoint_changelist"))
    actions = [
        value for value, _label in changelist.context["action_form"].fields["action"].choices
    ]
    assert "export_as_csv" in actions
    assert "mark_done" not in actions
    _header, *rows = read_csv(export_from_admin(client, list(ActionPoint.objects.all())))
    assert len(rows) == ActionPoint.objects.count()


def test_admin_export_runs_the_same_queries_for_3_and_30_rows(staff_client):
    def queries() -> int:
        everything = list(ActionPoint.objects.all())
        with CaptureQueriesContext(connection) as captured:
            read_csv(export_from_admin(staff_client, everything))
        return len(captured.captured_queries)

    make_follow_ups(3, assignee=UserFactory())
    few = queries()
    make_follow_ups(27, assignee=UserFactory())
    assert queries() == few
