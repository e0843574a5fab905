"""Takeaways and action points written in a draft note stay their author's until the
note is published, then appear together, on every page, feed, email and export."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from actions.models import ActionPoint, ActionPointChange, Notification
from actions.reminders import queue_reminders
from actions.services import update_action_points
from following.digests import send_digests
from notes.services import NewActionPoint, NewTakeaway, update_note, write_note
from talks import drafted
from talks.feeds import feed_key
from talks.models import Follow, Note, Takeaway
from tests.factories import (
    EventFactory,
    NoteFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import days_from_today, logged_in, pages_served_differently_from_the_cache

pytestmark = pytest.mark.django_db

SECRET_TAKEAWAY = "Zeppelin takeaway"
SECRET_ACTION = "Zeppelin follow-up"


@pytest.fixture
def talk():
    talk = TalkFactory(title="Scaling the pager", event=EventFactory(name="Drafty Conf"))
    talk.tags.add("sre")
    return talk


def draft(author, talk, status=Note.Status.DRAFT) -> Note:
    """A note written through the note form's service, with a takeaway and an action
    point, both tagged "sre"."""
    return write_note(
        author=author,
        event=talk.event,
        talk=talk,
        title="Pager notes",
        body="What I heard.",
        status=status,
        takeaways=[NewTakeaway(SECRET_TAKEAWAY, tags=["sre"])],
        action_points=[NewActionPoint(SECRET_ACTION, tags=["sre"], due_on=days_from_today(-2))],
    )


def publish(note: Note) -> Note:
    return update_note(
        note=note, by=note.author, title=note.title, body=note.body, status="published"
    )


def pages(talk) -> list[str]:
    event = talk.event
    return [
        "/",
        event.get_absolute_url(),
        talk.get_absolute_url(),
        "/takeaways/",
        "/takeaways/?tag=sre",
        "/tags/",
        "/tags/sre/",
        "/follow-ups/?scope=all&status=open",
        "/search/?q=zeppelin",
        "/follow-ups/overview/",
        "/follow-ups/export.csv?scope=all",
        f"/events/{event.slug}/report.md",
    ]


def shows_secret(client, url: str) -> bool:
    response = client.get(url)
    if url == "/follow-ups/overview/" and response.status_code == 403:
        return False  # for managers and staff only
    assert response.status_code == 200, url
    content = b"".join(response) if response.streaming else response.content
    return "Zeppelin" in content.decode()


def test_the_note_form_links_what_it_writes_to_the_note(attendee, talk):
    note = draft(attendee, talk)
    assert [t.note for t in Takeaway.objects.all()] == [note]
    assert [ap.note for ap in ActionPoint.objects.all()] == [note]


@pytest.mark.parametrize("reader", ["colleague", "manager", "staff"])
def test_nobody_but_the_author_sees_a_drafts_takeaways_and_action_points(
    reader, attendee, manager, staff, talk
):
    readers = {"colleague": UserFactory(role="attendee"), "manager": manager, "staff": staff}
    draft(attendee, talk)
    client = logged_in(readers[reader])
    assert [url for url in pages(talk) if shows_secret(client, url)] == []


def test_the_author_sees_them_where_they_list_everyones(attendee, talk):
    draft(attendee, talk)
    client = logged_in(attendee)
    shown = [url for url in pages(talk) if shows_secret(client, url)]
    # Tag pages, the overview and exports shared by all show what is published.
    assert shown == [
        "/",
        talk.event.get_absolute_url(),
        talk.get_absolute_url(),
        "/takeaways/",
        "/takeaways/?tag=sre",
        "/search/?q=zeppelin",
    ]


def test_publishing_the_note_shows_them_to_everyone_together(attendee, manager, talk):
    note = draft(attendee, talk)
    publish(note)
    client = logged_in(manager)
    assert [url for url in pages(talk) if not shows_secret(client, url)] == ["/tags/"]


def test_an_action_point_of_someone_elses_draft_is_a_404(attendee, manager, talk):
    draft(attendee, talk)
    ap = ActionPoint.objects.get()
    assert logged_in(manager).get(ap.get_absolute_url()).status_code == 404
    assert logged_in(attendee).get(ap.get_absolute_url()).status_code == 200


def test_feeds_leave_drafted_takeaways_out_until_published(attendee, manager, talk):
    note = draft(attendee, talk)
    client = logged_in(manager)
    feeds = [
        f"{talk.event.get_absolute_url()}feed/?key={feed_key(manager)}",
        f"/tags/sre/feed/?key={feed_key(manager)}",
    ]
    assert [url for url in feeds if shows_secret(client, url)] == []
    publish(note)
    assert [url for url in feeds if shows_secret(client, url)] == feeds


def test_counts_leave_out_someone_elses_drafted_takeaways(attendee, manager, talk):
    draft(attendee, talk)
    TakeawayFactory(talk=talk, event=talk.event, text="Public one")
    from talks.models import Event

    counts = {
        user.username: Event.objects.with_counts(user).get().takeaway_count
        for user in (attendee, manager)
    }
    assert counts == {attendee.username: 2, manager.username: 1}


def test_an_assignee_is_told_when_the_note_is_published_not_before(
    attendee, manager, staff, talk, mailoutbox, django_capture_on_commit_callbacks
):
    note = draft(attendee, talk)
    with django_capture_on_commit_callbacks(execute=True):
        update_action_points(
            ActionPoint.objects.all(),
            by=staff,
            via=ActionPointChange.Via.ADMIN_BULK,
            assignee=manager,
        )
    assert list(Notification.objects.filter(recipient=manager)) == []
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        publish(note)
    assert [n.subject for n in Notification.objects.filter(recipient=manager)] == [
        f"Assigned to you: {SECRET_ACTION}"
    ]
    assert [mail.to for mail in mailoutbox] == [[manager.email]]

    # Back to draft and published again: nobody is told twice.
    update_note(note=note, by=attendee, title=note.title, body=note.body, status="draft")
    publish(note)
    assert Notification.objects.filter(recipient=manager).count() == 1


def test_the_author_hears_of_changes_to_their_drafts_action_points(attendee, staff, talk):
    draft(attendee, talk)
    update_action_points(
        ActionPoint.objects.all(), by=staff, via=ActionPointChange.Via.ADMIN_BULK, status="done"
    )
    assert [n.recipient for n in Notification.objects.all()] == [attendee]


def test_reminders_leave_out_someone_elses_drafts_action_points(attendee, manager, talk):
    draft(attendee, talk)
    colleague = UserFactory(role="attendee")
    ActionPoint.objects.update(assignee=colleague)
    assert queue_reminders().queued == 0
    assert list(Notification.objects.all()) == []

    publish(Note.objects.get())
    assert queue_reminders().queued == 2  # the assignee, and the manager's team list
    assert sorted(n.recipient.username for n in Notification.objects.all()) == sorted(
        [colleague.username, manager.username]
    )


def test_reminders_keep_the_authors_own_draft_action_point(attendee, talk):
    draft(attendee, talk)
    ActionPoint.objects.update(assignee=attendee)
    assert queue_reminders().queued == 1


def test_a_digest_brings_a_takeaway_drafted_before_the_last_one_once_published(
    attendee, manager, talk, mailoutbox
):
    Follow.objects.start(manager, event=talk.event)
    note = draft(attendee, talk)
    now = timezone.now()
    send_digests(now=now + datetime.timedelta(minutes=1))
    assert mailoutbox == []  # nothing published yet

    publish(note)
    Note.objects.filter(pk=note.pk).update(published_at=now + datetime.timedelta(days=7))
    send_digests(now=now + datetime.timedelta(days=8))
    assert [SECRET_TAKEAWAY in mail.body for mail in mailoutbox] == [True]


def test_deleting_a_draft_deletes_what_was_drafted_with_it(attendee, talk):
    note = draft(attendee, talk)
    note.delete()
    assert (Takeaway.objects.count(), ActionPoint.objects.count()) == (0, 0)


def test_deleting_a_published_note_keeps_its_takeaways_and_action_points(attendee, talk):
    note = draft(attendee, talk, status=Note.Status.PUBLISHED)
    note.delete()
    assert [t.note for t in Takeaway.objects.all()] == [None]
    assert [ap.note for ap in ActionPoint.objects.all()] == [None]


def test_the_admin_shows_staff_everything(attendee, staff, talk):
    draft(attendee, talk)
    client = logged_in(staff)
    assert shows_secret(client, "/admin/talks/takeaway/")
    assert shows_secret(client, "/admin/actions/actionpoint/")


# --- Linking what existing notes were written with (the data migration) ---------------


def at(row, moment: datetime.datetime) -> None:
    type(row).objects.filter(pk=row.pk).update(created_at=moment)


def test_existing_rows_join_the_note_they_were_written_with(attendee, talk):
    start = timezone.now() - datetime.timedelta(days=30)
    other_talk = TalkFactory(event=talk.event)
    note = NoteFactory(author=attendee, talk=talk, event=talk.event, status="draft")
    Note.objects.filter(pk=note.pk).update(created_at=start, updated_at=start)
    later = NoteFactory(author=attendee, talk=talk, event=talk.event, status="draft")
    edited = start + datetime.timedelta(days=2)
    Note.objects.filter(pk=later.pk).update(
        created_at=start + datetime.timedelta(days=1), updated_at=edited
    )
    rows = {
        "with the note": TakeawayFactory(author=attendee, talk=talk, event=talk.event),
        "when it was edited": TakeawayFactory(author=attendee, talk=talk, event=talk.event),
        "an hour later": TakeawayFactory(author=attendee, talk=talk, event=talk.event),
        "by someone else": TakeawayFactory(talk=talk, event=talk.event),
        "on another talk": TakeawayFactory(author=attendee, talk=other_talk, event=talk.event),
        "on the event": TakeawayFactory(author=attendee, talk=None, event=talk.event),
    }
    second = datetime.timedelta(seconds=1)
    at(rows["with the note"], start + second)
    at(rows["when it was edited"], edited + second)
    at(rows["an hour later"], start + datetime.timedelta(hours=1))
    for name in ("by someone else", "on another talk", "on the event"):
        at(rows[name], start + second)
    ap = ActionPoint.objects.create(
        title="Raised with it", raised_by=attendee, event=talk.event, talk=talk
    )
    at(ap, start + second)

    linked = drafted.attach_to_notes(
        Takeaway.objects.all(), Note.objects.all(), author_field="author_id"
    )
    drafted.attach_to_notes(
        ActionPoint.objects.all(), Note.objects.all(), author_field="raised_by_id"
    )

    found = {name: Takeaway.objects.get(pk=row.pk).note for name, row in rows.items()}
    assert linked == 2
    assert found == {
        "with the note": note,
        "when it was edited": later,
        "an hour later": None,
        "by someone else": None,
        "on another talk": None,
        "on the event": None,
    }
    assert ActionPoint.objects.get().note == note
    # Linked to a draft, so private now.
    assert list(Takeaway.objects.visible_to(UserFactory()).order_by("pk")) == [
        rows["an hour later"],
        rows["by someone else"],
        rows["on another talk"],
        rows["on the event"],
    ]


# --- The fragment cache -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "first, second",
    [("author", "colleague"), ("colleague", "author"), ("author", "manager"),
     ("manager", "author"), ("author", "staff"), ("staff", "author")],
)  # fmt: skip
def test_no_reader_gets_someone_elses_drafted_items_from_the_cache(first, second, talk):
    cache.clear()
    users = {
        "author": UserFactory(username="bob", role="attendee"),
        "colleague": UserFactory(username="dave", role="attendee"),
        "manager": UserFactory(username="carol", role="manager"),
        "staff": UserFactory(username="alice", role="staff"),
    }
    draft(users["author"], talk)
    ActionPoint.objects.update(assignee=users["author"])
    TakeawayFactory(talk=talk, event=talk.event, text="A published takeaway").tags.add("sre")
    urls = [
        "/", talk.event.get_absolute_url(), talk.get_absolute_url(), "/tags/", "/tags/sre/",
        "/takeaways/", "/takeaways/?tag=sre", "/follow-ups/", "/follow-ups/?scope=all",
        "/search/?q=zeppelin", "/follow-ups/overview/",
    ]  # fmt: skip
    assert pages_served_differently_from_the_cache(users[first], users[second], urls) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migrations_make_rows_written_with_a_draft_private():
    """Run for real: back to before the link, rows as the old code wrote them, and
    forward again (PostgreSQL refuses some schema changes after data changes)."""
    before = [("talks", "0011_takeaway_note"), ("actions", "0010_weekly_digests_in_outbox")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    author = old.get_model("auth", "User").objects.create(username="erin")
    event = old.get_model("talks", "Event").objects.create(
        name="Old Conf", slug="old-conf", starts_on=days_from_today(-9), ends_on=days_from_today(-9)
    )
    notes = old.get_model("talks", "Note").objects
    draft_note = notes.create(author=author, event=event, body="x", status="draft")
    published = notes.create(author=author, event=event, body="y", status="published")
    start = timezone.now() - datetime.timedelta(days=3)
    notes.filter(pk=draft_note.pk).update(created_at=start, updated_at=start)
    takeaways = old.get_model("talks", "Takeaway").objects
    with_draft = takeaways.create(author=author, event=event, text="Drafted")
    alone = takeaways.create(author=author, event=event, text="Alone")
    takeaways.filter(pk=with_draft.pk).update(created_at=start + datetime.timedelta(seconds=1))
    takeaways.filter(pk=alone.pk).update(created_at=start + datetime.timedelta(days=1))
    action_point = old.get_model("actions", "ActionPoint").objects.create(
        title="Drafted too", raised_by=author, event=event
    )
    old.get_model("actions", "ActionPoint").objects.filter(pk=action_point.pk).update(
        created_at=start + datetime.timedelta(seconds=2)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    reader = UserFactory()
    assert list(Takeaway.objects.values_list("text", "note")) == [
        ("Alone", None),
        ("Drafted", draft_note.pk),
    ]
    assert [t.text for t in Takeaway.objects.visible_to(reader)] == ["Alone"]
    assert list(ActionPoint.objects.values_list("note", flat=True)) == [draft_note.pk]
    assert list(ActionPoint.objects.visible_to(reader)) == []
    assert Note.objects.get(pk=published.pk).takeaways.count() == 0


def test_popular_tags_leave_out_the_tags_of_drafted_takeaways(attendee, manager, talk):
    note = write_note(
        author=attendee,
        event=talk.event,
        talk=talk,
        body="Body.",
        takeaways=[NewTakeaway("Quiet one", tags=["hushhush"])],
    )
    client = logged_in(manager)
    assert "hushhush" not in client.get("/").content.decode()
    publish(note)
    assert "hushhush" in client.get("/").content.decode()
