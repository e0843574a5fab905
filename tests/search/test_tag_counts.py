"""The tag use counters (``TagUse``, kept by database triggers) against a fresh count
of the tag links after every kind of write: tags added and removed on each kind,
rows deleted (and cascades), notes turned into drafts and back, tags merged and
renamed, bulk updates, raw SQL, TRUNCATE, rollbacks, and the counters folded."""

import threading

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from actions.models import ActionPoint, TaggedActionPoint
from talks.models import (
    Note,
    TaggedEvent,
    TaggedOpenSpace,
    TaggedTakeaway,
    TaggedTalk,
    TagUse,
    Takeaway,
)
from talks.tag_housekeeping import merge_tags
from tests.factories import (
    ActionPointFactory,
    NoteFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# TagUse column: the link table, and the model whose draft rows do not count.
KINDS = {
    "events": (TaggedEvent, None),
    "talks": (TaggedTalk, None),
    "open_spaces": (TaggedOpenSpace, None),
    "takeaways": (TaggedTakeaway, Takeaway),
    "action_points": (TaggedActionPoint, ActionPoint),
}


def fresh_counts() -> dict[str, dict[str, int]]:
    """Each tag's uses per kind, counted from the links now (no zeros)."""
    counts: dict[str, dict[str, int]] = {}
    for column, (through, model) in KINDS.items():
        links = through.objects.all()
        if model is not None:
            links = links.exclude(content_object__in=model.objects.drafted())
        for name in links.values_list("tag__name", flat=True):
            counts.setdefault(name, {}).setdefault(column, 0)
            counts[name][column] += 1
    return counts


def kept_counts() -> dict[str, dict[str, int]]:
    """Each tag's uses per kind, as the counters say (no zeros)."""
    sums = TagUse.objects.values("tag").annotate(**{c: Sum(c) for c in KINDS})
    names = dict(Tag.objects.values_list("pk", "name"))
    counts: dict[str, dict[str, int]] = {}
    for row in sums:
        kinds = {column: row[column] for column in KINDS if row[column]}
        if kinds:
            counts[names.get(row["tag"], f"gone tag {row['tag']}")] = kinds
    return counts


def assert_exact() -> None:
    assert kept_counts() == fresh_counts()


@pytest.fixture
def tagged():
    """One row of each kind carrying "observability", the takeaway and action point
    also "kubernetes"."""
    talk = TalkFactory()
    event = talk.event
    rows = {
        "event": event,
        "talk": talk,
        "open_space": OpenSpaceFactory(event=event),
        "takeaway": TakeawayFactory(talk=talk),
        "action_point": ActionPointFactory(event=event, talk=talk),
    }
    for row in rows.values():
        row.tags.add("observability")
    rows["takeaway"].tags.add("kubernetes")
    rows["action_point"].tags.add("kubernetes")
    return rows


def test_tags_added_to_each_kind_are_counted(tagged):
    assert kept_counts() == {
        "observability": {
            "events": 1,
            "talks": 1,
            "open_spaces": 1,
            "takeaways": 1,
            "action_points": 1,
        },
        "kubernetes": {"takeaways": 1, "action_points": 1},
    }
    assert_exact()


@pytest.mark.parametrize("kind", ["event", "talk", "open_space", "takeaway", "action_point"])
def test_tags_removed_set_and_cleared_are_uncounted(tagged, kind):
    row = tagged[kind]
    row.tags.remove("observability")
    assert_exact()
    row.tags.set(["tracing", "kubernetes"])
    assert_exact()
    row.tags.clear()
    assert_exact()


@pytest.mark.parametrize("kind", ["talk", "open_space", "takeaway", "action_point"])
def test_deleted_rows_take_their_tags_out_of_the_counts(tagged, kind):
    tagged[kind].delete()
    assert_exact()


def test_deleting_an_event_uncounts_everything_it_cascades_to(tagged):
    tagged["event"].delete()
    assert kept_counts() == {}
    assert_exact()


@pytest.mark.parametrize("kind", ["takeaway", "action_point"])
def test_rows_of_a_draft_note_count_once_it_is_published_and_not_after(kind):
    talk = TalkFactory()
    note = NoteFactory(talk=talk, status=Note.Status.DRAFT)
    if kind == "takeaway":
        row = TakeawayFactory(talk=talk, note=note)
    else:
        row = ActionPointFactory(event=talk.event, talk=talk, note=note)
    row.tags.add("observability")
    assert kept_counts() == {}
    note.status = Note.Status.PUBLISHED
    note.save()
    assert sum(kept_counts()["observability"].values()) == 1
    assert_exact()
    Note.objects.filter(pk=note.pk).update(status=Note.Status.DRAFT)
    assert kept_counts() == {}
    assert_exact()


def test_moving_rows_into_and_out_of_a_draft_note_counts_them(tagged):
    note = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    Takeaway.objects.filter(pk=tagged["takeaway"].pk).update(note=note)
    ActionPoint.objects.filter(pk=tagged["action_point"].pk).update(note=note)
    assert "kubernetes" not in kept_counts()
    assert_exact()
    Takeaway.objects.update(note=None)
    ActionPoint.objects.update(note=None)
    assert_exact()


def test_deleting_notes_draft_or_published_keeps_the_counts_exact(tagged):
    published = NoteFactory(talk=tagged["talk"])
    draft = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    Takeaway.objects.filter(pk=tagged["takeaway"].pk).update(note=published)
    drafted = TakeawayFactory(talk=tagged["talk"], note=draft)
    drafted.tags.add("observability")
    published.delete()  # its takeaway stays, public
    assert_exact()
    draft.delete()  # its takeaway goes with it
    assert_exact()
    assert kept_counts()["kubernetes"] == {"takeaways": 1, "action_points": 1}


def test_merged_and_renamed_tags_move_their_counts(tagged):
    other = TakeawayFactory(talk=tagged["talk"])
    other.tags.add("k8s", "kubernetes")
    tagged["talk"].tags.add("k8s")
    merge_tags(tags=Tag.objects.filter(name="k8s"), into=Tag.objects.get(name="kubernetes"))
    assert kept_counts()["kubernetes"] == {"talks": 1, "takeaways": 2, "action_points": 1}
    assert_exact()
    Tag.objects.filter(name="kubernetes").update(name="Kubernetes", slug="kubernetes-2")
    assert_exact()


def test_bulk_updates_and_bulk_inserts_of_links_are_counted(tagged):
    tracing = Tag.objects.create(name="tracing", slug="tracing")
    TaggedTakeaway.objects.filter(tag__name="observability").update(tag=tracing)
    TaggedTalk.objects.update(content_object=TalkFactory(event=tagged["event"]))
    assert_exact()
    takeaways = TakeawayFactory.create_batch(3, talk=tagged["talk"])
    TaggedTakeaway.objects.bulk_create(
        TaggedTakeaway(content_object=takeaway, tag=tracing) for takeaway in takeaways
    )
    assert kept_counts()["tracing"] == {"takeaways": 4}
    assert_exact()


def test_raw_sql_writes_are_counted_whatever_their_order(tagged):
    takeaway = tagged["takeaway"]
    draft = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO talks_taggedtakeaway (tag_id, content_object_id)"
            " SELECT id, %s FROM taggit_tag WHERE name = 'observability'",
            [TakeawayFactory(talk=tagged["talk"]).pk],
        )
        assert_exact()
        cursor.execute(
            "UPDATE talks_takeaway SET note_id = %s WHERE id = %s", [draft.pk, takeaway.pk]
        )
        assert_exact()
        # Foreign keys are checked at commit: a row may go before its links.
        cursor.execute("DELETE FROM talks_takeaway WHERE id = %s", [takeaway.pk])
        assert_exact()
        cursor.execute(
            "DELETE FROM talks_taggedtakeaway WHERE content_object_id = %s", [takeaway.pk]
        )
        assert_exact()
        cursor.execute("DELETE FROM talks_note WHERE id = %s", [draft.pk])
        cursor.execute("DELETE FROM actions_taggedactionpoint")
        assert_exact()


