"""What the progress overview shows of the last twelve months (raised and done per
month, the median time to done) is read from rows kept per published action point
(actions 0021); they stay exactly what computing them afresh gives, after every kind
of write, in the time zone they were kept for; the page counts instead when the
site's zone is another, and shows the same either way."""

import datetime
import importlib
import threading
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DateField, DurationField, ExpressionWrapper, F, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import overview, tallies
from actions.models import ActionPoint
from actions.services import update_action_points
from talks.models import Event, Note
from tests.factories import ActionPointFactory, EventFactory, NoteFactory, UserFactory
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

URL = "/follow-ups/overview/"
DAY = datetime.timedelta(days=1)
Status = ActionPoint.Status
migration = importlib.import_module("actions.migrations.0021_raised_and_done_kept")


def month(n_back: int) -> datetime.date:
    """The first day of the month ``n_back`` months before this one (site's zone)."""
    return overview.month_starts(timezone.localdate())[-1 - n_back]


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def kept() -> dict[int, tuple]:
    """The kept rows: action point id → (month raised, month done, entered done, time to done)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT action_point_id, raised_month, done_month, entered_done, to_done"
            " FROM actions_raised_done"
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def fresh() -> dict[int, tuple]:
    """The same, computed now from the published action points as the page defines
    them (``actions.overview``), in the site's time zone."""
    rows = (
        ActionPoint.objects.public()
        .annotate(
            raised_month=TruncMonth(overview.raised_on(), output_field=DateField()),
            done_month=TruncMonth(TruncDate("completed_at"), output_field=DateField()),
            entered=Case(When(overview.entered_done(), then=Value(True)), default=Value(False)),
            to_done=ExpressionWrapper(
                F("completed_at") - overview.raised_at(), output_field=DurationField()
            ),
        )
        .values_list("pk", "raised_month", "done_month", "entered", "to_done")
    )
    return {pk: tuple(rest) for pk, *rest in rows}


def since() -> datetime.datetime:
    return local(overview.first_month(timezone.localdate()), 0)


def assert_exact() -> None:
    assert kept() == fresh()
    # And what the page reads from them is what counting the rows gives.
    assert overview.recent(since()) == overview.counted_recent(since())


def set_created(action_point: ActionPoint, created: datetime.datetime, completed=None) -> None:
    ActionPoint.objects.filter(pk=action_point.pk).update(
        created_at=created, completed_at=completed
    )


@pytest.fixture
def some(db):
    """Action points raised and done over the last months at two events, one entered
    long after its event (imported), one entered already done, one in a draft note,
    one in a published note."""
    ann = UserFactory(username="ann")
    summit = EventFactory(name="Summit", starts_on=month(6), ends_on=month(6) + DAY)
    live = EventFactory(name="Live", starts_on=month(5), ends_on=days_from_today(0))
    draft = NoteFactory(event=live, talk=None, status=Note.Status.DRAFT)
    published = NoteFactory(event=live, talk=None)
    rows = {
        "open": ActionPointFactory(event=live, assignee=ann),
        "done": ActionPointFactory(event=live, status=Status.DONE),
        "imported": ActionPointFactory(event=summit, status=Status.DONE),
        "entered_done": ActionPointFactory(event=live, status=Status.DONE),
        "in_draft": ActionPointFactory(event=live, note=draft, status=Status.DONE),
        "in_note": ActionPointFactory(event=live, note=published),
    }
    set_created(rows["done"], local(month(3), 10), local(month(2) + 3 * DAY, 12))
    set_created(rows["imported"], local(month(1), 9), local(month(1) + 2 * DAY, 9))
    now = timezone.now()
    set_created(rows["entered_done"], now, now)
    set_created(rows["in_draft"], local(month(2), 9), local(month(2) + DAY, 9))
    set_created(rows["in_note"], local(month(4), 9))
    return {"ann": ann, "summit": summit, "live": live, "draft": draft, "published": published,
            **rows}  # fmt: skip


