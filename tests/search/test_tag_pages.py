"""/tags/ (every tag with its uses by kind) and /tags/<slug>/ (what carries one)."""

import pytest
from taggit.models import Tag

from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def rows(response) -> list[tuple]:
    return [
        (
            t.name,
            t.talk_count,
            t.open_space_count,
            t.takeaway_count,
            t.action_point_count,
            t.total,
        )
        for t in response.context["page"]
    ]


def test_tag_list_counts_each_kind_most_used_first_unused_last(attendee_client):
    event = EventFactory()
    TalkFactory(event=event).tags.add("devops")
    TalkFactory(event=event).tags.add("devops", "zeta")
    TakeawayFactory(talk=None, event=event).tags.add("devops", "alpha")
    OpenSpaceFactory(event=event).tags.add("alpha")
    ActionPointFactory(event=event).tags.add("alpha")
    Tag.objects.create(name="forgotten")

    response = attendee_client.get("/tags/")

    assert rows(response) == [
        ("alpha", 0, 1, 1, 1, 3),
        ("devops", 2, 0, 1, 0, 3),
        ("zeta", 1, 0, 0, 0, 1),
        ("forgotten", 0, 0, 0, 0, 0),
    ]
    html = response.content.decode()
    assert '<a class="tag" href="/tags/alpha/">alpha</a>' in html
    assert '<a class="tag" href="/tags/forgotten/">forgotten</a> <span class="meta">unused' in html


def test_a_tag_only_on_events_is_not_called_unused(attendee_client):
    EventFactory().tags.add("conferences")
    response = attendee_client.get("/tags/")
    assert rows(response) == [("conferences", 0, 0, 0, 0, 0)]
    assert "only on events" in response.content.decode()
    detail = attendee_client.get("/tags/conferences/").content.decode()
    assert 'and on <a href="/events/?tag=conferences">1 event</a>' in detail
    assert "Nothing carries this tag yet." not in detail


def test_staff_get_a_link_to_clean_up_tags(staff_client):
    Tag.objects.create(name="forgotten")
    assert b'href="/admin/taggit/tag/"' in staff_client.get("/tags/").content


def test_attendees_get_no_admin_link(attendee_client):
    Tag.objects.create(name="forgotten")
    assert b"/admin/" not in attendee_client.get("/tags/").content


def test_tag_list_is_paginated_100_a_page(attendee_client):
    Tag.objects.bulk_create(Tag(name=f"tag {n:03}", slug=f"tag-{n:03}") for n in range(105))
    assert len(attendee_client.get("/tags/").context["page"]) == 100
    assert len(attendee_client.get("/tags/?page=2").context["page"]) == 5
    assert len(attendee_client.get("/tags/?page=nonsense").context["page"]) == 100
    assert len(attendee_client.get("/tags/?page=-4").context["page"]) == 5


def test_empty_tag_list_says_where_tags_come_from(attendee_client):
    assert "No tags yet." in attendee_client.get("/tags/").content.decode()


def test_tag_list_runs_the_same_queries_for_3_and_30_tags(attendee_client):
    def add(first, last):
        event = EventFactory()
        for n in range(first, last):
            TalkFactory(event=event).tags.add(f"talk-{n}")
            TakeawayFactory(talk=None, event=event).tags.add(f"takeaway-{n}", f"talk-{n}")

    add(0, 3)
    few = count_queries(attendee_client, "/tags/")
    add(3, 30)
    assert count_queries(attendee_client, "/tags/") == few


def sections(response) -> list[tuple]:
    return [
        (section.key, section.count, [str(item) for item in section.items])
        for section in response.context["sections"]
    ]


def test_tag_page_lists_everything_carrying_the_tag_by_kind(attendee_client):
    event = EventFactory()
    TalkFactory(event=event, title="Kubernetes at scale").tags.add("kubernetes")
    TalkFactory(event=event, title="Hiring")
    OpenSpaceFactory(event=event, topic="Helm or not").tags.add("kubernetes", "helm")
    TakeawayFactory(talk=None, event=event, text="Pin your charts.").tags.add("Kubernetes")
    ActionPointFactory(event=event, title="Upgrade the cluster").tags.add("kubernetes")
    ActionPointFactory(event=event, title="Untagged")

    response = attendee_client.get("/tags/kubernetes/")

    assert response.status_code == 200
    assert sections(response) == [
        ("talks", 1, ["Kubernetes at scale"]),
        ("open_spaces", 1, ["Helm or not"]),
        ("takeaways", 1, ["Pin your charts."]),
        ("action_points", 1, ["Upgrade the cluster"]),
    ]
    html = response.content.decode()
    assert "<title>Tag: kubernetes · Notesite</title>" in html
    assert '<a class="tag" href="/tags/helm/">helm</a>' in html


