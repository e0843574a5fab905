"""A session's place in the programme (day, start time, room): checked against the
event's dates, set in the admin and on the add forms, and the order the event page
lists sessions in."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from talks.models import OpenSpace, Talk
from tests.factories import EventFactory, OpenSpaceFactory, TalkFactory

pytestmark = pytest.mark.django_db

TWO_DAYS = {"starts_on": datetime.date(2026, 5, 12), "ends_on": datetime.date(2026, 5, 13)}
FIRST, SECOND = TWO_DAYS["starts_on"], TWO_DAYS["ends_on"]


def at(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


def programme_titles(response) -> list[tuple[datetime.date | None, list[str]]]:
    return [
        (day.day, [str(session) for session in day.sessions])
        for day in response.context["programme"].days
    ]


# The model


def test_a_day_outside_the_event_is_refused_with_the_events_dates():
    event = EventFactory(name="DevOpsDays Harbourside", **TWO_DAYS)
    talk = TalkFactory.build(event=event, day=datetime.date(2026, 5, 14))
    with pytest.raises(ValidationError) as refused:
        talk.full_clean()
    assert refused.value.message_dict == {
        "day": [
            "14 May 2026 is not a day of DevOpsDays Harbourside, which ran 12 May 2026 "
            "to 13 May 2026."
        ]
    }


def test_a_day_within_the_event_is_accepted():
    talk = TalkFactory.build(event=EventFactory(**TWO_DAYS), day=SECOND, starts_at=at(9, 30))
    talk.full_clean()  # no error
    assert (talk.day, talk.starts_at) == (SECOND, at(9, 30))


def test_a_timed_session_at_a_one_day_event_is_on_that_day():
    event = EventFactory(starts_on=FIRST, ends_on=FIRST)
    space = OpenSpaceFactory.build(event=event, starts_at=at(15))
    space.full_clean()
    assert space.day == FIRST


def test_an_open_space_outside_the_event_is_refused_too():
    space = OpenSpaceFactory.build(event=EventFactory(**TWO_DAYS), day=FIRST.replace(day=1))
    with pytest.raises(ValidationError) as refused:
        space.full_clean()
    assert list(refused.value.message_dict) == ["day"]


def test_programme_order_is_day_then_time_then_room_then_entry_order():
    event = EventFactory(**TWO_DAYS)
    TalkFactory(event=event, title="Unscheduled first entered")
    TalkFactory(event=event, title="Day two", day=SECOND, starts_at=at(9))
    TalkFactory(event=event, title="Room B at ten", day=FIRST, starts_at=at(10), room="Room B")
    TalkFactory(event=event, title="Room A at ten", day=FIRST, starts_at=at(10), room="Room A")
    TalkFactory(event=event, title="Day one, no time", day=FIRST)
    TalkFactory(event=event, title="Opening", day=FIRST, starts_at=at(9))
    titles = list(
        Talk.objects.for_event(event).in_programme_order().values_list("title", flat=True)
    )
    assert titles == [
        "Opening",
        "Room A at ten",
        "Room B at ten",
        "Day one, no time",
        "Day two",
        "Unscheduled first entered",
    ]


# The event page


def test_event_page_groups_talks_and_open_spaces_by_day_in_programme_order(attendee_client):
    event = EventFactory(**TWO_DAYS)
    TalkFactory(event=event, title="Zebra keynote", day=FIRST, starts_at=at(9))
    OpenSpaceFactory(event=event, topic="Afternoon open space", day=FIRST, starts_at=at(15))
    TalkFactory(event=event, title="Alpha talk", day=FIRST, starts_at=at(11))
    TalkFactory(event=event, title="Second day talk", day=SECOND, starts_at=at(9))
    TalkFactory(event=event, title="Talk nobody timed")
    response = attendee_client.get(event.get_absolute_url())
    assert programme_titles(response) == [
        (FIRST, ["Zebra keynote", "Alpha talk", "Afternoon open space"]),
        (SECOND, ["Second day talk"]),
        (None, ["Talk nobody timed"]),
    ]
    html = response.text
    assert html.index("Zebra keynote") < html.index("Alpha talk") < html.index("Second day talk")
    assert '<time datetime="2026-05-12">Tuesday 12 May 2026</time>' in html
    assert '<time datetime="2026-05-12T09:00">09:00</time>' in html
    assert "Day not given" in html


def test_event_page_shows_rooms_in_the_programme(attendee_client):
    event = EventFactory(**TWO_DAYS)
    TalkFactory(event=event, title="Tracing", day=FIRST, starts_at=at(11), room="Room A")
    response = attendee_client.get(event.get_absolute_url())
    assert '<span class="programme-room">Room A</span>' in response.text


def test_without_times_sessions_keep_the_order_they_were_entered_not_alphabetical(
    attendee_client,
):
    event = EventFactory()
    for title in ["Zebra stripes", "Middle ground", "Alpha release"]:
        TalkFactory(event=event, title=title)
    for topic in ["Why not", "Any questions"]:
        OpenSpaceFactory(event=event, topic=topic)
    response = attendee_client.get(event.get_absolute_url())
    assert [t.title for t in response.context["talks"]] == [
        "Zebra stripes",
        "Middle ground",
        "Alpha release",
    ]
    assert [o.topic for o in response.context["open_spaces"]] == ["Why not", "Any questions"]
    html = response.text
    assert 'id="programme-heading"' not in html
    assert html.index("Zebra stripes") < html.index("Middle ground") < html.index("Alpha release")


def test_write_a_note_is_the_primary_action_and_the_feed_a_quiet_link(attendee_client):
    event = EventFactory()
    html = attendee_client.get(event.get_absolute_url()).text
    write = reverse("notes:new-for-event", args=[event.slug])
    assert f'<a class="primary-action" href="{write}">Write a note on the event</a>' in html
    quiet = html[html.index('<ul class="quiet-links">') :]
    quiet = quiet[: quiet.index("</ul>")]
    assert "Atom feed" in quiet
    assert "Write a note" not in quiet


# The admin and the add forms


def test_staff_set_day_time_and_room_in_the_admin(staff_client):
    talk = TalkFactory(event=EventFactory(**TWO_DAYS), title="Compilers")
    data = {
        "event": talk.event.pk,
        "title": "Compilers",
        "slug": talk.slug,
        "kind": "talk",
        "day": "2026-05-13",
        "starts_at": "14:30",
        "room": "Room B",
        "slides_url": "",
        "video_url": "",
        "abstract": "",
        "tags": "",
    }
    response = staff_client.post(reverse("admin:talks_talk_change", args=[talk.pk]), data)
    assert response.status_code == 302
    talk.refresh_from_db()
    assert (talk.day, talk.starts_at, talk.room) == (SECOND, at(14, 30), "Room B")


def test_admin_refuses_a_day_outside_the_event_on_the_day_field(staff_client):
    space = OpenSpaceFactory(event=EventFactory(name="Harbourside", **TWO_DAYS))
    data = {
        "event": space.event.pk,
        "topic": space.topic,
        "slug": space.slug,
        "convenor": "",
        "day": "2026-06-01",
        "starts_at": "",
        "room": "",
        "session_label": "",
        "tags": "",
    }
    response = staff_client.post(reverse("admin:talks_openspace_change", args=[space.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["day"] == [
        "1 Jun 2026 is not a day of Harbourside, which ran 12 May 2026 to 13 May 2026."
    ]
    space.refresh_from_db()
    assert space.day is None


def test_admin_talk_list_shows_when_and_where(staff_client):
    TalkFactory(event=EventFactory(**TWO_DAYS), day=FIRST, starts_at=at(9, 5), room="Hall")
    response = staff_client.get(reverse("admin:talks_talk_changelist"))
    assert "12 May · 09:05 · Hall" in response.text


def test_adding_a_talk_on_the_site_sets_its_day_time_and_room(attendee_client):
    event = EventFactory(**TWO_DAYS)
    response = attendee_client.post(
        reverse("talks:talk-new", args=[event.slug]),
        {
            "title": "Paved roads",
            "kind": "talk",
            "speakers": "Ada Example",
            "day": "2026-05-12",
            "starts_at": "11:15",
            "room": "Room A",
        },
    )
    assert response.status_code == 302
    talk = Talk.objects.get(title="Paved roads")
    assert (talk.day, talk.starts_at, talk.room) == (FIRST, at(11, 15), "Room A")


def test_adding_an_open_space_on_a_day_outside_the_event_says_which_dates(attendee_client):
    event = EventFactory(name="Harbourside", **TWO_DAYS)
    response = attendee_client.post(
        reverse("talks:open-space-new", args=[event.slug]),
        {"topic": "Error budgets", "day": "2026-05-20"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == [
        "20 May 2026 is not a day of Harbourside, which ran 12 May 2026 to 13 May 2026."
    ]
    assert not OpenSpace.objects.exists()


def test_adding_a_timed_open_space_to_a_one_day_event_puts_it_on_that_day(attendee_client):
    event = EventFactory(starts_on=FIRST, ends_on=FIRST)
    attendee_client.post(
        reverse("talks:open-space-new", args=[event.slug]),
        {"topic": "Error budgets", "starts_at": "16:00"},
    )
    assert OpenSpace.objects.get().day == FIRST


def test_a_talks_page_says_when_and_where_it_ran(attendee_client):
    talk = TalkFactory(event=EventFactory(**TWO_DAYS), day=SECOND, starts_at=at(9), room="Hall")
    response = attendee_client.get(talk.get_absolute_url())
    assert " · Wednesday 13 May 2026, 09:00 · Hall</p>" in response.text


def test_an_open_space_page_without_a_time_shows_none(attendee_client):
    space = OpenSpaceFactory(event=EventFactory(**TWO_DAYS), session_label="")
    response = attendee_client.get(space.get_absolute_url())
    assert "Open space convened by Anyone at <a" in response.text
    assert " · " not in response.text.split("<h1>")[1].split("</p>")[0]


def test_the_add_form_offers_only_the_events_days_in_its_date_picker(attendee_client):
    event = EventFactory(**TWO_DAYS)
    response = attendee_client.get(reverse("talks:talk-new", args=[event.slug]))
    day = response.context["form"]["day"]
    assert (day.field.widget.input_type, day.field.widget.attrs["min"]) == ("date", "2026-05-12")
    assert day.field.widget.attrs["max"] == "2026-05-13"
