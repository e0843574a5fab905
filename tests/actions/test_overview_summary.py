"""The counts the progress overview reads (actions.tallies), kept by triggers, stay
exactly what counting the published action points afresh gives, after every kind of
write; and the page shows them."""

import datetime
import importlib

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import tallies
from actions.models import ACTIVE_STATUSES, ActionPoint
from actions.services import update_action_points
from talks.models import Note
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

URL = "/follow-ups/overview/"
Status = ActionPoint.Status
COLUMNS = ("open", "in_progress", "done", "dropped", "undated")
migration = importlib.import_module("actions.migrations.0018_overview_tallies")


def kept() -> dict[str, dict]:
    """The counts as the triggers keep them (``tallies``), per assignee and per event."""
    with connection.cursor() as cursor:
        cursor.execute(tallies.ASSIGNEES)
        assignees = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
        cursor.execute(tallies.EVENTS)
        events = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
    return {"assignees": assignees, "events": events}


def rows_kept() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM actions_assignee_tally)"
            " + (SELECT count(*) FROM actions_event_tally)"
        )
        return cursor.fetchone()[0]


def fresh() -> dict[str, dict]:
    """The same counts, counted now from the published action points."""
    counts = {
        status: Count("pk", filter=Q(status=status)) for status in COLUMNS if status != "undated"
    }
    counts["undated"] = Count("pk", filter=Q(status__in=ACTIVE_STATUSES, due_on__isnull=True))

    def by(field: str) -> dict:
        rows = ActionPoint.objects.public().order_by().values(field).annotate(**counts)
        return {row[field]: tuple(row[c] for c in COLUMNS) for row in rows}

    return {"assignees": by("assignee_id"), "events": by("event_id")}


def assert_exact() -> None:
    assert kept() == fresh()


@pytest.fixture
def some(db):
    """Action points of two events and two people, in every status, one of them in a
    draft note, one in a published note, some with no due date."""
    ann, ben = UserFactory(username="ann"), UserFactory(username="ben")
    summit, meetup = EventFactory(name="Summit"), EventFactory(name="Meetup")
    draft = NoteFactory(event=summit, talk=None, status=Note.Status.DRAFT)
    published = NoteFactory(event=meetup, talk=None)
    rows = [
        ActionPointFactory(event=summit, assignee=ann, due_on=days_from_today(-3)),
        ActionPointFactory(event=summit, assignee=ann, status=Status.IN_PROGRESS),
        ActionPointFactory(event=summit, assignee=None, status=Status.DONE),
        ActionPointFactory(event=meetup, assignee=ben, status=Status.DROPPED),
        ActionPointFactory(event=summit, assignee=ben, note=draft, due_on=None),
        ActionPointFactory(event=meetup, assignee=ann, note=published, due_on=None),
    ]
    return {"ann": ann, "ben": ben, "summit": summit, "meetup": meetup, "draft": draft,
            "published": published, "rows": rows}  # fmt: skip


def test_counts_after_orm_inserts_leave_out_drafts(some):
    assert kept()["assignees"] == {
        some["ann"].pk: (2, 1, 0, 0, 2),
        None: (0, 0, 1, 0, 0),
        some["ben"].pk: (0, 0, 0, 1, 0),
    }
    assert_exact()


def test_counts_after_orm_saves_of_status_assignee_event_and_due_date(some):
    first, second, *_ = some["rows"]
    first.status = Status.DONE
    first.save()
    second.assignee = some["ben"]
    second.event = some["meetup"]
    second.due_on = None
    second.save()
    assert_exact()


