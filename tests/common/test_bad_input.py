"""Bad input gets a clear message (or a 404), never a 500, and writes nothing: control
characters in addresses and forms, impossible dates, bidi overrides in tag names."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange
from talks.models import Event, Follow, Note, Talk
from talks.tagging import validate_tag_name
from tests.factories import ActionPointFactory, EventFactory, TalkFactory
from tests.helpers import admin_change_form, days_from_today, logged_in, post_update

pytestmark = pytest.mark.django_db


def note_data(**changes) -> dict:
    """The writing page's POST with a note and no takeaway or action point rows."""
    data = {"title": "", "body": "Observability is a team sport.", "status": "published"}
    for prefix in ("takeaways", "actions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return {**data, **changes}


def new_note_url(talk: Talk) -> str:
    return reverse("notes:new-for-talk", args=[talk.event.slug, talk.slug])


# --- Control characters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "where"),
    [
        ("get", "/tags/%00/", "the address"),
        ("get", "/tags/%00/feed/", "the address"),
        ("post", "/tags/%00/follow/", "the address"),
        ("get", "/tags/devops%1b/", "the address"),
        ("get", "/takeaways/?tag=%00", "the parameter “tag”"),
        ("get", "/takeaways/?exclude=%00", "the parameter “exclude”"),
        ("get", "/takeaways/?tag%00=devops", "the parameter “tag”"),
        ("get", "/admin/actions/actionpoint/?status__exact=%00", "the parameter “status__exact”"),
        ("get", "/search/?q=team%00work", "the parameter “q”"),
    ],
)
def test_control_character_in_the_address_gets_400_saying_where(staff_client, method, url, where):
    response = getattr(staff_client, method)(url)

    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    assert f"There is a control character (such as NUL) in {where}" in response.content.decode()
    assert Follow.objects.count() == 0


def test_tab_and_line_breaks_in_a_query_pass(staff_client):
    response = staff_client.get("/search/", {"q": "team\twork\r\n"})
    assert response.status_code == 200


def test_nul_in_a_note_title_is_refused_next_to_the_field_and_nothing_is_saved(attendee_client):
    talk = TalkFactory()

    response = attendee_client.post(new_note_url(talk), note_data(title="Notes\x00"))

    assert response.status_code == 200
    assert response.context["writing"].note.errors == {
        "title": ["Null characters are not allowed."]
    }
    assert Note.objects.count() == 0


