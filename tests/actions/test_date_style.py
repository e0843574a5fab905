"""One display style for dates across the site ("20 Dec 2026", with a time
"20 Dec 2026, 14:05"), and a warning when a due date is set in the past."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from actions.models import ActionPoint, ActionPointChange
from tests.factories import ActionPointFactory, EventFactory
from tests.helpers import days_from_today, post_update

pytestmark = pytest.mark.django_db

EVENT_DAY = datetime.date(2026, 5, 12)
PAST_WARNING = "is in the past, so it shows as overdue."


def shown(day: datetime.date) -> str:
    """The site's style, spelled out here so that a change of setting shows up."""
    return f"{day.day} {day:%b %Y}"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def warnings(response) -> list[str]:
    return [
        str(message)
        for message in get_messages(response.wsgi_request)
        if message.level_tag == "warning"
    ]


@pytest.fixture
def due_point(staff):
    return ActionPointFactory(
        event=EventFactory(starts_on=EVENT_DAY, ends_on=EVENT_DAY),
        assignee=staff,
        due_on=days_from_today(10),
    )


def test_follow_up_list_shows_due_date_in_the_site_style(staff_client, due_point):
    html = page(staff_client, "/follow-ups/")

    assert (
        f'<time datetime="{due_point.due_on.isoformat()}">{shown(due_point.due_on)}</time>' in html
    )


def test_follow_up_page_shows_due_date_and_history_time_in_the_site_style(staff_client, due_point):
    post_update(staff_client, due_point, comment="Asked the speaker.")
    ActionPointChange.objects.filter(action_point=due_point).update(
        changed_at=datetime.datetime(2026, 12, 20, 14, 5, tzinfo=datetime.UTC)
    )

    html = page(staff_client, due_point.get_absolute_url())

    assert f">{shown(due_point.due_on)}</time>" in html
    assert ">20 Dec 2026, 14:05</time>" in html


def test_dashboard_shows_event_date_in_the_site_style(staff_client, due_point):
    assert f"{shown(EVENT_DAY)}" in page(staff_client, "/")


def test_event_page_shows_event_date_in_the_site_style(staff_client, due_point):
    html = page(staff_client, due_point.event.get_absolute_url())

    assert f'<p class="meta">{shown(EVENT_DAY)}' in html


def test_past_due_date_on_follow_up_page_saves_with_a_warning(staff_client, due_point):
    yesterday = days_from_today(-1)

    response = post_update(staff_client, due_point, due_on=yesterday.isoformat())

    assert response.status_code == 302
    assert ActionPoint.objects.get(pk=due_point.pk).due_on == yesterday
    assert warnings(response) == [f"The due date {shown(yesterday)} {PAST_WARNING}"]


def test_future_due_date_on_follow_up_page_has_no_warning(staff_client, due_point):
    response = post_update(staff_client, due_point, due_on=days_from_today(3).isoformat())

    assert response.status_code == 302
    assert warnings(response) == []


def test_unchanged_past_due_date_is_not_warned_about_again(staff_client, staff):
    point = ActionPointFactory(assignee=staff, due_on=days_from_today(-5))

    response = post_update(staff_client, point, comment="Still on it.")

    assert warnings(response) == []


def test_past_due_date_on_a_new_notes_action_point_saves_with_a_warning(attendee_client):
    event = EventFactory()
    yesterday = days_from_today(-1)
    data = {
        "title": "",
        "body": "Notes.",
        "status": "published",
        "takeaways-TOTAL_FORMS": "0",
        "takeaways-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-title": "Write to the speaker",
        "actions-0-due_on": yesterday.isoformat(),
    }

    response = attendee_client.post(reverse("notes:new-for-event", args=[event.slug]), data)

    assert response.status_code == 302
    assert ActionPoint.objects.get(title="Write to the speaker").due_on == yesterday
    assert warnings(response) == [
        f"“Write to the speaker”: The due date {shown(yesterday)} {PAST_WARNING}"
    ]