def test_rows_kept_after_orm_inserts_leave_out_drafts(some):
    assert set(kept()) == {some[k].pk for k in ("open", "done", "imported", "entered_done",
                                                 "in_note")}  # fmt: skip
    to_done = month(1) + 2 * DAY - month(6) + datetime.timedelta(hours=9)
    assert kept()[some["imported"].pk] == (month(6), month(1), False, to_done)
    assert kept()[some["entered_done"].pk][2] is True
    assert_exact()


def test_rows_kept_after_orm_saves_of_status_and_event(some):
    some["open"].status = Status.DONE
    some["open"].save()
    assert_exact()
    some["done"].status = Status.OPEN
    some["done"].event = some["summit"]
    some["done"].save()
    assert_exact()
    some["in_note"].title = "Only the title"  # rewrites nothing, stays exact
    some["in_note"].save()
    assert_exact()


def test_rows_kept_after_bulk_updates_the_admin_action_and_the_service(some, staff, staff_client):
    ActionPoint.objects.filter(event=some["live"]).update(completed_at=None, status=Status.OPEN)
    assert_exact()
    response = staff_client.post(
        reverse("admin:actions_actionpoint_changelist"),
        {"action": "mark_done", "_selected_action": [some["open"].pk, some["in_note"].pk],
         "select_across": "0", "index": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert_exact()
    update_action_points(
        ActionPoint.objects.filter(assignee=some["ann"]), by=staff, status=Status.DROPPED,
        via="admin_bulk",
    )  # fmt: skip
    assert_exact()


def test_rows_kept_after_raw_sql_writes(some):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actions_actionpoint SET created_at = created_at - interval '40 days'"
            " WHERE status = 'done'"
        )
        assert_exact()
        cursor.execute("UPDATE actions_actionpoint SET id = id + 1000 WHERE status = 'open'")
        assert_exact()
        cursor.execute(
            "INSERT INTO actions_actionpoint (title, details, details_html, status, created_at,"
            " completed_at, updated_at, version, event_id, note_id) SELECT 'Copy ' || title,"
            " '', '', status, created_at, completed_at, updated_at, 1, event_id, note_id"
            " FROM actions_actionpoint"
        )
        assert_exact()
        cursor.execute("DELETE FROM actions_actionpoint WHERE status = 'done'")
        assert_exact()


def test_rows_kept_after_deletes_and_cascades(some):
    some["done"].delete()
    assert_exact()
    some["ann"].delete()  # the assignee: their action points stay, unassigned
    assert_exact()
    some["summit"].delete()  # the event: its action points go with it
    assert_exact()
    assert some["imported"].pk not in kept()


def test_rows_kept_when_an_events_days_change(some):
    summit = some["summit"]
    # The imported row was raised on the event's first day: it moves with it.
    summit.starts_on, summit.ends_on = month(8), month(8) + DAY
    summit.save()
    assert kept()[some["imported"].pk][0] == month(8)
    assert_exact()
    # Its last day now after the entry: raised when entered.
    Event.objects.filter(pk=summit.pk).update(ends_on=days_from_today(0))
    assert kept()[some["imported"].pk][0] == month(1)
    assert_exact()


def test_rows_kept_when_a_note_is_published_or_back_to_draft(some):
    draft = some["draft"]
    draft.status = Note.Status.PUBLISHED
    draft.save()
    assert some["in_draft"].pk in kept()
    assert_exact()
    Note.objects.filter(pk=draft.pk).update(status=Note.Status.DRAFT)
    assert some["in_draft"].pk not in kept()
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE talks_note SET status = 'published'")
    assert_exact()


def test_rows_kept_when_notes_are_deleted(some):
    some["draft"].delete()  # its action points go with it
    some["published"].delete()  # its action points stay, public
    assert_exact()


def test_rows_kept_when_a_draft_note_is_deleted_before_its_action_points(some):
    draft = some["draft"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM talks_note WHERE id = %s", [draft.pk])
        assert some["in_draft"].pk in kept()
        assert_exact()
        cursor.execute("DELETE FROM actions_actionpoint WHERE note_id = %s", [draft.pk])
        assert_exact()


def test_rows_kept_when_a_draft_is_inserted_after_its_action_points(some):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("UPDATE actions_actionpoint SET note_id = 999999 WHERE id = %s",
                       [some["open"].pk])  # fmt: skip
        assert some["open"].pk in kept()  # no such note: public
        NoteFactory(pk=999999, event=some["live"], talk=None, status=Note.Status.DRAFT)
        assert some["open"].pk not in kept()
        assert_exact()


def test_rows_kept_after_truncate(some):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE actions_actionpoint CASCADE")
    assert kept() == {}
    ActionPointFactory(event=some["live"])
    assert_exact()


def test_rows_kept_roll_back_with_the_transaction(some):
    before = kept()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPoint.objects.update(status=Status.DROPPED, completed_at=None)
        assert kept() != before
        ActionPointFactory(title="")  # refused by a constraint: all of it rolls back
    assert kept() == before
    assert_exact()


def test_the_migration_fills_the_rows_from_existing_action_points(some):
    expected = kept()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM actions_raised_done")
    migration.fill(None, connection.schema_editor())
    assert kept() == expected
    assert_exact()


def draft_with_an_action_point() -> tuple[Note, ActionPoint]:
    event = EventFactory(starts_on=month(1), ends_on=days_from_today(0))
    draft = NoteFactory(event=event, talk=None, status=Note.Status.DRAFT)
    return draft, ActionPointFactory(event=event, note=draft)


def start_publishing(draft: Note, errors: list[Exception]) -> threading.Thread:
    """The author publishing ``draft`` from another connection, started and given a
    second to block on the caller's locks; what it raises goes into ``errors``."""

    def publish() -> None:
        try:
            Note.objects.filter(pk=draft.pk).update(status=Note.Status.PUBLISHED)
        except Exception as error:  # reported by the callers' assertions
            errors.append(error)
        finally:
            connection.close()

    publisher = threading.Thread(target=publish)
    publisher.start()
    publisher.join(timeout=1)
    return publisher


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_note_published_while_its_action_point_is_being_done_stays_exact():
    # Publishing the note rewrites its action point's row; it must not do so from the
    # version before the other transaction's change (a done one kept as not done):
    # it waits for that transaction, then reads the row as committed.
    draft, action_point = draft_with_an_action_point()
    errors: list[Exception] = []
    with transaction.atomic():
        ActionPoint.objects.filter(pk=action_point.pk).update(
            status=Status.DONE, completed_at=timezone.now()
        )
        publisher = start_publishing(draft, errors)
    publisher.join(timeout=10)
    assert not publisher.is_alive()
    assert errors == []
    assert kept()[action_point.pk][1] == month(0)
    assert_exact()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_change_of_action_points_while_their_note_is_published_both_succeed():
    # A bulk change locks its action points first, then changes them (their triggers
    # lock the note), while the author publishes the note: neither may wait for the
    # other in a circle (one of them would get a deadlock error), and the rows come
    # out as committed.
    draft, action_point = draft_with_an_action_point()
    errors: list[Exception] = []
    with transaction.atomic():
        list(ActionPoint.objects.select_for_update().filter(pk=action_point.pk))
        publisher = start_publishing(draft, errors)
        ActionPoint.objects.filter(pk=action_point.pk).update(
            status=Status.DONE, completed_at=timezone.now()
        )
    publisher.join(timeout=10)
    assert not publisher.is_alive()
    assert errors == []
    assert kept()[action_point.pk][1] == month(0)
    assert_exact()


# --- Time zones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "hour", "minute", "last_day"),
    [
        # 23:30 on the last day of a month, local: the next month in UTC.
        ("America/St_Johns", 23, 30, True),
        # 00:15 on the first day, local: the month before in UTC.
        ("Asia/Kolkata", 0, 15, False),
        ("Asia/Kathmandu", 0, 15, False),
    ],
)
def test_months_are_the_sites_months_in_zones_with_part_hour_offsets(
    zone, hour, minute, last_day, staff_client
):
    with override_settings(TIME_ZONE=zone):
        day = month(2) - DAY if last_day else month(2)
        event = EventFactory(starts_on=month(6), ends_on=days_from_today(0))
        raised = ActionPointFactory(event=event, status=Status.DONE)
        set_created(raised, local(day, hour, minute), local(day, hour, minute) + 2 * DAY)
        # Kept for UTC: the page counts instead, and shows the local months.
        assert tallies.recent(month(11), zone) is None
        shown = [(m.start, m.raised, m.done) for m in staff_client.get(URL).context["months"]]
        expected_month = month(3) if last_day else month(2)
        assert shown == [(expected_month, 1, 0 if last_day else 1)] + (
            [(month(2), 0, 1)] if last_day else []
        )
        # Kept again for the site's zone: the same from the kept rows, exact after writes.
        tallies.rebuild_recent(zone=zone)
        assert tallies.recent(month(11), zone) is not None
        assert [
            (m.start, m.raised, m.done) for m in staff_client.get(URL).context["months"]
        ] == shown
        assert_exact()
        late = ActionPointFactory(event=event)
        set_created(late, local(day, hour, minute))
        assert kept()[late.pk][0] == expected_month
        assert_exact()
    tallies.rebuild_recent(zone="UTC")
    assert_exact()


def test_after_the_sites_zone_changes_the_page_counts_until_rebuilt(some, staff_client):
    def shown() -> str:
        cache.clear()  # built, not served from the fragment cache
        return staff_client.get(URL).content.decode().split("<h1>")[1]

    with override_settings(TIME_ZONE="Asia/Kolkata"):
        counted = shown()
        assert tallies.recent(month(11), "Asia/Kolkata") is None
        tallies.rebuild_recent(zone="Asia/Kolkata")
        assert shown() == counted
    # Back in UTC, the rows kept for Kolkata are not used.
    assert tallies.recent(month(11), "UTC") is None
    assert overview.recent(since()) == overview.counted_recent(since())


# --- What the page shows ---------------------------------------------------------------


def test_page_shows_the_kept_months_and_median_as_counting_gives(some, staff_client):
    context = staff_client.get(URL).context
    # done: raised month(3), done month(2) + 3 days; imported: raised month(6) (its
    # event's first day), done month(1) + 2 days; entered done: left out.
    assert [(m.start, m.raised, m.done) for m in context["months"]] == [
        (month(6), 1, 0),
        (month(4), 1, 0),
        (month(3), 1, 0),
        (month(2), 0, 1),
        (month(1), 0, 1),
        (month(0), 2, 0),
    ]
    done = month(2) + 3 * DAY - month(3) + datetime.timedelta(hours=2)
    imported = month(1) + 2 * DAY - month(6) + datetime.timedelta(hours=9)
    totals = context["totals"]
    assert (totals["done_recently"], totals["entered_done"]) == (2, 1)
    # percentile_cont: halfway between the two.
    assert totals["median_to_done"] == (done + imported) / 2


# --- The tables' rows, written in Python --------------------------------------------

# The loops the template had, which the rows written in Python stand for.
OVERDUE_LOOP = (
    "{% for ap in overdue %}"
    '\n    <tr class="is-overdue">'
    '\n      <td data-label="Follow-up"><a href="{{ ap.get_absolute_url }}">{{ ap.title }}</a></td>'
    '\n      <td data-label="Raised at">{% with session=ap.session %}{% if session %}<a href="'
    '{{ ap.source_url }}">{{ session }}</a> <span class="meta">{% if ap.talk_id %}talk'
    '{% else %}open space{% endif %} at {{ ap.event.name }}</span>{% else %}<a href="'
    '{{ ap.source_url }}">{{ ap.event.name }}</a> <span class="meta">event</span>{% endif %}'
    "{% endwith %}</td>"
    '\n      <td data-label="Assignee">{{ ap.assignee.get_username|default:"Unassigned" }}</td>'
    '\n      <td data-label="Status">{{ ap.get_status_display }}</td>'
    '\n      <td data-label="Due"><time datetime="{{ ap.due_on.isoformat }}">'
    '{{ ap.due_on|date:"DATE_FORMAT" }}</time> <strong class="overdue badge">Overdue</strong>'
    "</td>\n    </tr>\n    {% endfor %}"
)
COUNTS = (
    "\n      <td>{{ row.open }}</td><td>{{ row.in_progress }}</td>"
    '<td>{% if row.overdue %}<strong class="overdue">{{ row.overdue }}</strong>'
    "{% else %}0{% endif %}</td><td>{{ row.done }}</td>"
    "<td>{{ row.dropped }}</td><td>{{ row.total }}</td></tr>\n    {% endfor %}"
)
EVENTS_LOOP = (
    "{% for row in events %}"
    '\n    <tr><th scope="row"><a href="{% url \'actions:list\' %}?scope=all&amp;event='
    '{{ row.event__slug|urlencode }}">{{ row.event__name }}</a> <span class="meta">'
    '{{ row.event__starts_on|date:"M Y" }}</span></th>' + COUNTS
)
ASSIGNEES_LOOP = (
    "{% for row in assignees %}"
    '\n    <tr><th scope="row">{% if row.assignee_id %}<a href="{% url \'actions:list\' %}'
    '?assignee={{ row.assignee__username|urlencode }}">{{ row.assignee__username }}</a>'
    "{% else %}Unassigned{% endif %}</th>" + COUNTS
)


def test_rows_written_in_python_are_the_templates_markup(staff_client):
    from django.template import Context, Template

    from tests.factories import OpenSpaceFactory, TalkFactory

    event = EventFactory(name='Ops <&> "Days"', starts_on=month(1), ends_on=days_from_today(0))
    talk = TalkFactory(event=event, title="Talk <b>&</b>")
    space = OpenSpaceFactory(event=event, topic="Space 'quoted' & <i>")
    odd = UserFactory(username="o'brien+ops@x.org")
    for source, assignee in (({"talk": talk}, odd), ({"open_space": space}, None), ({}, odd)):
        ActionPointFactory(
            event=event, title='Fix <script>"&"', assignee=assignee, status=Status.IN_PROGRESS,
            due_on=days_from_today(-3), **source,
        )  # fmt: skip
    ActionPointFactory(event=EventFactory(name="Quiet"), status=Status.DONE)
    context = staff_client.get(URL).context
    shown = {
        "overdue": list(context["overdue"]),
        "events": context["events"],
        "assignees": context["assignees"],
    }
    assert len(shown["overdue"]) == 3
    assert [row["overdue"] for row in shown["events"]] == [3, 0]
    assert {row["assignee_id"] for row in shown["assignees"]} == {odd.pk, None}
    for loop, written in (
        (OVERDUE_LOOP, overview.overdue_rows(shown["overdue"])),
        (EVENTS_LOOP, overview.event_rows(shown["events"])),
        (ASSIGNEES_LOOP, overview.assignee_rows(shown["assignees"])),
    ):
        assert written == Template(loop).render(Context(shown))


def test_the_page_built_runs_its_pinned_queries(some, staff_client):
    # Of the action points: the kept counts (totals, people, events: 3), the kept
    # months and median (1, two before), what is due from today on per person (1),
    # the overdue list (1) and the overdue ones per event shown (1).
    staff_client.get(URL)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(URL).status_code == 200
    own = [q["sql"] for q in captured.captured_queries if "actions_" in q["sql"]]
    assert len(own) == 7
    assert any("actions_raised_done" in sql for sql in own)


def test_the_command_keeps_the_months_for_the_sites_zone_after_it_changed(some):
    with override_settings(TIME_ZONE="Asia/Kathmandu"):
        assert tallies.recent(month(11), "Asia/Kathmandu") is None
        output = StringIO()
        call_command("keep_overview_months", stdout=output)
        assert output.getvalue() == "Overview months kept for Asia/Kathmandu (were kept for UTC).\n"
        assert tallies.kept_zone() == "Asia/Kathmandu"
        assert overview.recent(since()) == overview.counted_recent(since())
        assert_exact()


def test_migrate_keeps_the_months_for_the_sites_zone_after_it_changed(some):
    # The release step runs migrate: a changed TIME_ZONE needs nothing more.
    with override_settings(TIME_ZONE="Asia/Kathmandu"):
        call_command("migrate", verbosity=0)
        assert tallies.kept_zone() == "Asia/Kathmandu"
        assert overview.recent(since()) == overview.counted_recent(since())
        assert_exact()
    call_command("migrate", verbosity=0)
    assert tallies.kept_zone() == "UTC"