def test_tag_page_shows_the_newest_20_of_each_kind_and_links_to_the_full_lists(
    attendee_client,
):
    event = EventFactory()
    for n in range(22):
        TakeawayFactory(talk=None, event=event, text=f"Lesson {n:02}").tags.add("sre")
        ActionPointFactory(event=event, title=f"Do {n:02}").tags.add("sre")
        TalkFactory(event=event, title=f"Talk {n:02}").tags.add("sre")

    response = attendee_client.get("/tags/sre/")

    by_key = {section.key: section for section in response.context["sections"]}
    assert [t.text for t in by_key["takeaways"].items] == [
        f"Lesson {n:02}" for n in range(21, 1, -1)
    ]
    assert [ap.title for ap in by_key["action_points"].items] == [
        f"Do {n:02}" for n in range(21, 1, -1)
    ]
    assert [talk.title for talk in by_key["talks"].items] == [f"Talk {n:02}" for n in range(20)]
    html = response.content.decode()
    assert '<a href="/takeaways/?tag=sre">All 22 takeaways tagged sre</a>' in html
    assert '<a href="/follow-ups/?tag=sre">My open follow-ups tagged sre</a>' in html
    assert "The newest 20 of 22." in html


def test_managers_more_link_opens_everyones_follow_ups(client, manager):
    client.force_login(manager)
    event = EventFactory()
    for n in range(21):
        ActionPointFactory(event=event, title=f"Do {n:02}").tags.add("sre")
    html = client.get("/tags/sre/").content.decode()
    assert '<a href="/follow-ups/?tag=sre&amp;scope=all">Open follow-ups tagged sre</a>' in html


def test_no_more_link_when_everything_fits(attendee_client):
    TakeawayFactory(talk=None, event=EventFactory()).tags.add("sre")
    assert b"/takeaways/?tag=sre" not in attendee_client.get("/tags/sre/").content


def test_unused_tag_page_says_nothing_carries_it(attendee_client):
    Tag.objects.create(name="forgotten")
    response = attendee_client.get("/tags/forgotten/")
    assert response.status_code == 200
    assert "Nothing carries this tag yet." in response.content.decode()


def test_unknown_tag_is_a_404_that_says_so(attendee_client):
    response = attendee_client.get("/tags/no-such-tag/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>No such tag</h1>" in html
    assert "There is no tag “no-such-tag”." in html


def test_tag_page_links_to_the_tag_feed_with_the_readers_key(client, attendee):
    TakeawayFactory(talk=None, event=EventFactory()).tags.add("sre")
    client.force_login(attendee)
    feed_url = client.get("/tags/sre/").context["feed_url"]
    client.logout()
    # A feed reader has no session: the key in the link is what lets it in.
    response = client.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")


def test_outsider_sees_tag_pages(client, outsider):
    client.force_login(outsider)
    TalkFactory().tags.add("sre")
    assert [client.get(url).status_code for url in ("/tags/", "/tags/sre/")] == [200, 200]


def test_tag_page_runs_the_same_queries_for_3_and_30_of_each_kind(attendee_client):
    def add(n):
        for _ in range(n):
            talk = TalkFactory()
            talk.tags.add("sre", f"talk-{talk.pk}")
            talk.speakers.create(name=f"Speaker {talk.pk}")
            OpenSpaceFactory(event=talk.event).tags.add("sre")
            TakeawayFactory(talk=talk, event=talk.event).tags.add("sre")
            ActionPointFactory(event=talk.event, talk=talk).tags.add("sre")

    add(3)
    few = count_queries(attendee_client, "/tags/sre/")
    add(27)
    assert count_queries(attendee_client, "/tags/sre/") == few


def admin_tag_choices(rf, user, recent: int) -> list[tuple[str, str]]:
    from django.contrib import admin

    from talks.admin import TakeawayTagFilter
    from talks.models import Takeaway

    latest_links = type("LatestLinks", (TakeawayTagFilter,), {"recent": recent})
    request = rf.get("/admin/talks/takeaway/")
    request.user = user
    return latest_links(request, {}, Takeaway, admin.site._registry[Takeaway]).lookup_choices


def test_admin_tag_filter_offers_the_tags_most_used_on_the_latest_links(rf, staff):
    TakeawayFactory().tags.add("old-favourite")
    TakeawayFactory().tags.add("old-favourite")
    TakeawayFactory().tags.add("new")
    assert admin_tag_choices(rf, staff, recent=1) == [("new", "new")]
    assert admin_tag_choices(rf, staff, recent=10_000) == [
        ("old-favourite", "old-favourite"),
        ("new", "new"),
    ]
