"""The dashboard: my follow-ups first, then recent takeaways, events and popular tags."""

import datetime

import pytest

from actions.models import ActionPoint
from search import tag_pages
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries, days_from_today

pytestmark = pytest.mark.django_db


def test_my_follow_ups_are_my_open_ones_overdue_first(attendee_client, attendee):
    event = EventFactory()
    mine = {"event": event, "assignee": attendee}
    ActionPointFactory(title="No date", **mine)
    ActionPointFactory(title="Next week", due_on=days_from_today(7), **mine)
    ActionPointFactory(title="Late", due_on=days_from_today(-3), **mine)
    ActionPointFactory(
        title="Started, late",
        due_on=days_from_today(-1),
        status=ActionPoint.Status.IN_PROGRESS,
        **mine,
    )
    ActionPointFactory(title="Finished", status=ActionPoint.Status.DONE, **mine)
    ActionPointFactory(title="Dropped", status=ActionPoint.Status.DROPPED, **mine)
    ActionPointFactory(title="Someone else's", event=event, assignee=UserFactory())

    response = attendee_client.get("/")

    assert [ap.title for ap in response.context["follow_ups"]] == [
        "Late",
        "Started, late",
        "Next week",
        "No date",
    ]
    assert response.context["follow_up_counts"] == {"open": 4, "overdue": 2}
    assert response.content.count(b'class="is-overdue"') == 2


def test_my_follow_ups_show_due_date_and_source(attendee_client, attendee):
    talk = TalkFactory(title="Chaos engineering")
    ActionPointFactory(
        title="Run a game day",
        event=talk.event,
        talk=talk,
        assignee=attendee,
        due_on=days_from_today(90),
    )
    html = attendee_client.get("/").content.decode()
    due = days_from_today(90)
    assert f"due {due.day} {due:%b %Y}" in html
    assert f'<a href="{talk.get_absolute_url()}">Chaos engineering</a>' in html


def test_recent_takeaways_are_the_newest_ten_with_tags_and_source(attendee_client):
    open_space = OpenSpaceFactory(topic="Hiring juniors")
    for n in range(12):
        TakeawayFactory(
            text=f"Lesson {n}", talk=None, open_space=open_space, event=open_space.event
        )
    newest = TakeawayFactory(text="Pair on interviews", talk=None, open_space=open_space,
                             event=open_space.event)  # fmt: skip
    newest.tags.add("hiring", "culture")

    response = attendee_client.get("/")

    takeaways = response.context["takeaways"]
    assert [t.text for t in takeaways] == ["Pair on interviews"] + [
        f"Lesson {n}" for n in range(11, 2, -1)
    ]
    assert [tag.name for tag in takeaways[0].tag_list] == ["culture", "hiring"]
    html = response.content.decode()
    assert f'<a href="{open_space.get_absolute_url()}">Hiring juniors</a>' in html
    assert '<a class="tag" href="/tags/hiring/">hiring</a>' in html


def test_recent_events_are_the_five_newest(attendee_client):
    for year in range(2019, 2026):
        EventFactory(name=f"Summit {year}", starts_on=datetime.date(year, 6, 1))
    response = attendee_client.get("/")
    assert [e.name for e in response.context["events"]] == [
        "Summit 2025",
        "Summit 2024",
        "Summit 2023",
        "Summit 2022",
        "Summit 2021",
    ]


def test_popular_tags_count_uses_across_all_kinds(attendee_client):
    event = EventFactory()
    TalkFactory(event=event).tags.add("kubernetes")
    OpenSpaceFactory(event=event).tags.add("kubernetes")
    TakeawayFactory(talk=None, event=event).tags.add("kubernetes", "terraform")
    ActionPointFactory(event=event).tags.add("kubernetes", "terraform")
    TakeawayFactory(talk=None, event=event).tags.add("alerting")
    event.tags.add("not-counted-on-events")

    response = attendee_client.get("/")

    assert [(t.name, t.total) for t in response.context["popular_tags"]] == [
        ("kubernetes", 4),
        ("terraform", 2),
        ("alerting", 1),
    ]
    assert b'href="/tags/kubernetes/"' in response.content


def test_popular_tags_are_the_top_twenty(attendee_client):
    event = EventFactory()
    for n in range(25):
        TakeawayFactory(talk=None, event=event).tags.add(*[f"tag-{m:02}" for m in range(n + 1)])
    tags = attendee_client.get("/").context["popular_tags"]
    assert [t.name for t in tags] == [f"tag-{m:02}" for m in range(20)]


def test_popular_tags_count_every_use_not_only_the_latest():
    """Counted from the tag use counters: every use, however long ago."""
    event = EventFactory()
    TakeawayFactory(talk=None, event=event).tags.add("old-favourite")
    TakeawayFactory(talk=None, event=event).tags.add("old-favourite")
    TakeawayFactory(talk=None, event=event).tags.add("new")
    TalkFactory(event=event).tags.add("on-a-talk")
    assert [(t.name, t.total) for t in tag_pages.popular_tags()] == [
        ("old-favourite", 2),
        ("new", 1),
        ("on-a-talk", 1),
    ]


def test_popular_tags_say_what_they_count(attendee_client):
    TakeawayFactory().tags.add("kubernetes")
    html = attendee_client.get("/").content.decode()
    assert '<h2 id="popular-tags">Popular tags</h2>' in html
    assert "How many talks, open spaces, takeaways and follow-ups carry each." in html


def test_empty_dashboard_says_what_to_do_next(attendee_client):
    html = attendee_client.get("/").content.decode()
    assert "Nothing is waiting for you." in html
    assert "No takeaways yet." in html
    assert "No events yet." in html
    assert "No tags in use yet." in html


def test_outsider_sees_the_dashboard(client, outsider):
    client.force_login(outsider)
    ActionPointFactory(title="Mine", assignee=outsider)
    response = client.get("/")
    assert response.status_code == 200
    assert [ap.title for ap in response.context["follow_ups"]] == ["Mine"]


def test_dashboard_runs_the_same_queries_for_3_and_30_rows_in_each_section(
    attendee_client, attendee
):
    def add(n):
        for _ in range(n):
            talk = TalkFactory()
            talk.tags.add("kubernetes", f"talk-{talk.pk}")
            TakeawayFactory(talk=talk, event=talk.event).tags.add("terraform")
            ActionPointFactory(
                event=talk.event, talk=talk, assignee=attendee, due_on=days_from_today(-1)
            ).tags.add("kubernetes")

    add(3)
    few = count_queries(attendee_client, "/")
    add(27)
    assert count_queries(attendee_client, "/") == few
