"""The events list, an event's page, talk, open-space and speaker pages, and adding a
talk or an open space that is not listed yet."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from talks.models import Note, OpenSpace, Speaker, Talk
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
from tests.helpers import count_queries, days_from_today

pytestmark = pytest.mark.django_db

DRAFT = Note.Status.DRAFT


def names(response) -> list[str]:
    return [event.name for event in response.context["page"]]


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# The events list


def test_events_are_newest_first(attendee_client):
    EventFactory(name="Old", starts_on=datetime.date(2024, 3, 1))
    EventFactory(name="New", starts_on=datetime.date(2026, 3, 1))
    EventFactory(name="Middle", starts_on=datetime.date(2025, 3, 1))
    assert names(attendee_client.get("/events/")) == ["New", "Middle", "Old"]


def test_events_filter_by_year_offers_only_years_with_events(attendee_client):
    EventFactory(name="Oslo 2025", starts_on=datetime.date(2025, 9, 1))
    EventFactory(name="Lisbon 2026", starts_on=datetime.date(2026, 4, 16))
    response = attendee_client.get("/events/?year=2025")
    assert names(response) == ["Oslo 2025"]
    assert list(response.context["filter"].form.fields["year"].choices) == [
        ("", "Any year"),
        ("2026", "2026"),
        ("2025", "2025"),
    ]


def test_events_filter_by_tag_on_the_event_or_its_sessions(attendee_client):
    EventFactory(name="Tagged itself").tags.add("observability")
    TalkFactory(event=EventFactory(name="Tagged talk")).tags.add("observability")
    OpenSpaceFactory(event=EventFactory(name="Tagged open space")).tags.add("Observability")
    TalkFactory(event=EventFactory(name="Other")).tags.add("culture")
    response = attendee_client.get("/events/?tag=observability")
    assert sorted(names(response)) == ["Tagged itself", "Tagged open space", "Tagged talk"]


def test_events_filter_by_text_matches_name_city_or_country(attendee_client):
    EventFactory(name="DevOpsDays Oslo", city="Oslo", country="Norway")
    EventFactory(name="PyCon Lisbon", city="Lisbon", country="Portugal")
    EventFactory(name="Summit", city="Porto", country="Portugal")
    assert names(attendee_client.get("/events/?text=oslo")) == ["DevOpsDays Oslo"]
    assert sorted(names(attendee_client.get("/events/?text=portugal"))) == [
        "PyCon Lisbon",
        "Summit",
    ]


def test_unknown_tag_in_the_events_filter_says_so(attendee_client):
    EventFactory(name="Oslo")
    response = attendee_client.get("/events/?tag=no-such-tag")
    assert response.status_code == 200
    assert "There is no tag called “no-such-tag”." in response.text
    assert names(response) == ["Oslo"]


def test_nonsense_year_is_an_error_next_to_the_field_not_a_500(attendee_client):
    EventFactory(name="Oslo")
    response = attendee_client.get("/events/?year=soon")
    assert response.status_code == 200
    assert response.context["filter"].form.errors["year"] == [
        "Select a valid choice. soon is not one of the available choices."
    ]
    assert names(response) == ["Oslo"]


def test_nonsense_page_number_shows_the_last_page(attendee_client):
    EventFactory.create_batch(27)
    response = attendee_client.get("/events/?page=999")
    assert response.context["page"].number == 2
    assert attendee_client.get("/events/?page=abc").context["page"].number == 1


def test_pagination_links_keep_the_filters(attendee_client):
    EventFactory.create_batch(26, starts_on=datetime.date(2025, 1, 1))
    response = attendee_client.get("/events/?year=2025")
    assert 'href="?year=2025&amp;page=2"' in response.text


def test_event_counts_talks_notes_and_takeaways_without_others_drafts(attendee_client, attendee):
    event = EventFactory(name="Oslo")
    talks = TalkFactory.create_batch(3, event=event)
    NoteFactory(talk=talks[0])
    NoteFactory(talk=talks[1], status=DRAFT)  # someone else's draft: not counted
    NoteFactory(talk=talks[1], status=DRAFT, author=attendee)
    TakeawayFactory.create_batch(2, talk=talks[2])
    event = attendee_client.get("/events/").context["page"][0]
    assert (event.talk_count, event.note_count, event.takeaway_count) == (3, 2, 2)


def test_event_list_runs_the_same_queries_for_3_and_30_events(attendee_client):
    def add_events(n):
        for event in EventFactory.create_batch(n):
            talk = TalkFactory(event=event)
            NoteFactory(talk=talk)
            TakeawayFactory(talk=talk)

    add_events(3)
    few = count_queries(attendee_client, "/events/?tag=x&year=2026&text=city")
    assert count_queries(attendee_client, "/events/") == few - 1  # minus the tag lookup
    add_events(27)
    assert count_queries(attendee_client, "/events/?tag=x&year=2026&text=city") == few


def test_empty_event_list_tells_staff_to_add_one_in_the_admin(staff_client):
    response = staff_client.get("/events/")
    assert "Add one in the admin" in response.text


def test_empty_event_list_tells_attendees_whom_to_ask(attendee_client):
    response = attendee_client.get("/events/")
    assert "Ask a staff member to add the events you attended." in response.text


def test_no_match_suggests_clearing_the_filters(attendee_client):
    EventFactory(name="Oslo")
    response = attendee_client.get("/events/?text=nowhere")
    assert "No events match these filters." in response.text


# An event's page


def test_event_page_shows_talks_open_spaces_takeaways_and_action_points(attendee_client):
    event = EventFactory(name="DevOpsDays Oslo")
    talk = TalkFactory(event=event, title="Tracing without tears", speakers=[SpeakerFactory()])
    OpenSpaceFactory(event=event, topic="Hiring juniors")
    TakeawayFactory(talk=talk, text="Sample the boring traces away.")
    ActionPointFactory(event=event, talk=talk, title="Try tail sampling", status="in_progress")
    response = attendee_client.get(event.get_absolute_url())
    ctx = response.context
    assert [t.title for t in ctx["talks"]] == ["Tracing without tears"]
    assert [o.topic for o in ctx["open_spaces"]] == ["Hiring juniors"]
    assert [t.text for t in ctx["takeaways"]] == ["Sample the boring traces away."]
    assert [(a.title, a.status) for a in ctx["action_points"]] == [
        ("Try tail sampling", "in_progress")
    ]
    assert "In progress" in response.text


def test_event_page_shows_everyones_notes_but_only_my_drafts(attendee_client, attendee):
    event = EventFactory()
    talk = TalkFactory(event=event, title="Lean QA")
    NoteFactory(talk=None, event=event, title="Whole-event summary")
    NoteFactory(talk=None, event=event, title="Someone's draft", status=DRAFT)
    NoteFactory(talk=None, event=event, title="My draft", status=DRAFT, author=attendee)
    NoteFactory(talk=talk, title="On the talk")
    NoteFactory(talk=talk, title="Their talk draft", status=DRAFT)
    ctx = attendee_client.get(event.get_absolute_url()).context
    assert sorted(n.title for n in ctx["event_notes"]) == ["My draft", "Whole-event summary"]
    assert [n.title for n in ctx["session_notes"]] == ["On the talk"]


def test_overdue_action_points_are_marked(attendee_client):
    event = EventFactory()
    ActionPointFactory(event=event, title="Late", due_on=days_from_today(-3))
    ActionPointFactory(event=event, title="Done late", due_on=days_from_today(-3))
    done = event.actionpoints.get(title="Done late")
    done.status = "done"
    done.save()
    response = attendee_client.get(event.get_absolute_url())
    assert response.text.count('<strong class="overdue">overdue</strong>') == 1


def test_event_page_links_to_writing_adding_and_the_feed(attendee_client, attendee):
    from talks.feeds import feed_key

    event = EventFactory(slug="oslo-2025")
    response = attendee_client.get(event.get_absolute_url())
    feed = f"/events/oslo-2025/feed/?key={feed_key(attendee).replace(':', '%3A')}"
    assert '<link rel="alternate" type="application/atom+xml"' in response.text
    assert f'href="{feed}"' in response.text
    for url in ("/events/oslo-2025/notes/new/", "/events/oslo-2025/talks/new/"):
        assert f'href="{url}"' in response.text
    assert 'href="/events/oslo-2025/open-spaces/new/"' in response.text


def test_everyone_can_download_the_event_report_from_its_page(manager_client):
    event = EventFactory(slug="oslo-2025", name="DevOpsDays Oslo")
    page = manager_client.get(event.get_absolute_url())
    assert 'href="/events/oslo-2025/report.md" download>Report (Markdown)</a>' in page.text
    report = manager_client.get("/events/oslo-2025/report.md")
    assert report["Content-Type"] == "text/markdown; charset=utf-8"
    assert "DevOpsDays Oslo" in report.content.decode()


def test_only_people_who_write_notes_see_the_import_link(attendee, manager):
    from django.test import Client

    links = []
    for user in (attendee, manager):
        client = Client()
        client.force_login(user)
        links.append('href="/import/"' in client.get("/").text)
    assert links == [True, False]


def test_managers_see_no_links_to_write_or_add(manager_client):
    event = EventFactory(slug="oslo-2025")
    response = manager_client.get(event.get_absolute_url())
    assert "/notes/new/" not in response.text
    assert "/talks/new/" not in response.text
    assert "/open-spaces/new/" not in response.text


def test_event_page_runs_the_same_queries_for_few_and_many_rows(attendee_client, attendee):
    event = EventFactory()
    event.tags.add("devops")

    def add(n):
        for _ in range(n):
            talk = TalkFactory(event=event, speakers=[SpeakerFactory()])
            talk.tags.add("a")
            OpenSpaceFactory(event=event).tags.add("b")
            NoteFactory(talk=talk)
            NoteFactory(talk=None, event=event, author=attendee, status=DRAFT)
            TakeawayFactory(talk=talk).tags.add("c")
            ActionPointFactory(event=event, talk=talk, assignee=attendee).tags.add("d")

    add(2)
    few = count_queries(attendee_client, event.get_absolute_url())
    add(20)
    assert count_queries(attendee_client, event.get_absolute_url()) == few


def test_event_page_shows_the_newest_30_action_points_and_links_managers_to_all(
    client, manager, attendee
):
    event = EventFactory(slug="oslo-2025", name="Oslo")
    for n in range(31):
        ActionPointFactory(event=event, title=f"ap {n}", status="done" if n % 2 else "open")
    client.force_login(manager)
    response = client.get(event.get_absolute_url())
    assert [ap.title for ap in response.context["action_points"]] == [
        f"ap {n}" for n in range(30, 0, -1)
    ]
    all_url = (
        "/follow-ups/?event=oslo-2025&amp;scope=all&amp;status=open&amp;status=in_progress"
        "&amp;status=done&amp;status=dropped"
    )
    assert f'<a href="{all_url}">See all action points from Oslo</a>' in response.text
    listed = client.get(all_url.replace("&amp;", "&"))
    assert listed.context["page"].paginator.count == 31
    client.force_login(attendee)
    mine = client.get(event.get_absolute_url())
    assert (
        '<a href="/follow-ups/?event=oslo-2025&amp;status=open&amp;status=in_progress'
        '&amp;status=done&amp;status=dropped">See yours from Oslo</a>'
    ) in mine.text
    assert "scope=all" not in mine.text


def test_notes_on_sessions_show_30_a_page_newest_first(attendee_client):
    event = EventFactory()
    talk = TalkFactory(event=event)
    for n in range(31):
        NoteFactory(talk=talk, title=f"note {n}")
    first = attendee_client.get(event.get_absolute_url())
    assert [note.title for note in first.context["session_notes"]] == [
        f"note {n}" for n in range(30, 0, -1)
    ]
    assert 'href="?session_notes_page=2#session-notes">Older notes →</a>' in first.text
    second = attendee_client.get(event.get_absolute_url(), {"session_notes_page": 2})
    assert [note.title for note in second.context["session_notes"]] == ["note 0"]
    nonsense = attendee_client.get(event.get_absolute_url(), {"session_notes_page": "x"})
    assert nonsense.context["session_notes"].number == 1


def test_notes_on_the_event_show_20_a_page_and_keep_the_other_list_s_page(attendee_client):
    event = EventFactory()
    for n in range(21):
        NoteFactory(talk=None, event=event, title=f"event note {n}")
    url = event.get_absolute_url()
    first = attendee_client.get(url, {"session_notes_page": 1})
    assert len(first.context["event_notes"]) == 20
    assert (
        'href="?session_notes_page=1&amp;event_notes_page=2#notes-heading">Older notes →</a>'
    ) in first.text
    second = attendee_client.get(url, {"event_notes_page": 2})
    assert [note.title for note in second.context["event_notes"]] == ["event note 0"]


def test_a_small_event_page_has_no_see_all_links_or_pages(attendee_client):
    event = EventFactory()
    ActionPointFactory(event=event)
    NoteFactory(talk=TalkFactory(event=event))
    response = attendee_client.get(event.get_absolute_url())
    assert "See yours from" not in response.text
    assert "Older notes" not in response.text


# Talk and open-space pages


def test_talk_page_shows_speakers_links_and_abstract(attendee_client):
    talk = TalkFactory(
        title="Tracing",
        speakers=[SpeakerFactory(name="Tomasz Wrona")],
        slides_url="https://example.com/slides",
        video_url="https://example.com/video",
        abstract="About *spans*.",
    )
    talk.tags.add("observability")
    response = attendee_client.get(talk.get_absolute_url())
    assert f'<a href="{talk.speakers.get().get_absolute_url()}">Tomasz Wrona</a>' in response.text
    assert 'href="https://example.com/slides"' in response.text
    assert 'href="https://example.com/video"' in response.text
    assert "<em>spans</em>" in response.text
    assert [name for name, _slug in response.context["talk"].tag_rows] == ["observability"]
    assert '<a class="tag" href="/tags/observability/">observability</a>' in response.text


def test_talk_page_shows_all_attendees_notes_and_only_my_drafts(attendee_client, attendee):
    talk = TalkFactory()
    NoteFactory(talk=talk, title="Carol's notes")
    NoteFactory(talk=talk, title="Dave's draft", status=DRAFT)
    mine = NoteFactory(talk=talk, title="My draft", status=DRAFT, author=attendee)
    response = attendee_client.get(talk.get_absolute_url())
    assert sorted(n.title for n in response.context["notes"]) == ["Carol's notes", "My draft"]
    assert response.text.count('<span class="badge">draft') == 1
    edit = reverse("notes:edit", args=[mine.pk])
    assert response.text.count('class="note-edit"') == 1
    assert f'href="{edit}"' in response.text


def test_nobody_gets_an_edit_link_on_someone_elses_note(staff_client):
    talk = TalkFactory()
    NoteFactory(talk=talk)
    response = staff_client.get(talk.get_absolute_url())
    assert 'class="note-edit"' not in response.text


def test_talk_page_shows_its_takeaways_and_action_points(attendee_client):
    talk = TalkFactory()
    other = TalkFactory(event=talk.event)
    TakeawayFactory(talk=talk, text="Mine")
    TakeawayFactory(talk=other, text="Other talk's")
    ActionPointFactory(event=talk.event, talk=talk, title="From this talk")
    ActionPointFactory(event=talk.event, title="From the event")
    ctx = attendee_client.get(talk.get_absolute_url()).context
    assert [t.text for t in ctx["takeaways"]] == ["Mine"]
    assert [a.title for a in ctx["action_points"]] == ["From this talk"]


def test_talk_page_runs_the_same_queries_for_few_and_many_rows(attendee_client, attendee):
    talk = TalkFactory(speakers=[SpeakerFactory()])
    talk.tags.add("x")

    def add(n):
        for _ in range(n):
            NoteFactory(talk=talk)
            NoteFactory(talk=talk, author=attendee, status=DRAFT)
            TakeawayFactory(talk=talk).tags.add("y")
            ActionPointFactory(event=talk.event, talk=talk, assignee=attendee).tags.add("z")
            talk.speakers.add(SpeakerFactory())

    add(2)
    few = count_queries(attendee_client, talk.get_absolute_url())
    add(20)
    assert count_queries(attendee_client, talk.get_absolute_url()) == few


def test_open_space_page_shows_convenor_notes_takeaways_and_action_points(attendee_client):
    space = OpenSpaceFactory(topic="Hiring juniors", convenor="Ana", session_label="Day 2")
    NoteFactory(talk=None, open_space=space, event=space.event, title="Pairing plans")
    TakeawayFactory(talk=None, open_space=space, event=space.event, text="Pair from day one.")
    ActionPointFactory(event=space.event, open_space=space, title="Write a buddy guide")
    response = attendee_client.get(space.get_absolute_url())
    assert "Open space convened by Ana" in response.text
    assert [n.title for n in response.context["notes"]] == ["Pairing plans"]
    assert [t.text for t in response.context["takeaways"]] == ["Pair from day one."]
    assert [a.title for a in response.context["action_points"]] == ["Write a buddy guide"]
    assert f'href="/events/{space.event.slug}/open-spaces/{space.slug}/notes/new/"' in (
        response.text
    )


def test_open_space_page_runs_the_same_queries_for_few_and_many_rows(attendee_client):
    space = OpenSpaceFactory()

    def add(n):
        for _ in range(n):
            NoteFactory(talk=None, open_space=space, event=space.event)
            TakeawayFactory(talk=None, open_space=space, event=space.event).tags.add("y")
            ActionPointFactory(event=space.event, open_space=space).tags.add("z")

    add(2)
    few = count_queries(attendee_client, space.get_absolute_url())
    add(20)
    assert count_queries(attendee_client, space.get_absolute_url()) == few


def test_talk_at_another_event_is_404(attendee_client):
    talk = TalkFactory()
    other = EventFactory()
    assert attendee_client.get(f"/events/{other.slug}/talks/{talk.slug}/").status_code == 404


# Speakers


def test_speaker_page_lists_talks_across_events_newest_first(attendee_client):
    speaker = SpeakerFactory(name="Hanna Lindqvist")
    for year, title in ((2024, "Old talk"), (2026, "New talk"), (2025, "Middle talk")):
        event = EventFactory(starts_on=datetime.date(year, 5, 1))
        TalkFactory(event=event, title=title, speakers=[speaker])
    TalkFactory(title="Someone else's")
    response = attendee_client.get(speaker.get_absolute_url())
    assert [t.title for t in response.context["page"]] == ["New talk", "Middle talk", "Old talk"]


def test_speaker_page_paginates_and_survives_a_nonsense_page(attendee_client):
    speaker = SpeakerFactory()
    for _ in range(26):
        TalkFactory(speakers=[speaker])
    assert len(attendee_client.get(speaker.get_absolute_url()).context["page"]) == 25
    response = attendee_client.get(speaker.get_absolute_url() + "?page=-3")
    assert response.context["page"].number == 2


def test_speaker_page_runs_the_same_queries_for_3_and_30_talks(attendee_client):
    speaker = SpeakerFactory()

    def add(n):
        for _ in range(n):
            TalkFactory(speakers=[speaker, SpeakerFactory()]).tags.add("t")

    add(3)
    few = count_queries(attendee_client, speaker.get_absolute_url())
    add(27)
    assert count_queries(attendee_client, speaker.get_absolute_url()) == few


# Adding a talk or an open space


def talk_data(**overrides) -> dict:
    return {
        "title": "Platform teams with objectives",
        "kind": "talk",
        "speakers": "",
        "slides_url": "",
        "video_url": "",
        "abstract": "",
        "tags": "",
        **overrides,
    }


def test_attendee_adds_a_talk_with_known_and_new_speakers(attendee_client):
    event = EventFactory(slug="pycon-2026")
    known = SpeakerFactory(name="Hanna Lindqvist")
    response = attendee_client.post(
        "/events/pycon-2026/talks/new/",
        talk_data(
            speakers="hanna LINDQVIST,  Tomasz   Wrona , hanna lindqvist",
            slides_url="example.com/slides",
            abstract="Objectives *of their own*.",
            tags="platform, Culture",
        ),
    )
    talk = Talk.objects.get(event=event)
    assert response.status_code == 302
    assert response["Location"] == talk.get_absolute_url()
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        f"Added the talk “Platform teams with objectives” to {event.name}."
    ]
    speakers = list(talk.speakers.order_by("name"))
    assert [s.name for s in speakers] == ["Hanna Lindqvist", "Tomasz Wrona"]
    assert speakers[0] == known
    assert Speaker.objects.count() == 2
    assert sorted(talk.tags.names()) == ["Culture", "platform"]
    assert talk.slides_url == "https://example.com/slides"
    assert talk.abstract_html == "<p>Objectives <em>of their own</em>.</p>"


def test_duplicate_talk_title_is_an_error_on_the_title(attendee_client):
    event = EventFactory(name="PyCon", slug="pycon-2026")
    TalkFactory(event=event, title="Platform Teams With Objectives")
    response = attendee_client.post("/events/pycon-2026/talks/new/", talk_data())
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": ["PyCon already has a talk called “Platform teams with objectives”."]
    }
    assert Talk.objects.filter(event=event).count() == 1


def test_same_talk_title_at_another_event_is_fine(attendee_client):
    TalkFactory(title="Platform teams with objectives")
    event = EventFactory(slug="pycon-2026")
    response = attendee_client.post("/events/pycon-2026/talks/new/", talk_data())
    assert response.status_code == 302
    assert Talk.objects.filter(event=event).count() == 1


def test_talk_form_shows_errors_next_to_the_fields(attendee_client):
    EventFactory(slug="pycon-2026")
    response = attendee_client.post(
        "/events/pycon-2026/talks/new/", talk_data(title="", kind="rant", video_url="not a url")
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["kind", "title", "video_url"]
    assert 'id="id_title_error"' in response.text


def test_talk_form_page_renders_with_csrf(attendee_client):
    EventFactory(slug="pycon-2026")
    response = attendee_client.get("/events/pycon-2026/talks/new/")
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert '<label for="id_speakers">' in response.text


def test_staff_can_add_a_talk(staff_client):
    EventFactory(slug="pycon-2026")
    response = staff_client.post("/events/pycon-2026/talks/new/", talk_data())
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["manager", "outsider"])
def test_users_without_add_talk_permission_get_403(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    EventFactory(slug="pycon-2026")
    assert client.get("/events/pycon-2026/talks/new/").status_code == 403
    assert client.post("/events/pycon-2026/talks/new/", talk_data()).status_code == 403
    assert Talk.objects.count() == 0


def test_adding_a_talk_to_an_unknown_event_is_404(attendee_client):
    assert attendee_client.get("/events/nope/talks/new/").status_code == 404


def test_attendee_adds_an_open_space(attendee_client):
    event = EventFactory(slug="oslo-2025")
    response = attendee_client.post(
        "/events/oslo-2025/open-spaces/new/",
        {
            "topic": "Hiring juniors",
            "convenor": "Ana",
            "session_label": "Day 2, room B",
            "tags": "hiring",
        },
    )
    space = OpenSpace.objects.get(event=event)
    assert response["Location"] == space.get_absolute_url()
    assert (space.topic, space.convenor, space.session_label) == (
        "Hiring juniors",
        "Ana",
        "Day 2, room B",
    )
    assert list(space.tags.names()) == ["hiring"]
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        f"Added the open space “Hiring juniors” to {event.name}."
    ]


def test_duplicate_open_space_topic_is_an_error_on_the_topic(attendee_client):
    event = EventFactory(name="Oslo", slug="oslo-2025")
    OpenSpaceFactory(event=event, topic="Hiring juniors")
    response = attendee_client.post(
        "/events/oslo-2025/open-spaces/new/", {"topic": "hiring juniors"}
    )
    assert response.context["form"].errors == {
        "topic": ["Oslo already has an open space called “hiring juniors”."]
    }


@pytest.mark.parametrize("persona", ["manager", "outsider"])
def test_users_without_add_openspace_permission_get_403(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    EventFactory(slug="oslo-2025")
    response = client.post("/events/oslo-2025/open-spaces/new/", {"topic": "Anything"})
    assert response.status_code == 403
    assert OpenSpace.objects.count() == 0


def test_new_speakers_are_not_created_when_the_form_is_invalid(attendee_client):
    event = EventFactory(slug="pycon-2026")
    TalkFactory(event=event, title="Taken")
    attendee_client.post(
        "/events/pycon-2026/talks/new/", talk_data(title="Taken", speakers="Brand New")
    )
    assert list(Speaker.objects.values_list("name", flat=True)) == []


def test_another_users_draft_never_shows_even_to_staff(staff_client):
    talk = TalkFactory()
    NoteFactory(talk=talk, title="Private draft", status=DRAFT, author=UserFactory())
    response = staff_client.get(talk.get_absolute_url())
    assert "Private draft" not in response.text


def test_the_events_tag_filter_ignores_case(attendee_client):
    EventFactory(name="Tagged").tags.add("observability")
    EventFactory(name="Other")
    assert names(attendee_client.get("/events/?tag=Observability")) == ["Tagged"]
    response = attendee_client.get("/events/?tag=No-Such-Tag")
    assert "There is no tag called “no-such-tag”." in response.text
    assert sorted(names(response)) == ["Other", "Tagged"]
