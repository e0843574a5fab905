"""What building the event page reads: each row's tags and a talk's speakers as
[name, slug] pairs in the row's own query, takeaways and action points named after
sessions from the event's own lists (no join), both lists of notes counted in one
query; the same markup, escaped, and the same number of queries whatever the data."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import ActionPoint
from common.caching import Newest
from event_pages import views
from talks.models import Note, Takeaway
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def as_shown(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def built(client, url: str) -> tuple[str, list[str]]:
    """The page built from the database (no fragment cached), and its queries."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.text, [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def event():
    event = EventFactory(name="Ops & <Dev> Days", slug="ops-days")
    talk = TalkFactory(
        event=event,
        title="Tracing <without> tears",
        speakers=[SpeakerFactory(name="Zoë & Co"), SpeakerFactory(name="Al <b>")],
    )
    talk.tags.add("zeta", "R&D", "<alpha>")
    space = OpenSpaceFactory(event=event, topic='Hiring "juniors"')
    space.tags.add("hiring")
    TakeawayFactory(talk=talk, text="From a talk").tags.add("zeta", "R&D")
    TakeawayFactory(open_space=space, event=event, talk=None, text="From a space")
    ActionPointFactory(event=event, talk=talk, title="On a talk").tags.add("R&D")
    ActionPointFactory(event=event, open_space=space, title="On a space")
    ActionPointFactory(event=event, title="On the event")
    return event


def test_each_list_reads_tags_and_speakers_as_name_slug_pairs_by_name(attendee_client, event):
    context = attendee_client.get(event.get_absolute_url()).context
    talk, space = context["talks"][0], context["open_spaces"][0]
    takeaways = {t.text: t.tag_rows for t in context["takeaways"]}
    action_points = {a.title: a.tag_rows for a in context["action_points"]}
    assert (
        talk.tag_rows,
        talk.speaker_rows,
        space.tag_rows,
        takeaways,
        action_points,
    ) == (
        [["<alpha>", "alpha"], ["R&D", "rd"], ["zeta", "zeta"]],
        [["Al <b>", "al-b"], ["Zoë & Co", "zoe-co"]],
        [["hiring", "hiring"]],
        {"From a talk": [["R&D", "rd"], ["zeta", "zeta"]], "From a space": []},
        {"On a talk": [["R&D", "rd"]], "On a space": [], "On the event": []},
    )


def test_tags_and_speakers_are_linked_and_escaped(attendee_client, event):
    html = as_shown(attendee_client.get(event.get_absolute_url()).text)
    speakers = (
        '<span class="meta">Talk · <a href="/speakers/al-b/">Al &lt;b&gt;</a>, '
        '<a href="/speakers/zoe-co/">Zoë &amp; Co</a></span>'
    )
    tags = (
        '<ul class="tags" aria-label="Tags"><li><a class="tag" href="/tags/alpha/">&lt;alpha&gt;'
        '</a></li><li><a class="tag" href="/tags/rd/">R&amp;D</a></li><li><a class="tag" '
        'href="/tags/zeta/">zeta</a></li></ul>'
    )
    assert (speakers in html, tags in html) == (True, True)


def test_takeaways_and_action_points_name_their_session_without_joining_it(attendee_client, event):
    html, sql = built(attendee_client, event.get_absolute_url())
    lists = [
        query
        for query in sql
        if query.startswith(('SELECT "talks_takeaway"."id"', 'SELECT "actions_actionpoint"."id"'))
    ]
    joined = [q for q in lists if '"talks_talk"' in q or '"talks_openspace"' in q]
    shown = as_shown(html)
    sources = [
        'from <a href="/events/ops-days/talks/tracing-without-tears/">Tracing &lt;without&gt; '
        "tears</a>",
        'from <a href="/events/ops-days/open-spaces/hiring-juniors/">Hiring &quot;juniors&quot;'
        '</a> <span class="meta">(open space)</span>',
        'from <a href="/events/ops-days/">Ops &amp; &lt;Dev&gt; Days</a>',
    ]
    assert (len(lists), joined, [source in shown for source in sources]) == (2, [], [True] * 3)


