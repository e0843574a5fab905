"""What posting a note costs: its takeaways' and action points' tags are looked up
together and linked in one insert per kind (the same queries however many tags and
rows), with taggit's meaning kept (names matched case-insensitively, the oldest of
several matches, new tags made, one tag per name whatever its case), and the writing
page's inputs are written in Python rather than through a template each."""

import pytest
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange
from talks.models import Takeaway
from tests.factories import TalkFactory, UserFactory
from tests.notes.test_writing import new_note_url, page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return UserFactory(role="attendee")


@pytest.fixture
def talk():
    return TalkFactory()


def post(writer, talk, takeaways, action_points):
    client = Client()
    client.force_login(writer)
    client.get(new_note_url(talk))  # one-time caches (permissions, content types)
    data = page_data(takeaways=takeaways, action_points=action_points)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(new_note_url(talk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(captured.captured_queries)


def test_the_queries_of_a_post_do_not_grow_with_its_tags_or_takeaways(writer, talk):
    for name in ("observability", "a", "b", "c", "d", "e"):
        Tag.objects.create(name=name)
    few = post(
        writer,
        talk,
        [{"text": "One", "tags": "observability"}],
        [{"title": "Do it", "tags": "observability"}],
    )
    many = post(
        writer,
        talk,
        [{"text": f"Takeaway {n}", "tags": "observability, a, b, C, d"} for n in range(4)],
        [{"title": "Do it again", "tags": "observability, e, A, b"}],
    )

    assert many == few


def test_the_busy_day_post_costs_a_fixed_number_of_queries(writer, talk):
    Tag.objects.create(name="observability")
    Tag.objects.create(name="kubernetes")
    takeaways = [
        {"text": "Busy takeaway a", "tags": "observability"},
        {"text": "Busy takeaway b", "tags": "kubernetes"},
    ]
    action_points = [{"title": "Busy follow-up", "tags": "observability"}]

    queries = post(writer, talk, takeaways, action_points)

    # Session and user, the talk, two constraint checks, then in the transaction: the
    # note, the tags (one query), the takeaways (one), the action point, the tag links
    # (one per kind), its history entry; the rest are savepoints (the test runs in a
    # transaction). Row by row, taggit's way, it was 42.
    assert queries == 19


def test_typed_tags_are_matched_to_existing_ones_as_taggit_matches_them(writer, talk):
    oldest = Tag.objects.create(name="Observability", slug="observability")
    Tag.objects.create(name="OBSERVABILITY", slug="observability-1")

    post(
        writer,
        talk,
        [{"text": "One", "tags": "observability, Brand New, brand new"}],
        [{"title": "Do it", "tags": "brand new, observability"}],
    )

    takeaway = Takeaway.objects.get(text="One")
    action_point = ActionPoint.objects.get(title="Do it")
    assert sorted(takeaway.tags.values_list("name", flat=True)) == ["Brand New", "Observability"]
    assert sorted(action_point.tags.values_list("name", flat=True)) == [
        "Brand New",
        "Observability",
    ]
    assert takeaway.tags.get(name="Observability") == oldest
    assert Tag.objects.filter(name__iexact="brand new").count() == 1


def test_the_action_points_history_entry_lists_its_tags_as_stored(writer, talk):
    Tag.objects.create(name="Observability")

    post(writer, talk, [], [{"title": "Do it", "tags": "observability, zebra"}])

    entry = ActionPointChange.objects.get(action_point__title="Do it")
    assert entry.changes == {
        "title": [None, "Do it"],
        "status": [None, "Open"],
        "event": [None, str(talk.event)],
        "talk": [None, str(talk)],
        "tags": [None, "Observability, zebra"],
    }
    assert entry.changed_by == writer


def test_the_writing_page_renders_no_input_through_a_template(writer, talk):
    client = Client()
    client.force_login(writer)
    rendered = []

    def record(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        response = client.get(new_note_url(talk))
    finally:
        template_rendered.disconnect(record)

    assert response.status_code == 200
    assert response.content.decode().count("<input") > 20
    widget_inputs = [name for name in rendered if name.endswith(("/input.html", "/text.html"))]
    assert widget_inputs == []
