"""What the event page costs to build: its long lists written in Python
(``event_pages.templatetags.event_rows``) with the markup the templates wrote, a
fixed set of templates and queries whatever the number of rows, and only what the
lists show loaded."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from actions.models import ActionPoint
from event_pages.templatetags import event_rows
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
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db


def as_shown(html: str) -> str:
    """HTML as a browser shows it: every run of whitespace is one space."""
    return re.sub(r"\s+", " ", str(html)).strip()


@pytest.fixture
def event():
    """An event with a row of every shape the lists show: sessions with and without
    speakers, tags, convenors and labels; takeaways and action points from a talk, an
    open space and the event; overdue, done, unassigned; names needing escapes."""
    event = EventFactory(name="Ops & <Dev> Days", slug="ops-days")
    ada = UserFactory(username="ada", first_name="Ada", last_name="O'Hara")
    bob = UserFactory(username="bob<b>")
    talk = TalkFactory(
        event=event,
        title="Tracing <without> tears",
        kind="keynote",
        speakers=[SpeakerFactory(name="Zoë & Co"), SpeakerFactory(name="Al")],
    )
    talk.tags.add("tracing", "R&D")
    TalkFactory(event=event, title="Plain talk")
    space = OpenSpaceFactory(
        event=event, topic='Hiring "juniors"', convenor="Kim <K>", session_label="Round 1"
    )
    space.tags.add("hiring")
    OpenSpaceFactory(event=event, topic="Unlabelled", convenor="", session_label="Round 2")
    OpenSpaceFactory(event=event, topic="Convened", convenor="Lee", session_label="")
    TakeawayFactory(talk=talk, text="Sample <b>boring</b> traces", author=ada).tags.add("tracing")
    TakeawayFactory(open_space=space, event=event, talk=None, text="Pair them", author=bob)
    TakeawayFactory(event=event, talk=None, text="Whole event & more", author=ada)
    ActionPointFactory(
        event=event, talk=talk, title="Try <tail> sampling", due_on=days_from_today(-3)
    ).tags.add("tracing", "R&D")
    ActionPointFactory(
        event=event,
        open_space=space,
        title="Write the ad",
        status="done",
        assignee=bob,
        due_on=days_from_today(-3),
    )
    ActionPointFactory(event=event, title="Book the room", assignee=ada, due_on=days_from_today(9))
    NoteFactory(talk=talk, title="On <tracing>", author=ada)
    NoteFactory(talk=None, open_space=space, event=event, title="", author=bob)
    NoteFactory(talk=None, event=event, title="The day", author=ada, status=Note.Status.DRAFT)
    return event


def test_takeaway_rows_write_what_the_takeaways_template_wrote(attendee_client, event):
    shown = list(attendee_client.get(event.get_absolute_url()).context["takeaways"])
    expected = render_to_string(
        "talks/_takeaways.html",
        {
            "takeaways": Takeaway.objects.with_listing_relations().newest_first(),
            "show_source": True,
        },
    )
    assert len(shown) == 3
    assert as_shown(event_rows.takeaway_rows(shown)) == as_shown(expected)


def test_action_point_rows_write_what_the_action_points_template_wrote(attendee_client, event):
    shown = list(attendee_client.get(event.get_absolute_url()).context["action_points"])
    everyone = ActionPoint.objects.with_listing_relations().order_by("-created_at", "-pk")
    expected = render_to_string(
        "actions/_action_points.html", {"action_points": everyone, "show_source": True}
    )
    assert len(shown) == 3
    assert as_shown(event_rows.action_point_rows(shown)) == as_shown(expected)
    assert as_shown(event_rows.action_point_rows([], from_text="at this event")) == as_shown(
        render_to_string(
            "actions/_action_points.html", {"action_points": [], "from_text": "at this event"}
        )
    )


def test_sessions_are_listed_with_speakers_tags_and_convenors_escaped(attendee_client, event):
    html = as_shown(attendee_client.get(event.get_absolute_url()).text)
    talk = (
        '<li><a href="/events/ops-days/talks/tracing-without-tears/">Tracing &lt;without&gt; '
        'tears</a> <span class="meta">Keynote · <a href="/speakers/al/">Al</a>, '
        '<a href="/speakers/zoe-co/">Zoë &amp; Co</a></span> <ul class="tags" '
        'aria-label="Tags"><li><a class="tag" href="/tags/rd/">R&amp;D</a></li><li><a '
        'class="tag" href="/tags/tracing/">tracing</a></li></ul> </li>'
    )
    plain = (
        '<li><a href="/events/ops-days/talks/plain-talk/">Plain talk</a> '
        '<span class="meta">Talk</span> </li>'
    )
    spaces = [
        '<li><a href="/events/ops-days/open-spaces/hiring-juniors/">Hiring &quot;juniors&quot;</a>'
        ' <span class="meta">convened by Kim &lt;K&gt; · Round 1</span> <ul class="tags" '
        'aria-label="Tags"><li><a class="tag" href="/tags/hiring/">hiring</a></li></ul> </li>',
        '<li><a href="/events/ops-days/open-spaces/unlabelled/">Unlabelled</a> '
        '<span class="meta">Round 2</span> </li>',
        '<li><a href="/events/ops-days/open-spaces/convened/">Convened</a> '
        '<span class="meta">convened by Lee</span> </li>',
    ]
    assert [part in html for part in (talk, plain, *spaces)] == [True] * 5


def test_scheduled_sessions_are_listed_by_time_and_room(attendee_client, event):
    talk = event.talks.get(title="Plain talk")
    talk.day, talk.starts_at, talk.room = event.starts_on, "09:05", "Room <A>"
    talk.save()
    html = as_shown(attendee_client.get(event.get_absolute_url()).text)
    row = (
        f'<li class="programme-session"> <p class="programme-when"><time datetime='
        f'"{event.starts_on:%Y-%m-%d}T09:05">09:05</time> <span class="programme-room">'
        'Room &lt;A&gt;</span></p> <div class="programme-what"> <a href="/events/ops-days/'
        'talks/plain-talk/">Plain talk</a> <span class="meta">Talk</span> </div> </li>'
    )
    space = (
        '<li class="programme-session"> <p class="programme-when"></p> <div class="programme-'
        'what"> <a href="/events/ops-days/open-spaces/hiring-juniors/">Hiring &quot;juniors'
        '&quot;</a> <span class="meta">Open space · convened by Kim &lt;K&gt; · Round 1</span>'
        ' <ul class="tags" aria-label="Tags"><li><a class="tag" href="/tags/hiring/">hiring'
        "</a></li></ul> </div> </li>"
    )
    assert (row in html, space in html) == (True, True)


def test_notes_on_sessions_and_bylines_are_escaped_and_drafts_marked(client, event):
    ada = event.notes.get(title="The day").author
    client.force_login(ada)
    html = as_shown(client.get(event.get_absolute_url()).text)
    on_talk = event.notes.get(title="On <tracing>")
    untitled = event.notes.get(title="")
    links = [
        f'<li><a href="/events/ops-days/talks/tracing-without-tears/#note-{on_talk.pk}">On '
        '&lt;tracing&gt;</a> <span class="meta">by Ada O&#x27;Hara on <a href="/events/'
        'ops-days/talks/tracing-without-tears/">Tracing &lt;without&gt; tears</a> </span> </li>',
        f'<li><a href="/events/ops-days/open-spaces/hiring-juniors/#note-{untitled.pk}">Hiring '
        '&quot;juniors&quot;</a> <span class="meta">by bob&lt;b&gt;</span> </li>',
    ]
    byline = (
        "<strong>Ada O&#x27;Hara</strong> · The day "
        '<span class="badge">draft, only you can see it</span> <span class="meta">'
    )
    assert [part in html for part in (*links, byline)] == [True] * 3


def test_event_page_renders_the_same_templates_for_few_and_many_rows(attendee_client, event):
    def templates() -> list[str]:
        response = attendee_client.get(event.get_absolute_url())
        return [template.name for template in response.templates]

    few = templates()
    for n in range(10):
        talk = TalkFactory(event=event, speakers=[SpeakerFactory()])
        talk.tags.add(f"tag-{n}")
        OpenSpaceFactory(event=event).tags.add(f"tag-{n}")
        TakeawayFactory(talk=talk).tags.add(f"tag-{n}")
        ActionPointFactory(event=event, talk=talk).tags.add(f"tag-{n}")
        NoteFactory(talk=talk)
        NoteFactory(talk=None, event=event)
    assert templates() == few


def test_each_list_reads_its_tags_and_speakers_in_its_own_query(attendee_client, event):
    with CaptureQueriesContext(connection) as captured:
        attendee_client.get(event.get_absolute_url())
    separate = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith(
            (
                'SELECT "talks_taggedtalk"',
                'SELECT "talks_taggedopenspace"',
                'SELECT "talks_taggedtakeaway"',
                'SELECT "actions_taggedactionpoint"',
                'SELECT ("talks_talk_speakers"',
            )
        )
    ]
    lists = [
        query["sql"].split(".", 1)[0]
        for query in captured.captured_queries
        if query["sql"].startswith(
            (
                'SELECT "talks_talk"',
                'SELECT "talks_openspace"',
                'SELECT "talks_takeaway"',
                'SELECT "actions_actionpoint"',
            )
        )
    ]
    assert (separate, lists) == (
        [],
        [
            'SELECT "talks_talk"',
            'SELECT "talks_openspace"',
            'SELECT "talks_takeaway"',
            'SELECT "actions_actionpoint"',
        ],
    )