def test_nul_in_a_talk_title_is_refused_next_to_the_field(staff_client):
    event = EventFactory()

    response = staff_client.post(
        reverse("talks:talk-new", args=[event.slug]), {"title": "Chaos\x00", "kind": "talk"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["Null characters are not allowed."]}
    assert Talk.objects.count() == 0


def test_nul_in_a_follow_buttons_return_address_goes_back_to_the_tag(attendee_client):
    TalkFactory().tags.add("devops")

    response = attendee_client.post(
        reverse("following:follow-tag", args=["devops"]), {"next": "/\x00"}
    )

    assert (response.status_code, response["Location"]) == (302, "/tags/devops/")
    assert Follow.objects.count() == 1


# --- Dates -------------------------------------------------------------------------

OUT_OF_RANGE = ["9999-12-31", "0001-01-01", "1989-12-31", "2101-01-01"]


def out_of_range(value: str) -> str:
    return f"Enter a date between 1990 and 2100 ({value} is outside)."


def event_data(**changes) -> dict:
    """The admin's add-event form, with no talks or open spaces."""
    starts_on = days_from_today(30)
    data = {
        "name": "DevOpsDays Amsterdam",
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + datetime.timedelta(days=1)).isoformat(),
        "tags": "",
    }
    for prefix in ("talks", "open_spaces"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return {**data, **changes}


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_event_date_outside_1990_to_2100_is_refused_in_the_admin(staff_client, value):
    response = staff_client.post(
        reverse("admin:talks_event_add"), event_data(starts_on=value, ends_on=value)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (errors["starts_on"], errors["ends_on"]) == ([out_of_range(value)],) * 2
    assert Event.objects.count() == 0


def test_event_date_outside_the_range_is_refused_by_full_clean():
    event = EventFactory.build(starts_on=datetime.date(9999, 12, 30))
    event.ends_on = datetime.date(9999, 12, 31)

    with pytest.raises(ValidationError) as refused:
        event.full_clean()

    assert refused.value.message_dict == {
        "starts_on": [out_of_range("9999-12-30")],
        "ends_on": [out_of_range("9999-12-31")],
    }


def test_dates_at_the_ends_of_the_range_are_kept(staff_client):
    response = staff_client.post(
        reverse("admin:talks_event_add"), event_data(starts_on="1990-01-01", ends_on="2100-12-31")
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.starts_on, event.ends_on) == (
        datetime.date(1990, 1, 1),
        datetime.date(2100, 12, 31),
    )


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_due_date_outside_the_range_is_refused_on_the_writing_page(attendee_client, value):
    talk = TalkFactory()
    data = note_data(
        **{
            "actions-TOTAL_FORMS": "1",
            "actions-0-title": "Try contract tests",
            "actions-0-due_on": value,
        }
    )

    response = attendee_client.post(new_note_url(talk), data)

    assert response.status_code == 200
    forms = response.context["writing"].action_points.forms
    assert [form.errors for form in forms] == [{"due_on": [out_of_range(value)]}]
    assert (Note.objects.count(), ActionPoint.objects.count()) == (0, 0)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_due_date_outside_the_range_is_refused_on_the_follow_up_page(staff, value):
    action_point = ActionPointFactory()

    response = post_update(logged_in(staff), action_point, due_on=value)

    assert response.context["form"].errors == {"due_on": [out_of_range(value)]}
    action_point.refresh_from_db()
    assert (action_point.due_on, action_point.version) == (None, 1)
    assert ActionPointChange.objects.count() == 0


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_due_date_outside_the_range_is_refused_in_the_admin(staff_client, value):
    action_point = ActionPointFactory()
    url = reverse("admin:actions_actionpoint_change", args=[action_point.pk])

    response = staff_client.post(url, admin_change_form(action_point, due_on=value))

    assert response.context["adminform"].form.errors == {"due_on": [out_of_range(value)]}
    action_point.refresh_from_db()
    assert action_point.due_on is None


# 2026-01-01 typed with an East Asian input method (full-width digits).
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in "2026-01-01")


def test_full_width_digits_are_refused_on_the_writing_page(attendee_client):
    talk = TalkFactory()
    data = note_data(
        **{"actions-TOTAL_FORMS": "1", "actions-0-title": "Try it", "actions-0-due_on": FULL_WIDTH}
    )

    response = attendee_client.post(new_note_url(talk), data)

    forms = response.context["writing"].action_points.forms
    assert [form.errors for form in forms] == [{"due_on": ["Enter a valid date."]}]
    assert (Note.objects.count(), ActionPoint.objects.count()) == (0, 0)


def test_full_width_digits_are_refused_on_the_follow_up_page(staff_client):
    action_point = ActionPointFactory()

    response = post_update(staff_client, action_point, due_on=FULL_WIDTH)

    assert response.context["form"].errors == {
        "due_on": ["Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."]
    }
    action_point.refresh_from_db()
    assert action_point.due_on is None


def test_full_width_digits_are_refused_in_the_admin(staff_client):
    response = staff_client.post(reverse("admin:talks_event_add"), event_data(starts_on=FULL_WIDTH))
    assert response.context["adminform"].form.errors["starts_on"] == ["Enter a valid date."]
    assert Event.objects.count() == 0


# --- Bidirectional controls in tag names ---------------------------------------------

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


def bidi_refused(name: str, control: str) -> str:
    return (
        f"“{name}” cannot be a tag: it holds an invisible character that reverses the "
        f"text around it (a bidirectional control, U+{ord(control):04X}). Type it again "
        "without it."
    )


@pytest.mark.parametrize("control", BIDI)
def test_bidi_control_in_a_takeaway_tag_is_refused_and_nothing_is_saved(attendee_client, control):
    talk = TalkFactory()
    data = note_data(
        **{
            "takeaways-TOTAL_FORMS": "1",
            "takeaways-0-text": "Measure first.",
            "takeaways-0-tags": f"devops, evil{control}txt.exe",
        }
    )

    response = attendee_client.post(new_note_url(talk), data)

    forms = response.context["writing"].takeaways.forms
    assert [form.errors for form in forms] == [{"tags": [bidi_refused("eviltxt.exe", control)]}]
    assert (Note.objects.count(), Tag.objects.count()) == (0, 0)


def test_bidi_control_in_a_talks_tags_is_refused_in_the_admin(staff_client):
    event = EventFactory()
    response = staff_client.post(
        reverse("admin:talks_talk_add"),
        {"event": event.pk, "title": "Chaos", "slug": "", "kind": "talk", "tags": "a\u202eb"},
    )
    assert response.context["adminform"].form.errors == {"tags": [bidi_refused("ab", "\u202e")]}
    assert (Talk.objects.count(), Tag.objects.count()) == (0, 0)


def test_renaming_a_tag_to_a_name_with_a_bidi_control_is_refused(staff_client):
    tag = Tag.objects.create(name="devops", slug="devops")
    response = staff_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]),
        {"name": "dev\u2067ops", "slug": "devops"},
    )
    assert response.context["adminform"].form.errors == {"name": [bidi_refused("devops", "\u2067")]}
    tag.refresh_from_db()
    assert tag.name == "devops"