def test_counts_after_a_bulk_update_and_the_admins_bulk_action(some, staff_client):
    ActionPoint.objects.filter(event=some["summit"]).update(
        status=Status.DROPPED, completed_at=None
    )
    assert_exact()
    ActionPoint.objects.update(due_on=None)
    assert_exact()
    response = staff_client.post(
        reverse("admin:actions_actionpoint_changelist"),
        {"action": "mark_done", "_selected_action": [ap.pk for ap in some["rows"]],
         "select_across": "0", "index": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert_exact()


def test_counts_after_the_update_service(some, staff):
    update_action_points(
        ActionPoint.objects.filter(assignee=some["ann"]),
        by=staff,
        status=Status.IN_PROGRESS,
        via="admin_bulk",
    )
    assert_exact()


def test_counts_after_raw_sql_writes(some):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_actionpoint SET assignee_id = NULL WHERE status = 'open'")
        assert_exact()
        cursor.execute("DELETE FROM actions_actionpoint WHERE status = 'dropped'")
        assert_exact()
        cursor.execute(
            "INSERT INTO actions_actionpoint (title, details, details_html, status, created_at,"
            " updated_at, version, event_id, note_id) SELECT 'Copy ' || title, '', '', status,"
            " created_at, updated_at, 1, event_id, note_id FROM actions_actionpoint"
            " WHERE status <> 'done'"
        )
        assert_exact()


def test_counts_after_deletes_and_cascades(some):
    some["rows"][0].delete()
    assert_exact()
    ActionPoint.objects.filter(status=Status.DONE).delete()
    assert_exact()
    some["ann"].delete()  # the assignee: their action points become unassigned
    assert_exact()
    some["meetup"].delete()  # the event: its action points go with it
    assert_exact()
    assert some["meetup"].pk not in kept()["events"]


def test_counts_when_a_note_is_published_or_back_to_draft(some):
    draft = some["draft"]
    draft.status = Note.Status.PUBLISHED
    draft.save()
    assert kept()["assignees"][some["ben"].pk] == (1, 0, 0, 1, 1)
    assert_exact()
    Note.objects.filter(pk=draft.pk).update(status=Note.Status.DRAFT)
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE talks_note SET status = 'published'")
    assert_exact()


def test_counts_when_notes_are_deleted(some):
    some["draft"].delete()  # its action points go with it
    some["published"].delete()  # its action points stay, public
    assert_exact()
    assert ActionPoint.objects.count() == 5


def test_counts_when_a_draft_note_is_deleted_before_its_action_points(some):
    # Foreign keys are checked at commit: for a moment the action point has no note
    # (and so counts, as public() says), then it goes too.
    draft = some["draft"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM talks_note WHERE id = %s", [draft.pk])
        assert_exact()
        cursor.execute("DELETE FROM actions_actionpoint WHERE note_id = %s", [draft.pk])
        assert_exact()


def test_counts_after_truncate(some):
    with connection.cursor() as cursor:
        # Deferred triggers (content versions) must run before a TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE actions_actionpoint CASCADE")
    assert kept() == {"assignees": {}, "events": {}}
    ActionPointFactory(assignee=some["ann"])
    assert_exact()


def test_counts_roll_back_with_the_transaction(some):
    before = kept()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPoint.objects.update(status=Status.DROPPED, completed_at=None)
        assert kept() != before
        ActionPointFactory(title="")  # refused by a constraint: all of it rolls back
    assert kept() == before
    assert_exact()


def test_folding_keeps_the_counts_in_one_row_per_key(some):
    ActionPoint.objects.update(status=Status.DROPPED, completed_at=None)
    ActionPoint.objects.filter(assignee=some["ann"]).update(status=Status.OPEN)
    before = kept()
    with connection.cursor() as cursor:
        cursor.execute("SELECT actions_tally_fold()")
    assert kept() == before
    # ann, ben, the unassigned; two events.
    assert rows_kept() == 5
    assert_exact()


def test_every_so_many_writes_fold_the_rows(some):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('actions_tally_writes', %s)", [migration.FOLD_EVERY * 10 - 1])
    some["rows"][0].delete()  # the FOLD_EVERY-th write
    assert rows_kept() == 5
    assert_exact()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_of_the_same_person_and_event_do_not_wait_for_each_other():
    # Writes append to the counts instead of updating a shared row: a row per person
    # held until commit made writers wait, and crossed bulk changes deadlock.
    ann, event = UserFactory(), EventFactory()
    first, second = ActionPointFactory.create_batch(2, assignee=ann, event=event)
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            ActionPoint.objects.filter(pk=first.pk).update(status=Status.IN_PROGRESS)
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(
                    "UPDATE actions_actionpoint SET status = 'in_progress' WHERE id = %s",
                    [second.pk],
                )
    finally:
        other.close()
    assert kept()["assignees"] == {ann.pk: (0, 2, 0, 0, 2)}
    assert_exact()


def test_the_migration_fills_the_counts_from_existing_rows(some):
    expected = kept()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM actions_assignee_tally; DELETE FROM actions_event_tally")
        cursor.execute(migration.FILL)
    assert kept() == expected
    assert_exact()


# --- What the page shows ------------------------------------------------------------


def test_page_shows_exact_counts_without_drafts(some, staff_client):
    response = staff_client.get(URL)
    totals = response.context["totals"]
    assert {k: totals[k] for k in ("open", "in_progress", "done", "dropped", "total")} == {
        "open": 2,
        "in_progress": 1,
        "done": 1,
        "dropped": 1,
        "total": 5,
    }
    html = response.content.decode()
    assert "<dd>5, at 2 events</dd>" in html
    assert "<dd>1 done, 1 dropped</dd>" in html


def test_page_counts_overdue_from_what_is_due_later_and_undated(some, staff_client):
    ann = some["ann"]
    ActionPointFactory(event=some["summit"], assignee=ann, due_on=days_from_today(0))
    ActionPointFactory(event=some["summit"], assignee=ann, due_on=days_from_today(-1))
    context = staff_client.get(URL).context
    # ann: overdue 3 days and yesterday; due today, undated and in progress are not.
    assert context["totals"]["overdue"] == 2
    rows = {r["assignee__username"]: (r["active"], r["overdue"]) for r in context["assignees"]}
    assert rows == {"ann": (5, 2), "ben": (0, 0), None: (0, 0)}
    events = {r["event__name"]: (r["active"], r["overdue"]) for r in context["events"]}
    assert events == {"Summit": (4, 2), "Meetup": (1, 0)}


def test_page_shows_large_counts_exactly_with_thousands_separators(staff_client):
    event = EventFactory()
    done_at = timezone.now() - datetime.timedelta(days=1)
    ActionPoint.objects.bulk_create(
        ActionPoint(title=f"Done {n}", event=event, status=Status.DONE, completed_at=done_at)
        for n in range(1001)
    )
    html = staff_client.get(URL).content.decode()
    assert "<dd>1,001, at 1 event</dd>" in html
    assert "<dd>1,001 done, 0 dropped</dd>" in html


def test_overview_queries_do_not_grow_with_the_overdue_rows_shown(staff_client):
    # The overdue list loads only the columns it shows: a column left out would cost
    # a query per row.
    def overdue_at(source: dict) -> None:
        ActionPointFactory(assignee=UserFactory(), due_on=days_from_today(-2), **source)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(URL).status_code == 200
        return len(captured.captured_queries)

    talk, open_space = TalkFactory(), OpenSpaceFactory()
    overdue_at({"event": talk.event, "talk": talk})
    staff_client.get(URL)
    one = queries()
    overdue_at({"event": open_space.event, "open_space": open_space})
    overdue_at({"event": EventFactory()})
    overdue_at({"event": talk.event, "talk": talk})
    assert queries() == one
    html = staff_client.get(URL).content.decode()
    assert html.count('<tr class="is-overdue">') == 4
    assert f'{open_space.topic}</a> <span class="meta">open space at' in html
