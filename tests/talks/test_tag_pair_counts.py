"""The tag pair counters (``TagPair``, kept by database triggers) against a fresh count
of the takeaways carrying both tags of each pair, after every kind of write: tags
added, set, removed and cleared, takeaways deleted (and cascades), notes turned into
drafts and back, tags merged, bulk updates and inserts, raw SQL in any order, the
admin, TRUNCATE, rollbacks, folding, and two writers on one takeaway at once."""

import threading
from collections import Counter
from itertools import combinations

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import Sum
from taggit.models import Tag

from talks.models import Note, TaggedTakeaway, TagPair, Takeaway, takeaways_carrying
from talks.tag_housekeeping import merge_tags
from tests.factories import NoteFactory, TakeawayFactory, TalkFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh_pairs() -> dict[tuple[str, str], int]:
    """How many takeaways not of a draft note carry both tags, per pair of tag names
    (in tag id order), counted from the links now."""
    tags: dict[int, list[tuple[int, str]]] = {}
    links = TaggedTakeaway.objects.exclude(content_object__in=Takeaway.objects.drafted())
    for takeaway_id, tag_id, name in links.values_list("content_object_id", "tag_id", "tag__name"):
        tags.setdefault(takeaway_id, []).append((tag_id, name))
    counts: Counter = Counter()
    for carried in tags.values():
        for (_, low), (_, high) in combinations(sorted(carried), 2):
            counts[low, high] += 1
    return dict(counts)


def kept_pairs() -> dict[tuple[str, str], int]:
    """The same, as the counters say (no zeros)."""
    names = dict(Tag.objects.values_list("pk", "name"))
    sums = TagPair.objects.values("low_tag", "high_tag").annotate(n=Sum("takeaways"))
    return {
        (names.get(row["low_tag"], "gone"), names.get(row["high_tag"], "gone")): row["n"]
        for row in sums
        if row["n"]
    }


def assert_exact() -> None:
    assert kept_pairs() == fresh_pairs()


@pytest.fixture
def tagged():
    """Two takeaways of one talk: one tagged observability, kubernetes and tracing,
    the other observability and kubernetes."""
    talk = TalkFactory()
    names = ("observability", "kubernetes", "tracing")
    tags = {name: Tag.objects.create(name=name, slug=name) for name in names}
    first = TakeawayFactory(talk=talk)
    first.tags.add(tags["observability"], tags["kubernetes"], tags["tracing"])
    second = TakeawayFactory(talk=talk)
    second.tags.add(tags["observability"], tags["kubernetes"])
    return {"talk": talk, "first": first, "second": second, **tags}


def test_tags_added_to_takeaways_count_each_pair_they_make(tagged):
    assert kept_pairs() == {
        ("observability", "kubernetes"): 2,
        ("observability", "tracing"): 1,
        ("kubernetes", "tracing"): 1,
    }
    assert_exact()


def test_tags_added_one_at_a_time_count_the_pairs_with_those_already_there(tagged):
    tagged["second"].tags.add("chaos")
    assert kept_pairs()[("observability", "chaos")] == 1
    assert_exact()


def test_tags_removed_set_and_cleared_are_uncounted(tagged):
    first = tagged["first"]
    first.tags.remove("tracing")
    assert_exact()
    first.tags.set(["tracing", "kubernetes", "chaos"])
    assert_exact()
    first.tags.clear()
    assert kept_pairs() == {("observability", "kubernetes"): 1}
    assert_exact()


def test_deleted_takeaways_talks_and_events_take_their_pairs_out(tagged):
    tagged["first"].delete()
    assert_exact()
    tagged["talk"].event.delete()
    assert kept_pairs() == {}
    assert_exact()


def test_deleting_a_tag_takes_its_pairs_out(tagged):
    tagged["tracing"].delete()
    assert kept_pairs() == {("observability", "kubernetes"): 2}
    assert_exact()


def test_takeaways_of_a_draft_note_count_once_it_is_published_and_not_after(tagged):
    note = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    drafted = TakeawayFactory(talk=tagged["talk"], note=note)
    drafted.tags.add("observability", "kubernetes")
    assert kept_pairs()[("observability", "kubernetes")] == 2
    note.status = Note.Status.PUBLISHED
    note.save()
    assert kept_pairs()[("observability", "kubernetes")] == 3
    assert_exact()
    Note.objects.filter(pk=note.pk).update(status=Note.Status.DRAFT)
    assert_exact()