def test_validate_tag_name_refuses_a_bidi_control():
    with pytest.raises(ValidationError) as refused:
        validate_tag_name("\u2066rtl\u2069")
    assert refused.value.messages == [bidi_refused("rtl", "\u2066")]


# --- The same note form sent twice, one after the other -------------------------------


def sent_page(client, talk: Talk) -> dict:
    """The writing page's POST with the one-time value the page was shown with."""
    shown = client.get(new_note_url(talk)).context["writing"].note
    return note_data(submission_token=shown["submission_token"].value(), title="Chaos day")


def test_the_writing_page_carries_a_new_one_time_value_each_time(attendee_client):
    talk = TalkFactory()
    first, second = (sent_page(attendee_client, talk) for _ in range(2))
    assert first["submission_token"] != second["submission_token"]
    html = attendee_client.get(new_note_url(talk)).content.decode()
    assert 'type="hidden" name="submission_token"' in html


def test_sending_the_same_form_again_goes_to_the_note_saved_the_first_time(attendee_client):
    talk = TalkFactory()
    page = sent_page(attendee_client, talk)
    page.update({"actions-TOTAL_FORMS": "1", "actions-0-title": "Plan a game day"})

    first = attendee_client.post(new_note_url(talk), page, follow=True)
    again = attendee_client.post(new_note_url(talk), page, follow=True)

    note = Note.objects.get()
    assert first.redirect_chain[0][0] == again.redirect_chain[0][0] == note.get_absolute_url()
    assert [str(m) for m in again.context["messages"]] == [
        "This form was sent twice: your note was saved the first time, once."
    ]
    assert (Note.objects.count(), ActionPoint.objects.count()) == (1, 1)


def test_two_forms_with_the_same_text_save_two_notes(attendee_client):
    talk = TalkFactory()
    for _ in range(2):
        attendee_client.post(new_note_url(talk), sent_page(attendee_client, talk))
    assert Note.objects.count() == 2


def test_someone_elses_note_with_the_same_value_is_not_theirs(attendee, staff):
    talk = TalkFactory()
    bob, alice = logged_in(attendee), logged_in(staff)
    page = sent_page(bob, talk)

    bob.post(new_note_url(talk), page)
    response = alice.post(new_note_url(talk), page)

    assert response.status_code == 302
    assert sorted(Note.objects.values_list("author__username", flat=True)) == ["alice", "bob"]


def test_a_form_whose_one_time_value_is_damaged_is_refused_and_saves_nothing(attendee_client):
    talk = TalkFactory()

    response = attendee_client.post(new_note_url(talk), note_data(submission_token="not-a-uuid"))

    assert response.context["writing"].note.errors == {
        "submission_token": ["This form was damaged on the way: reload the page and try again."]
    }
    assert Note.objects.count() == 0
