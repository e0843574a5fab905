"""The shape of the queries behind the pages built from the database: what each page
counts, estimates, highlights and joins, so that a page's cost stays bounded however
many rows there are (measured at scale 100 in docs/benchmarks.md)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import ActionPoint
from talks.models import Note, Takeaway
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    NoteFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

Status = ActionPoint.Status


def queries_of(client, url: str, **params) -> tuple[str, list[str]]:
    """The page's HTML and the SQL of every query it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


# --- The tag page -------------------------------------------------------------------


def test_tag_page_reads_its_counts_from_the_counters_instead_of_counting_links(
    attendee_client,
):
    talk = TalkFactory()
    talk.tags.add("observability")
    for _ in range(2):
        TakeawayFactory(talk=talk).tags.add("observability")
    ActionPointFactory(event=talk.event).tags.add("observability")
    html, sql = queries_of(attendee_client, "/tags/observability/")
    counted = [query for query in sql if "COUNT(" in query.upper()]
    assert counted == []
    assert len([query for query in sql if '"talks_taguse"' in query]) == 1
    assert "Used 4 times" in html


def test_tag_page_counts_leave_out_takeaways_of_other_peoples_drafts(attendee_client):
    talk = TalkFactory()
    draft = NoteFactory(talk=talk, status=Note.Status.DRAFT)
    TakeawayFactory(talk=talk, note=draft).tags.add("observability")
    TakeawayFactory(talk=talk).tags.add("observability")
    html, _ = queries_of(attendee_client, "/tags/observability/")
    assert "Used 1 time" in html


def test_drafted_rows_are_looked_up_from_the_rows_with_a_note():
    """With few rows written in a note, the planner starts from those (an index on
    note_id) instead of reading every takeaway to join the drafts."""
    talk, author = TalkFactory(), UserFactory()
    Takeaway.objects.bulk_create(
        Takeaway(talk=talk, event=talk.event, author=author, text=f"Lesson {n}")
        for n in range(3000)
    )
    # Drafts are many more than the rows written in them.
    Note.objects.bulk_create(
        Note(talk=talk, event=talk.event, author=author, body="Draft", status="draft")
        for _ in range(300)
    )
    draft = NoteFactory(talk=talk, status=Note.Status.DRAFT)
    TakeawayFactory(talk=talk, note=draft)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE talks_takeaway; ANALYZE talks_note")
        sql, params = Takeaway.objects.drafted().values("pk").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on talks_takeaway" not in plan
    assert list(Takeaway.objects.drafted().values_list("note", flat=True)) == [draft.pk]


# --- The overview -------------------------------------------------------------------


def test_overview_counts_finished_ones_exactly(staff_client):
    # Kept by triggers (actions.tallies): exact however many, never an estimate.
    summit, meetup = EventFactory(), EventFactory()
    ActionPointFactory.create_batch(5, event=summit, status=Status.DONE)
    ActionPointFactory.create_batch(2, event=meetup, status=Status.DROPPED)
    ActionPointFactory(event=meetup, status=Status.OPEN)
    html = staff_client.get("/follow-ups/overview/").content.decode()
    assert "<dd>8, at 2 events</dd>" in html
    assert "<dd>5 done, 2 dropped</dd>" in html


def test_overview_counts_the_people_with_something_still_to_do(staff_client):
    ann, ben = UserFactory(username="ann"), UserFactory(username="ben")
    ActionPointFactory(assignee=ann, status=Status.OPEN)
    ActionPointFactory(assignee=ben, status=Status.DONE)
    totals = staff_client.get("/follow-ups/overview/").context["totals"]
    assert totals["assignees"] == 1


# --- Search -------------------------------------------------------------------------


def test_search_highlights_only_the_hits_on_the_page_shown(attendee_client):
    talk = TalkFactory(title="Unrelated")
    for n in range(25):
        NoteFactory(talk=talk, title=f"Zebra crossing {n}", body="A zebra in the body.")
    with CaptureQueriesContext(connection) as captured:
        response = attendee_client.get("/search/", {"q": "zebra"})
    shown = list(response.context["page"])
    assert [("<mark>Zebra</mark>" in hit.title) for hit in shown] == [True] * 20
    not_shown = response.context["results"].hits[20:]
    assert [hit.title for hit in not_shown] == [""] * 5
    # Cut in the query that loads each kind's hits on the page: the 20 shown only.
    headlines = [q["sql"] for q in captured.captured_queries if "ts_headline" in q["sql"]]
    ids = [re.search(r"= ANY\('\{([^}]*)\}'", sql)[1] for sql in headlines]
    assert sorted(len(pks.split(",")) for pks in ids if pks) == [20]


def test_search_highlights_each_kind_on_the_page(attendee_client):
    event = EventFactory(name="Zebra summit")
    talk = TalkFactory(event=event, title="Zebra talk")
    NoteFactory(talk=talk, title="Zebra note")
    TakeawayFactory(talk=talk, text="Zebra takeaway")
    ActionPointFactory(event=event, title="Zebra follow-up", details="about a **zebra**")
    shown = list(attendee_client.get("/search/", {"q": "zebra"}).context["page"])
    assert sorted((hit.kind.key, str(hit.title)) for hit in shown) == [
        ("action_point", "<mark>Zebra</mark> follow-up"),
        ("note", "<mark>Zebra</mark> note"),
        ("takeaway", "<mark>Zebra</mark> takeaway"),
        ("talk", "<mark>Zebra</mark> talk"),
    ]
    (follow_up,) = [hit for hit in shown if hit.kind.key == "action_point"]
    assert str(follow_up.snippet) == "about a <mark>zebra</mark>"


# --- Lists --------------------------------------------------------------------------


def test_follow_ups_page_joins_only_its_own_rows(attendee_client, attendee):
    ActionPointFactory.create_batch(30, assignee=attendee, status=Status.OPEN)
    late = ActionPointFactory(assignee=attendee, due_on=days_from_today(-3))
    _, sql = queries_of(attendee_client, "/follow-ups/")
    (joined,) = [
        query
        for query in sql
        if query.startswith('SELECT "actions_actionpoint"."id"') and '"talks_event"."name"' in query
    ]
    # The page's 25 ids, chosen before anything is joined.
    assert len(re.search(r'"actions_actionpoint"\."id" IN \(([^)]*)\)', joined)[1].split(",")) == 25
    rows = list(attendee_client.get("/follow-ups/").context["page"])
    assert (len(rows), rows[0]) == (25, late)


def test_event_page_lists_action_points_without_their_details(attendee_client):
    event = EventFactory()
    ActionPointFactory(event=event, details="Long **details**")
    _, sql = queries_of(attendee_client, event.get_absolute_url())
    (listed,) = [q for q in sql if q.startswith('SELECT "actions_actionpoint"."id"')]
    assert '"details_html"' not in listed
