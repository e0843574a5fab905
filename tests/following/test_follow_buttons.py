"""Following tags and events: the buttons, the constraints, and the dashboard's
"From what you follow"."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from taggit.models import Tag

from talks.models import Follow, Note
from tests.factories import EventFactory, NoteFactory, TakeawayFactory, TalkFactory, UserFactory
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def follows_of(user) -> list[str]:
    return sorted(str(f.subject) for f in Follow.objects.of(user).select_related("tag", "event"))


def test_attendee_follows_a_tag_and_returns_to_the_page(attendee_client, attendee):
    tag = Tag.objects.create(name="Kubernetes")
    response = attendee_client.post(
        "/tags/kubernetes/follow/", {"next": "/tags/kubernetes/?x=1"}, follow=True
    )
    assert response.redirect_chain == [("/tags/kubernetes/?x=1", 302)]
    assert follows_of(attendee) == ["Kubernetes"]
    assert [str(m) for m in response.context["messages"]] == [
        "You follow “Kubernetes”: new takeaways and notes show on your dashboard and in a "
        "weekly email."
    ]
    assert Follow.objects.get().tag == tag


def test_following_twice_is_following_once(attendee_client, attendee):
    Tag.objects.create(name="kubernetes")
    attendee_client.post("/tags/kubernetes/follow/")
    attendee_client.post("/tags/kubernetes/follow/")
    assert Follow.objects.count() == 1


def test_unfollow_a_tag(attendee_client, attendee):
    tag = Tag.objects.create(name="kubernetes")
    Follow.objects.start(attendee, tag=tag)
    response = attendee_client.post("/tags/kubernetes/unfollow/")
    assert response["Location"] == "/tags/kubernetes/"
    assert follows_of(attendee) == []


def test_follow_and_unfollow_an_event(attendee_client, attendee):
    event = EventFactory(name="DevOpsDays Oslo")
    response = attendee_client.post(f"/events/{event.slug}/follow/")
    assert response["Location"] == event.get_absolute_url()
    assert follows_of(attendee) == [str(event)]
    attendee_client.post(f"/events/{event.slug}/unfollow/")
    assert follows_of(attendee) == []


def test_a_follow_belongs_to_its_user(attendee_client, attendee, manager):
    tag = Tag.objects.create(name="kubernetes")
    Follow.objects.start(manager, tag=tag)
    attendee_client.post("/tags/kubernetes/unfollow/")
    assert follows_of(manager) == ["kubernetes"]


def test_user_without_email_is_told_there_is_no_weekly_email(client):
    user = UserFactory(username="noemail", email="")
    client.force_login(user)
    Tag.objects.create(name="kubernetes")
    response = client.post("/tags/kubernetes/follow/", follow=True)
    (message,) = response.context["messages"]
    assert "add an email address" in str(message)


def test_next_pointing_elsewhere_is_ignored(attendee_client):
    Tag.objects.create(name="kubernetes")
    response = attendee_client.post(
        "/tags/kubernetes/follow/", {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/tags/kubernetes/"


def test_get_is_refused(attendee_client):
    Tag.objects.create(name="kubernetes")
    assert attendee_client.get("/tags/kubernetes/follow/").status_code == 405
    assert Follow.objects.count() == 0


def test_post_without_csrf_token_is_refused(attendee):
    Tag.objects.create(name="kubernetes")
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)
    assert client.post("/tags/kubernetes/follow/").status_code == 403
    assert Follow.objects.count() == 0


def test_unknown_tag_or_event_is_404(attendee_client):
    assert attendee_client.post("/tags/nope/follow/").status_code == 404
    assert attendee_client.post("/events/nope/follow/").status_code == 404


def test_a_follow_is_of_a_tag_or_an_event_not_both_nor_neither(attendee):
    tag, event = Tag.objects.create(name="k8s"), EventFactory()
    for fields in ({"tag": tag, "event": event}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Follow.objects.create(user=attendee, **fields)


def test_the_database_refuses_a_second_follow_of_the_same_thing(attendee):
    tag, event = Tag.objects.create(name="k8s"), EventFactory()
    Follow.objects.create(user=attendee, tag=tag)
    Follow.objects.create(user=attendee, event=event)
    for fields in ({"tag": tag}, {"event": event}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Follow.objects.create(user=attendee, **fields)


def test_event_page_has_a_follow_button_then_an_unfollow_button(attendee_client, attendee):
    event = EventFactory()
    html = attendee_client.get(event.get_absolute_url()).content.decode()
    assert f'<form method="post" action="/events/{event.slug}/follow/" class="follow-form">' in html
    assert "Follow this event</button>" in html
    Follow.objects.start(attendee, event=event)
    html = attendee_client.get(event.get_absolute_url()).content.decode()
    assert f'action="/events/{event.slug}/unfollow/"' in html
    assert "You follow this event." in html


def test_tag_page_has_a_follow_button_then_an_unfollow_button(attendee_client, attendee):
    tag = Tag.objects.create(name="kubernetes")
    html = attendee_client.get("/tags/kubernetes/").content.decode()
    assert '<form method="post" action="/tags/kubernetes/follow/" class="follow-form">' in html
    Follow.objects.start(attendee, tag=tag)
    html = attendee_client.get("/tags/kubernetes/").content.decode()
    assert 'action="/tags/kubernetes/unfollow/"' in html


def test_following_does_not_change_the_pages_query_counts(attendee_client, attendee):
    event, tag = EventFactory(), Tag.objects.create(name="kubernetes")
    urls = [event.get_absolute_url(), "/tags/kubernetes/"]
    before = [count_queries(attendee_client, url) for url in urls]
    Follow.objects.start(attendee, event=event)
    Follow.objects.start(attendee, tag=tag)
    assert [count_queries(attendee_client, url) for url in urls] == before


# The dashboard's "From what you follow"


def test_dashboard_shows_newest_takeaways_and_published_notes_in_what_i_follow(
    attendee_client, attendee
):
    followed_event, other_event = EventFactory(name="Followed"), EventFactory(name="Other")
    tag = Tag.objects.create(name="kubernetes")
    Follow.objects.start(attendee, event=followed_event)
    Follow.objects.start(attendee, tag=tag)
    tagged_talk = TalkFactory(event=other_event, title="Pods")
    tagged_talk.tags.add(tag)

    TakeawayFactory(text="At the event", talk=None, event=followed_event)
    TakeawayFactory(text="Elsewhere, untagged", talk=None, event=other_event)
    TakeawayFactory(text="Elsewhere, tagged", talk=None, event=other_event).tags.add(tag)
    NoteFactory(title="Note on a tagged talk", talk=tagged_talk, event=other_event)
    NoteFactory(title="Draft at the event", talk=None, event=followed_event,
                status=Note.Status.DRAFT)  # fmt: skip
    NoteFactory(title="Note elsewhere", talk=TalkFactory(event=other_event))

    response = attendee_client.get("/")

    items = [
        (e.kind, getattr(e.item, "text", None) or e.item.title)
        for e in response.context["followed"]["followed_items"]
    ]
    assert items == [
        ("note", "Note on a tagged talk"),
        ("takeaway", "Elsewhere, tagged"),
        ("takeaway", "At the event"),
    ]
    html = response.content.decode()
    assert "From what you follow" in html
    assert '<a href="/tags/kubernetes/">kubernetes</a>' in html
    assert "Draft at the event" not in html


def test_dashboard_shows_the_ten_newest(attendee_client, attendee):
    event = EventFactory()
    Follow.objects.start(attendee, event=event)
    for n in range(12):
        TakeawayFactory(text=f"Lesson {n}", talk=None, event=event)
    items = attendee_client.get("/").context["followed"]["followed_items"]
    assert [e.item.text for e in items] == [f"Lesson {n}" for n in range(11, 1, -1)]


def test_dashboard_says_how_to_follow_when_following_nothing(attendee_client):
    html = attendee_client.get("/").content.decode()
    assert "You don't follow any tags or events yet." in html


def test_dashboard_says_when_nothing_is_new_in_what_i_follow(attendee_client, attendee):
    Follow.objects.start(attendee, event=EventFactory())
    html = attendee_client.get("/").content.decode()
    assert "Nothing new there yet." in html


def test_dashboard_section_runs_the_same_queries_for_3_and_30_items(attendee_client, attendee):
    event, tag = EventFactory(), Tag.objects.create(name="kubernetes")
    Follow.objects.start(attendee, event=event)
    Follow.objects.start(attendee, tag=tag)

    def add(n):
        for _ in range(n):
            talk = TalkFactory()
            talk.tags.add(tag)
            TakeawayFactory(talk=None, event=event).tags.add("terraform")
            NoteFactory(talk=talk, event=talk.event)
            Follow.objects.start(attendee, event=talk.event)

    add(3)
    few = count_queries(attendee_client, "/")
    add(27)
    assert count_queries(attendee_client, "/") == few