def test_a_note_deleted_before_its_rows_leaves_them_counted_until_they_go(tagged):
    draft = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    ActionPoint.objects.filter(pk=tagged["action_point"].pk).update(note=draft)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM talks_note WHERE id = %s", [draft.pk])
        assert_exact()
        cursor.execute("UPDATE actions_actionpoint SET note_id = NULL")
        assert_exact()


def test_truncated_link_tables_and_cascades_are_counted_again(tagged):
    with connection.cursor() as cursor:
        # What the fixture wrote is checked now rather than at commit: PostgreSQL
        # truncates no table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE talks_taggedtalk")
        assert_exact()
        cursor.execute("TRUNCATE talks_note CASCADE")  # and takeaways, action points
        assert_exact()
    assert kept_counts() == {"observability": {"events": 1, "open_spaces": 1}}


def test_a_rolled_back_transaction_leaves_the_counts_as_they_were(tagged):
    before = kept_counts()
    with pytest.raises(RuntimeError), transaction.atomic():
        tagged["talk"].delete()
        TakeawayFactory(talk=TalkFactory()).tags.add("tracing")
        raise RuntimeError("rolled back")
    assert kept_counts() == before
    assert_exact()


def test_compacting_folds_the_counters_into_one_row_per_used_tag(tagged):
    tagged["open_space"].tags.add("tracing")
    tagged["open_space"].tags.remove("tracing")
    before = kept_counts()
    TagUse.compact()
    assert kept_counts() == before
    assert sorted(TagUse.objects.values_list("tag__name", flat=True)) == [
        "kubernetes",
        "observability",
    ]


