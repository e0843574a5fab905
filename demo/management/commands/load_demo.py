"""Load demo users and conference notes into a development database."""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from actions.models import ActionPoint, ActionPointChange
from actions.services import update_action_points
from demo.seeding.plan import DEMO_PASSWORD
from imports.importer import ImportProblem, read_path, save_parsed
from talks.models import Note, OpenSpace, Speaker, Takeaway, Talk

DEMO_DIR = Path(__file__).resolve().parents[2] / "notes"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    group: str
    is_staff: bool = False


USERS = (
    DemoUser("alice", "Alice", "Almeida", "staff", is_staff=True),
    DemoUser("bob", "Bob", "Brennan", "attendee"),
    DemoUser("carol", "Carol", "Castillo", "manager"),
)

# Each file is one attendee's notes; two people wrote about PyCon Lisbon, so some of
# its talks have two notes.
FILES = (
    ("pycon-lisbon-2026-day-one.md", "bob"),
    ("pycon-lisbon-2026-alice.md", "alice"),
    ("devopsdays-oslo-2025.txt", "alice"),
)


@dataclass(frozen=True)
class DemoState:
    """Where a demo action point stands: assigned by alice, then moved on by its
    assignee. ``due_in`` is days from today (negative: in the past)."""

    assignee: str | None
    due_in: int | None = None
    status: str = ActionPoint.Status.OPEN
    comment: str = ""


STATES = {
    "Start a decision-record folder in our main service repository": DemoState(
        "bob", 14, ActionPoint.Status.IN_PROGRESS, "Template drafted; first record next week."
    ),
    "Trial tail-based sampling in the collector for the checkout service": DemoState("bob", -9),
    'Publish a weekly "twenty slowest tests" report from CI in the team channel': DemoState(
        "bob", -30, ActionPoint.Status.DONE, "The first report went out on Monday."
    ),
    "Interview three product teams about what slows down their deployments before we plan "
    "next quarter's platform work": DemoState("carol", -3, ActionPoint.Status.IN_PROGRESS),
    "Add tracing and log volume per service to the monthly cost report": DemoState("carol", 21),
    "Rewrite our incident review template around questions instead of a root-cause field, "
    "and try it on the next two incidents": DemoState(
        "carol", -40, ActionPoint.Status.DONE, "Used for the last two reviews; keeping it."
    ),
    "Label every page for the next month as actionable, not actionable or duplicate, and "
    "review the numbers together": DemoState("bob", 7, ActionPoint.Status.IN_PROGRESS),
    "Move the open follow-ups from this year's incident reviews into our tracker, each with "
    "one owner and a due date": DemoState("bob", -2),
    "Archive the dashboards nobody has opened in ninety days, and put the question each "
    "remaining one answers at the top": DemoState(
        None, status=ActionPoint.Status.DROPPED, comment="Grafana already archives them."
    ),
    # So that each of the admin's staff filters finds something: overdue and
    # unassigned (the first thing staff sort out), and alice's own, due this week.
    "Give alerts created during an incident a thirty-day expiry unless someone renews "
    "them": DemoState(None, -5),
    "Add a CI check that fails when an infrastructure plan would destroy a database or a "
    "storage bucket": DemoState("alice", 3),
}


class Command(BaseCommand):
    help = (
        "Load demo users and conference notes, for development only. Refuses to run unless "
        "DEBUG is on. Creates or updates alice (staff, admin access), bob (attendee) and "
        "carol (manager), with the password $NOTESITE_DEMO_PASSWORD or "
        f"'{DEMO_PASSWORD}', reset on every run. Imports the notes in demo/notes/ through "
        "imports.importer, which matches rows already there, so a second run adds "
        "nothing. Then puts some action points in demo states (assigned to bob, carol "
        "or alice, overdue, overdue and unassigned, due this week, done, dropped), with "
        "due dates relative to today; an action point already in its state gets no new "
        "history entry. All or nothing: one transaction."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "load_demo only runs with DEBUG on: it creates users with a known password."
            )
        history_before = ActionPointChange.objects.count()
        with transaction.atomic():
            users = {user.username: self.demo_user(user) for user in USERS}
            created = 0
            events = set()
            for name, author in FILES:
                try:
                    # Markdown or plain text, told apart as import_notes does.
                    parsed = read_path(DEMO_DIR / name).parse()
                except ImportProblem as problem:
                    raise CommandError(str(problem)) from None
                summary = save_parsed(parsed, author=users[author])
                created += sum(summary.created.values())
                events.add(summary.event.pk)
            self.set_states(events, users)
        history = ActionPointChange.objects.count() - history_before
        self.stdout.write(
            f"Loaded {self.describe(events)}; {created} new rows and {history} history entries "
            f"this run; users {', '.join(users)}"
        )

    def demo_user(self, demo: DemoUser) -> User:
        try:
            group = Group.objects.get(name=demo.group)
        except Group.DoesNotExist:
            raise CommandError(
                f"The “{demo.group}” group is missing: run `manage.py migrate` first."
            ) from None
        user, _ = User.objects.get_or_create(username=demo.username)
        user.first_name, user.last_name = demo.first_name, demo.last_name
        user.email = f"{demo.username}@example.com"
        user.is_staff = demo.is_staff
        user.is_active = True
        user.set_password(os.environ.get("NOTESITE_DEMO_PASSWORD") or DEMO_PASSWORD)
        user.save()
        user.groups.set([group])
        return user

    def set_states(self, events: set[int], users: dict[str, User]) -> None:
        today = timezone.localdate()
        via = ActionPointChange.Via.COMMAND
        for title, state in STATES.items():
            found = ActionPoint.objects.filter(event__in=events, title=title)
            if not found.exists():
                raise CommandError(f"No demo action point titled “{title}”.")
            due_on = None if state.due_in is None else today + datetime.timedelta(state.due_in)
            assignee = users[state.assignee] if state.assignee else None
            update_action_points(
                found, by=users["alice"], via=via, assignee=assignee, due_on=due_on
            )
            by = assignee or users["alice"]
            update_action_points(found, by=by, via=via, comment=state.comment, status=state.status)

    def describe(self, events: set[int]) -> str:
        action_points = ActionPoint.objects.filter(event__in=events)
        counts = {
            "events": len(events),
            "talks": Talk.objects.filter(event__in=events).count(),
            "speakers": Speaker.objects.filter(talks__event__in=events).distinct().count(),
            "open spaces": OpenSpace.objects.filter(event__in=events).count(),
            "notes": Note.objects.filter(event__in=events).count(),
            "takeaways": Takeaway.objects.filter(event__in=events).count(),
            "action points": action_points.count(),
        }
        states = (
            f"{action_points.exclude(assignee=None).count()} assigned, "
            f"{action_points.overdue().count()} overdue, "
            f"{action_points.filter(status=ActionPoint.Status.DONE).count()} done, "
            f"{action_points.unassigned().open().count()} open and unassigned"
        )
        return ", ".join(f"{count} {name}" for name, count in counts.items()) + f" ({states})"
