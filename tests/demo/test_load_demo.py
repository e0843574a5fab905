"""manage.py load_demo: demo users, the demo notes, and action points in demo states."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from actions.models import ActionPoint, ActionPointChange
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk

pytestmark = pytest.mark.django_db

DECISIONS = "Start a decision-record folder in our main service repository"
SAMPLING = "Trial tail-based sampling in the collector for the checkout service"
SLOW_TESTS = 'Publish a weekly "twenty slowest tests" report from CI in the team channel'
FLAGS = "List our feature flags with their owners, and remove the ones older than three months"
INTERVIEWS = (
    "Interview three product teams about what slows down their deployments before we plan "
    "next quarter's platform work"
)
COST_REPORT = "Add tracing and log volume per service to the monthly cost report"
REVIEW_TEMPLATE = (
    "Rewrite our incident review template around questions instead of a root-cause field, and "
    "try it on the next two incidents"
)
LABEL_PAGES = (
    "Label every page for the next month as actionable, not actionable or duplicate, and review "
    "the numbers together"
)
FOLLOW_UPS = (
    "Move the open follow-ups from this year's incident reviews into our tracker, each with one "
    "owner and a due date"
)
DASHBOARDS = (
    "Archive the dashboards nobody has opened in ninety days, and put the question each "
    "remaining one answers at the top"
)
ALERT_EXPIRY = (
    "Give alerts created during an incident a thirty-day expiry unless someone renews them"
)
PLAN_CHECK = (
    "Add a CI check that fails when an infrastructure plan would destroy a database or a "
    "storage bucket"
)


USERNAMES = ["alice", "bob", "carol"]


@pytest.fixture
def load_demo(settings, monkeypatch):
    """Run the command as a developer would (DEBUG on); returns what it printed."""
    settings.DEBUG = True
    monkeypatch.delenv("NOTESITE_DEMO_PASSWORD", raising=False)

    def run() -> str:
        out = StringIO()
        call_command("load_demo", stdout=out)
        return out.getvalue()

    return run


def everything() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Event, Talk, Speaker, OpenSpace, Note, Takeaway, ActionPoint)
    } | {
        "history": ActionPointChange.objects.count(),
        "tagged talks": Talk.tags.through.objects.count(),
        "tagged takeaways": Takeaway.tags.through.objects.count(),
        "tagged action points": ActionPoint.tags.through.objects.count(),
    }


def test_it_creates_the_demo_users_in_their_groups(load_demo):
    load_demo()
    users = User.objects.filter(username__in=USERNAMES).order_by("username")
    assert [
        (u.username, u.get_full_name(), u.email, u.is_staff, list(u.groups.values_list("name")))
        for u in users
    ] == [
        ("alice", "Alice Almeida", "alice@example.com", True, [("staff",)]),
        ("bob", "Bob Brennan", "bob@example.com", False, [("attendee",)]),
        ("carol", "Carol Castillo", "carol@example.com", False, [("manager",)]),
    ]


def logs_in(client: Client, username: str, password: str) -> bool:
    # Through the login page: the login throttle needs the request.
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_demo_users_log_in_with_the_demo_password(load_demo, client):
    load_demo()
    logins = [logs_in(Client(), name, "notesite-demo") for name in USERNAMES]
    assert logins == [True, True, True]


def test_the_password_comes_from_the_environment_when_set(load_demo, client, monkeypatch):
    load_demo()
    monkeypatch.setenv("NOTESITE_DEMO_PASSWORD", "another-demo-secret")
    load_demo()
    assert logs_in(client, "bob", "another-demo-secret")
    assert not logs_in(Client(), "bob", "notesite-demo")


def test_it_prints_a_summary(load_demo):
    assert load_demo() == (
        "Loaded 2 events, 11 talks, 13 speakers, 4 open spaces, 20 notes, 14 takeaways, "
        "12 action points (9 assigned, 4 overdue, 2 done, 2 open and unassigned); 76 new rows "
        "and 28 history entries this run; users alice, bob, carol\n"
    )


def test_it_loads_the_two_events(load_demo):
    load_demo()
    assert [
        (e.name, e.starts_on, e.ends_on, e.place, sorted(e.tags.names()))
        for e in Event.objects.order_by("starts_on")
    ] == [
        (
            "DevOpsDays Oslo",
            datetime.date(2025, 10, 14),
            datetime.date(2025, 10, 15),
            "Oslo, Norway",
            ["conferences", "devops"],
        ),
        (
            "PyCon Lisbon",
            datetime.date(2026, 4, 16),
            datetime.date(2026, 4, 18),
            "Lisbon, Portugal",
            ["conferences", "python"],
        ),
    ]


def talks_of(event_name: str) -> list[tuple[str, str, list[str]]]:
    talks = Talk.objects.filter(event__name=event_name).prefetch_related("speakers")
    return sorted((t.title, t.kind, sorted(s.name for s in t.speakers.all())) for t in talks)


def test_it_loads_the_talks_with_kinds_and_speakers(load_demo):
    load_demo()
    assert talks_of("PyCon Lisbon") == [
        ("Five Minutes on Feature Flags", "ignite", ["Sofia Duarte"]),
        ("Test Suites That Scale With the Team", "talk", ["Jonas Becker", "Priya Raman"]),
        ("The Long Tail of Small Decisions", "keynote", ["Inês Carvalho"]),
        ("Tracing Python Services Without Drowning in Spans", "talk", ["Tomasz Wrona"]),
        ("What Our Incident Reviews Stopped Saying", "keynote", ["Hanna Lindqvist"]),
        ("Your README Is a Runbook", "ignite", ["Daniel Osei"]),
    ]
    assert talks_of("DevOpsDays Oslo") == [
        ("Blameless Is Not a Vibe: Incident Reviews That Change Things", "talk", ["Ola Haugen"]),
        ("On-Call Handovers in Five Sentences", "ignite", ["Emeka Obi"]),
        ("Paging Is a Product", "keynote", ["Kari Nordby"]),
        ("Platform Teams Need Product Managers Too", "talk", ["Arjun Mehta", "Sara Mikkelsen"]),
        ("Twenty Dashboards Nobody Opens", "ignite", ["Lena Berg"]),
    ]


def test_it_loads_the_open_spaces_with_their_convenors(load_demo):
    load_demo()
    assert sorted(OpenSpace.objects.values_list("event__name", "topic", "convenor")) == [
        ("DevOpsDays Oslo", "Error budgets for internal platforms", ""),
        ("DevOpsDays Oslo", "Testing infrastructure changes", ""),
        ("DevOpsDays Oslo", "Which alerts would you delete tomorrow?", "Henrik Aas"),
        ("PyCon Lisbon", "Running an internal platform as a product", "Miguel Antunes"),
    ]


def test_several_attendees_write_notes_on_the_same_sessions(load_demo):
    load_demo()
    tracing = Talk.objects.get(title="Tracing Python Services Without Drowning in Spans")
    assert sorted(tracing.notes.values_list("author__username", flat=True)) == ["alice", "bob"]
    platform = OpenSpace.objects.get(topic="Running an internal platform as a product")
    assert sorted(platform.notes.values_list("author__username", flat=True)) == ["alice", "bob"]
    assert sorted(
        Note.objects.filter(talk=None, open_space=None).values_list("author__username", "title")
    ) == [
        ("alice", "DevOpsDays Oslo 2025 conference notes"),
        ("alice", "PyCon Lisbon 2026: the sessions I keep coming back to"),
        ("bob", "Notes from PyCon Lisbon 2026, day one"),
    ]
    assert Note.objects.exclude(status=Note.Status.PUBLISHED).count() == 0
    assert Note.objects.filter(body_html="").count() == 0


def test_takeaways_and_action_points_are_tagged(load_demo):
    load_demo()
    sources = Takeaway.objects.order_by().values_list("event__name", "author__username")
    assert sorted(sources.distinct()) == [
        ("DevOpsDays Oslo", "alice"),
        ("PyCon Lisbon", "alice"),
        ("PyCon Lisbon", "bob"),
    ]
    assert Takeaway.objects.filter(tags=None).count() == 0
    assert ActionPoint.objects.filter(tags=None).count() == 0
    used = set(Takeaway.tags.through.objects.values_list("tag__name", flat=True))
    assert sorted(used) == [
        "architecture",
        "culture",
        "incident-response",
        "observability",
        "platform",
        "testing",
    ]


def test_action_points_are_in_their_demo_states(load_demo):
    load_demo()
    today = timezone.localdate()
    assigned = ActionPoint.objects.exclude(assignee=None)
    assert sorted(assigned.values_list("assignee__username", "title", "status")) == [
        ("alice", PLAN_CHECK, "open"),
        ("bob", LABEL_PAGES, "in_progress"),
        ("bob", FOLLOW_UPS, "open"),
        ("bob", SLOW_TESTS, "done"),
        ("bob", DECISIONS, "in_progress"),
        ("bob", SAMPLING, "open"),
        ("carol", COST_REPORT, "open"),
        ("carol", INTERVIEWS, "in_progress"),
        ("carol", REVIEW_TEMPLATE, "done"),
    ]
    assert sorted(ActionPoint.objects.overdue().values_list("title", "due_on")) == [
        (ALERT_EXPIRY, today - datetime.timedelta(days=5)),
        (INTERVIEWS, today - datetime.timedelta(days=3)),
        (FOLLOW_UPS, today - datetime.timedelta(days=2)),
        (SAMPLING, today - datetime.timedelta(days=9)),
    ]
    done = ActionPoint.objects.filter(status=ActionPoint.Status.DONE, completed_at__isnull=False)
    assert sorted(done.values_list("title", flat=True)) == [SLOW_TESTS, REVIEW_TEMPLATE]
    assert sorted(ActionPoint.objects.unassigned().values_list("title", "status")) == [
        (DASHBOARDS, "dropped"),
        (ALERT_EXPIRY, "open"),
        (FLAGS, "open"),
    ]


def test_each_change_leaves_a_history_entry(load_demo):
    load_demo()
    history = ActionPointChange.objects.filter(action_point__title=SLOW_TESTS)
    assert [(e.via, e.changed_by.username, e.comment) for e in history] == [
        ("import", "bob", ""),
        ("command", "alice", ""),
        ("command", "bob", "The first report went out on Monday."),
    ]
    assert sorted(history[1].changes) == ["assignee", "due_on"]
    assert history[2].changes == {"status": ["Open", "Done"]}


def test_running_it_twice_duplicates_nothing(load_demo):
    load_demo()
    before = everything()
    output = load_demo()
    assert everything() == before
    assert "; 0 new rows and 0 history entries this run;" in output


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as error:
        call_command("load_demo", stdout=StringIO())
    assert str(error.value) == (
        "load_demo only runs with DEBUG on: it creates users with a known password."
    )
    assert User.objects.filter(username="alice").exists() is False


def test_a_broken_demo_file_stops_it_naming_the_file_and_line(load_demo, monkeypatch, tmp_path):
    from demo.management.commands import load_demo as command

    (tmp_path / "broken.md").write_text(
        "---\nevent: Conf\ndate: 2026-01-05\n---\n\n## Takeaways\n\n* " + "word " * 120
    )
    monkeypatch.setattr(command, "DEMO_DIR", tmp_path)
    monkeypatch.setattr(command, "FILES", (("broken.md", "bob"),))
    with pytest.raises(CommandError) as error:
        load_demo()
    assert str(error.value) == (
        f"{tmp_path / 'broken.md'}, line 8: a takeaway is at most 500 characters (this one "
        "has 599); split it or move the detail into the note."
    )
    assert Event.objects.count() == 0


def test_demo_notes_are_told_apart_by_their_content_when_the_name_does_not_say(
    load_demo, monkeypatch, tmp_path
):
    from demo.management.commands import load_demo as command

    # Front matter and "##" headings: Markdown, whatever the file is called.
    (tmp_path / "notes").write_text(
        (command.DEMO_DIR / "pycon-lisbon-2026-day-one.md").read_text(encoding="utf-8")
    )
    monkeypatch.setattr(command, "DEMO_DIR", tmp_path)
    monkeypatch.setattr(command, "FILES", (("notes", "bob"),))
    monkeypatch.setattr(command, "STATES", {})
    load_demo()
    assert list(Event.objects.values_list("name", flat=True)) == ["PyCon Lisbon"]
    first = ("Five Minutes on Feature Flags", "ignite", ["Sofia Duarte"])
    assert talks_of("PyCon Lisbon")[0] == first