def test_every_500th_write_folds_the_counters_by_itself(tagged):
    tagged["open_space"].tags.add("tracing")
    tagged["open_space"].tags.remove("tracing")
    before = kept_counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('talks_taguse_writes', 499)")  # the next is the 500th
    tagged["talk"].tags.add("tracing")
    # One row per used tag: kubernetes, observability and now tracing.
    assert TagUse.objects.count() == len(before) + 1
    tagged["talk"].tags.remove("tracing")
    assert kept_counts() == before
    assert_exact()


def test_admin_edits_of_a_takeaways_tags_are_counted(tagged, client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    takeaway = tagged["takeaway"]
    response = client.post(
        f"/admin/talks/takeaway/{takeaway.pk}/change/",
        {
            "event": takeaway.event_id,
            "talk": takeaway.talk_id,
            "author": takeaway.author_id,
            "text": takeaway.text,
            "tags": "tracing, observability",
        },
    )
    assert response.status_code == 302
    assert kept_counts()["tracing"] == {"takeaways": 1}
    assert_exact()


def _connect():
    """A connection of its own to the test database, committing as it goes."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tag_added_while_its_note_is_being_published_is_counted():
    """Two transactions at once: one publishes a note, the other tags a takeaway
    written in it. Each trigger counts what it can see, so without a lock neither
    would count the tag; the tagging waits for the publishing to commit."""
    talk = TalkFactory()
    note = NoteFactory(talk=talk, status=Note.Status.DRAFT)
    takeaway = TakeawayFactory(talk=talk, note=note)
    tag = Tag.objects.create(name="observability", slug="observability")
    with _connect() as publishing, _connect() as tagging:
        publishing.execute("UPDATE talks_note SET status = 'published' WHERE id = %s", [note.pk])

        def tag_it() -> None:
            with tagging.transaction():
                tagging.execute(
                    "INSERT INTO talks_taggedtakeaway (tag_id, content_object_id) VALUES (%s, %s)",
                    [tag.pk, takeaway.pk],
                )

        thread = threading.Thread(target=tag_it)
        thread.start()
        thread.join(timeout=0.5)
        waited = thread.is_alive()
        publishing.commit()
        thread.join()
    assert waited
    assert kept_counts() == {"observability": {"takeaways": 1}}
    assert_exact()


# --- What the pages show ------------------------------------------------------------


def test_tag_page_shows_the_counts_and_rows_everyone_may_see(attendee_client):
    talk = TalkFactory()
    draft = NoteFactory(talk=talk, status=Note.Status.DRAFT)
    talk.tags.add("observability")
    TakeawayFactory(talk=talk, text="Published lesson").tags.add("observability")
    TakeawayFactory(talk=talk, note=draft, text="Drafted lesson").tags.add("observability")
    ActionPointFactory(event=talk.event, note=draft).tags.add("observability")
    html = attendee_client.get("/tags/observability/").content.decode()
    assert "Used 2 times" in html
    assert "Published lesson" in html
    assert "Drafted lesson" not in html
    assert 'id="section-action_points"' not in html


def test_tag_page_lists_the_newest_rows_chosen_in_a_subquery(attendee_client):
    """The newest rows are picked apart from the tables joined to show them: in one
    query the planner took longer to order the joins than to run them."""
    talk = TalkFactory()
    for n in range(22):
        TakeawayFactory(talk=talk, text=f"Lesson {n:02}").tags.add("observability")
    with CaptureQueriesContext(connection) as captured:
        response = attendee_client.get("/tags/observability/")
    (listed,) = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT "talks_takeaway"."id"')
    ]
    assert 'WHERE "talks_takeaway"."id" IN (SELECT' in listed
    section = response.context["sections"].takeaways
    assert [takeaway.text for takeaway in section.items] == [
        f"Lesson {n:02}" for n in range(21, 1, -1)
    ]