def test_moving_takeaways_into_and_out_of_a_draft_note_counts_them(tagged):
    note = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    Takeaway.objects.filter(pk=tagged["first"].pk).update(note=note)
    assert kept_pairs() == {("observability", "kubernetes"): 1}
    assert_exact()
    Takeaway.objects.update(note=None)
    assert_exact()


def test_deleting_notes_draft_or_published_keeps_the_counts_exact(tagged):
    published = NoteFactory(talk=tagged["talk"])
    draft = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    Takeaway.objects.filter(pk=tagged["first"].pk).update(note=published)
    drafted = TakeawayFactory(talk=tagged["talk"], note=draft)
    drafted.tags.add("observability", "tracing")
    published.delete()  # its takeaway stays, public
    assert_exact()
    draft.delete()  # its takeaway goes with it
    assert_exact()


def test_merged_tags_move_their_pairs(tagged):
    tagged["second"].tags.add("k8s")
    tagged["first"].tags.add("k8s")  # carries kubernetes already: one link fewer
    merge_tags(tags=Tag.objects.filter(name="k8s"), into=tagged["kubernetes"])
    assert kept_pairs() == {
        ("observability", "kubernetes"): 2,
        ("observability", "tracing"): 1,
        ("kubernetes", "tracing"): 1,
    }
    assert_exact()


def test_bulk_updates_and_bulk_inserts_of_links_are_counted(tagged):
    chaos = Tag.objects.create(name="chaos", slug="chaos")
    TaggedTakeaway.objects.filter(tag=tagged["tracing"]).update(tag=chaos)
    assert_exact()
    TaggedTakeaway.objects.filter(content_object=tagged["second"]).update(
        content_object=TakeawayFactory(talk=tagged["talk"])
    )
    assert_exact()
    takeaways = TakeawayFactory.create_batch(3, talk=tagged["talk"])
    TaggedTakeaway.objects.bulk_create(
        TaggedTakeaway(content_object=takeaway, tag=tag)
        for takeaway in takeaways
        for tag in (chaos, tagged["tracing"])
    )
    assert kept_pairs()[("tracing", "chaos")] == 3
    assert_exact()


def test_raw_sql_writes_are_counted_whatever_their_order(tagged):
    first = tagged["first"]
    draft = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO talks_taggedtakeaway (tag_id, content_object_id)"
            " SELECT id, %s FROM taggit_tag WHERE name IN ('observability', 'tracing')",
            [TakeawayFactory(talk=tagged["talk"]).pk],
        )
        assert_exact()
        cursor.execute("UPDATE talks_takeaway SET note_id = %s WHERE id = %s", [draft.pk, first.pk])
        assert_exact()
        cursor.execute("UPDATE talks_takeaway SET note_id = NULL WHERE id = %s", [first.pk])
        assert_exact()
        # Foreign keys are checked at commit: a row may go before its links.
        cursor.execute("DELETE FROM talks_takeaway WHERE id = %s", [first.pk])
        assert_exact()
        cursor.execute("DELETE FROM talks_taggedtakeaway WHERE content_object_id = %s", [first.pk])
        assert_exact()
        cursor.execute("DELETE FROM talks_note WHERE id = %s", [draft.pk])
        assert_exact()


def test_a_drafted_takeaway_deleted_before_its_links_leaves_no_trace(tagged):
    draft = NoteFactory(talk=tagged["talk"], status=Note.Status.DRAFT)
    drafted = TakeawayFactory(talk=tagged["talk"], note=draft)
    drafted.tags.add("observability", "kubernetes", "tracing")
    before = kept_pairs()
    with connection.cursor() as cursor:
        # Foreign keys are checked at commit: a row may go before its links.
        cursor.execute("DELETE FROM talks_takeaway WHERE id = %s", [drafted.pk])
        assert_exact()
        cursor.execute(
            "DELETE FROM talks_taggedtakeaway WHERE content_object_id = %s", [drafted.pk]
        )
        assert kept_pairs() == before
        assert_exact()


def test_truncated_links_and_cascades_are_counted_again(tagged):
    with connection.cursor() as cursor:
        # What the fixture wrote is checked now rather than at commit: PostgreSQL
        # truncates no table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE talks_note CASCADE")  # and takeaways and their links
        assert kept_pairs() == {}
        assert_exact()