def test_a_session_missing_from_the_lists_is_read_with_its_rows(event):
    """A talk added after the event's lists were read: its takeaway still names it."""
    late = TalkFactory(event=event, title="Added meanwhile")
    TakeawayFactory(talk=late, text="Late")
    rows = Newest(views._takeaways(event, UserFactory()), 30)
    with CaptureQueriesContext(connection) as captured:
        views._from_sessions(rows, talks=[], open_spaces=[])
    named = {takeaway.text: str(takeaway.source) for takeaway in rows}
    assert (named, len(captured.captured_queries)) == (
        {
            "Late": "Added meanwhile",
            "From a talk": "Tracing <without> tears",
            "From a space": 'Hiring "juniors"',
        },
        # The rows, then the two sessions missing from the (empty) lists.
        3,
    )


def test_notes_are_counted_for_both_lists_in_one_query_as_the_reader_sees_them(client, event):
    reader, other = UserFactory(), UserFactory()
    talk = event.talks.get()
    NoteFactory.create_batch(21, talk=None, event=event)
    NoteFactory.create_batch(30, talk=talk)
    NoteFactory(talk=None, event=event, author=reader, status=Note.Status.DRAFT)
    NoteFactory(talk=talk, author=reader, status=Note.Status.DRAFT)
    NoteFactory(talk=None, event=event, author=other, status=Note.Status.DRAFT)
    NoteFactory(talk=talk, author=other, status=Note.Status.DRAFT)
    client.force_login(reader)
    html, sql = built(client, event.get_absolute_url() + "?session_notes_page=2")
    counts = [q for q in sql if q.startswith("SELECT COUNT(")]
    shown = as_shown(html)
    assert (
        len(counts),
        "<span>Page 1 of 2 (22 notes)</span>" in shown,
        "<span>Page 2 of 2 (31 notes)</span>" in shown,
    ) == (1, True, True)


def test_the_page_runs_the_same_queries_for_few_and_many_rows(attendee_client, event):
    url = event.get_absolute_url()
    NoteFactory(talk=event.talks.get())
    NoteFactory(talk=None, event=event)
    _, few = built(attendee_client, url)
    for n in range(40):
        talk = TalkFactory(event=event, speakers=[SpeakerFactory(), SpeakerFactory()])
        talk.tags.add(f"tag-{n}", "shared")
        OpenSpaceFactory(event=event).tags.add(f"tag-{n}")
        TakeawayFactory(talk=talk).tags.add(f"tag-{n}", "shared")
        ActionPointFactory(event=event, talk=talk).tags.add(f"tag-{n}")
        NoteFactory(talk=talk)
        NoteFactory(talk=None, event=event)
    _, many = built(attendee_client, url)
    # In a test's transaction nothing is cached: no queries for the fragment cache.
    assert (len(few), len(many)) == (11, 11)


def test_rows_shown_are_the_newest_visible_ones(client, event):
    """Drafts' takeaways and action points stay their author's, from the lists too."""
    author = UserFactory()
    draft = NoteFactory(talk=event.talks.get(), author=author, status=Note.Status.DRAFT)
    Takeaway.objects.filter(text="From a talk").update(note=draft)
    ActionPoint.objects.filter(title="On a talk").update(note=draft)
    client.force_login(UserFactory())
    others = client.get(event.get_absolute_url()).context
    client.force_login(author)
    own = client.get(event.get_absolute_url()).context
    assert (
        [t.text for t in others["takeaways"]],
        [a.title for a in others["action_points"]],
        [t.text for t in own["takeaways"]],
    ) == (
        ["From a space"],
        ["On the event", "On a space"],
        ["From a space", "From a talk"],
    )


def test_the_events_own_tags_are_listed_by_name_and_escaped(attendee_client, event):
    event.tags.add("zeta", "<b>old</b> & new")
    html = as_shown(attendee_client.get(event.get_absolute_url()).text)
    tags = (
        '<ul class="tags" aria-label="Tags"><li><a class="tag" href="/tags/boldb-new/">'
        '&lt;b&gt;old&lt;/b&gt; &amp; new</a></li><li><a class="tag" href="/tags/zeta/">zeta'
        "</a></li></ul>"
    )
    assert html.count(tags) == 1