def test_a_rolled_back_transaction_leaves_the_counts_as_they_were(tagged):
    before = kept_pairs()
    with pytest.raises(RuntimeError), transaction.atomic():
        tagged["first"].delete()
        TakeawayFactory(talk=tagged["talk"]).tags.add("tracing", "chaos")
        raise RuntimeError("rolled back")
    assert kept_pairs() == before
    assert_exact()


def test_compacting_and_every_500th_write_fold_the_counters_into_one_row_per_pair(tagged):
    tagged["second"].tags.add("chaos")
    tagged["second"].tags.remove("chaos")
    before = kept_pairs()
    TagPair.compact()
    assert kept_pairs() == before
    assert TagPair.objects.count() == 3
    untouched = TagPair.objects.get(low_tag=tagged["observability"], high_tag=tagged["tracing"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('talks_tagpair_writes', 499)")  # the next is the 500th
    tagged["second"].tags.add("chaos")
    assert TagPair.objects.count() == 5  # and observability and kubernetes with chaos
    # Only the pairs written since the last fold were rewritten.
    assert TagPair.objects.filter(pk=untouched.pk, takeaways=1).exists()
    assert_exact()


def test_admin_edits_of_a_takeaways_tags_are_counted(tagged, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    takeaway = tagged["second"]
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
    assert kept_pairs()[("observability", "tracing")] == 2
    assert_exact()


def test_the_count_adds_the_readers_own_drafts_and_no_one_elses(tagged):
    reader, other = UserFactory(), UserFactory()
    for author in (reader, other):
        note = NoteFactory(talk=tagged["talk"], author=author, status=Note.Status.DRAFT)
        TakeawayFactory(talk=tagged["talk"], note=note).tags.add("observability", "kubernetes")
    pair = [tagged["observability"].pk, tagged["kubernetes"].pk]
    assert takeaways_carrying(pair, reader=reader) == 3
    assert takeaways_carrying(pair, reader=UserFactory()) == 2
    assert takeaways_carrying([tagged["tracing"].pk], reader=reader) == 1
    assert takeaways_carrying([*pair, tagged["tracing"].pk], reader=reader) is None


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


def _insert_link(conn, tag: Tag, takeaway: Takeaway) -> None:
    conn.execute(
        "INSERT INTO talks_taggedtakeaway (tag_id, content_object_id) VALUES (%s, %s)",
        [tag.pk, takeaway.pk],
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tags_added_to_one_takeaway_at_once_count_their_pair():
    """Two transactions tag one takeaway at the same moment. Each trigger counts the
    pairs it can see, so without a lock neither would count the pair of the two new
    tags; the second waits for the first to commit."""
    takeaway = TakeawayFactory(talk=TalkFactory())
    first, second = (Tag.objects.create(name=n, slug=n) for n in ("observability", "tracing"))
    with _connect() as tagging, _connect() as other:
        _insert_link(tagging, first, takeaway)

        def tag_it() -> None:
            with other.transaction():
                _insert_link(other, second, takeaway)

        thread = threading.Thread(target=tag_it)
        thread.start()
        thread.join(timeout=0.5)
        waited = thread.is_alive()
        tagging.commit()
        thread.join()
    assert waited
    assert kept_pairs() == {("observability", "tracing"): 1}
    assert_exact()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pair_made_while_its_note_is_being_published_is_counted():
    talk = TalkFactory()
    note = NoteFactory(talk=talk, status=Note.Status.DRAFT)
    takeaway = TakeawayFactory(talk=talk, note=note)
    first, second = (Tag.objects.create(name=n, slug=n) for n in ("observability", "tracing"))
    takeaway.tags.add(first)
    with _connect() as publishing, _connect() as tagging:
        publishing.execute("UPDATE talks_note SET status = 'published' WHERE id = %s", [note.pk])

        def tag_it() -> None:
            with tagging.transaction():
                _insert_link(tagging, second, takeaway)

        thread = threading.Thread(target=tag_it)
        thread.start()
        thread.join(timeout=0.5)
        waited = thread.is_alive()
        publishing.commit()
        thread.join()
    assert waited
    assert kept_pairs() == {("observability", "tracing"): 1}
    assert_exact()
