"""The takeaways page for managers: themes first (top tags with counts and a bar per
event year, each a link that narrows the list), the list grouped by event or by tag
and dated by the event, tag facets that keep every tag under "any of", and a form
that works without JavaScript."""

import datetime
import html
import re

import pytest

from talks.models import Takeaway
from tests.factories import EventFactory, TakeawayFactory, TalkFactory, UserFactory
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def takeaway(text: str, *tags: str, event=None, **kwargs) -> Takeaway:
    if event is not None:
        kwargs["talk"] = TalkFactory(event=event)
    item = TakeawayFactory(text=text, **kwargs)
    item.tags.add(*tags)
    return item


def themes(response) -> list[tuple[str, int]]:
    return [(tag.name, tag.count) for tag in response.context["themes"]]


def texts(response) -> list[str]:
    assert response.status_code == 200
    return [
        html.unescape(text)
        for text in re.findall(r'<p class="takeaway-text">([^<]*)</p>', response.text)
    ]


@pytest.fixture
def conferences():
    """Two events a year apart; takeaways typed in an order unlike their events'."""
    oslo = EventFactory(name="DevOpsDays Oslo", starts_on=datetime.date(2025, 10, 14))
    lisbon = EventFactory(name="PyCon Lisbon", starts_on=datetime.date(2026, 4, 16))
    takeaway("Trace the slow path.", "observability", "kubernetes", event=lisbon)
    takeaway("Alert on symptoms.", "observability", event=oslo)
    takeaway("Pods are cattle.", "kubernetes", event=oslo)
    takeaway("Blameless reviews.", "culture", "observability", event=lisbon)
    return oslo, lisbon


def test_themes_are_the_most_used_tags_with_their_counts(attendee_client, conferences):
    response = attendee_client.get("/takeaways/")
    assert themes(response) == [("observability", 3), ("kubernetes", 2), ("culture", 1)]
    assert '<h2 id="themes-heading">Themes</h2>' in response.text


def test_a_theme_narrows_the_list_to_it(attendee_client, conferences):
    response = attendee_client.get("/takeaways/?tag=observability")
    # The chosen tag is on every takeaway shown: no theme.
    assert themes(response) == [("culture", 1), ("kubernetes", 1)]
    link = next(tag.narrow_url for tag in response.context["themes"] if tag.name == "kubernetes")
    assert link == "?tag=observability&tag=kubernetes"
    assert '<a class="theme" href="?tag=observability&amp;tag=kubernetes">' in response.text
    assert texts(attendee_client.get(f"/takeaways/{link}")) == ["Trace the slow path."]


def test_under_any_of_a_theme_shows_its_takeaways(attendee_client, conferences):
    response = attendee_client.get("/takeaways/?tag=culture&tag=kubernetes&match=any")
    assert themes(response) == [
        ("kubernetes", 2),
        ("observability", 2),
        ("culture", 1),
    ]
    link = next(tag.narrow_url for tag in response.context["themes"] if tag.name == "culture")
    assert link == "?tag=culture"
    assert texts(attendee_client.get(f"/takeaways/{link}")) == ["Blameless reviews."]


def test_themes_have_a_bar_per_event_year(attendee_client, conferences):
    response = attendee_client.get("/takeaways/")
    observability = response.context["themes"].tags[0]
    assert observability.years == {2025: 1, 2026: 2}
    assert [(bar["year"], bar["n"], bar["height"]) for bar in observability.bars] == [
        (2025, 1, 12),
        (2026, 2, 24),
    ]
    assert 'aria-label="observability by event year: 2025: 1, 2026: 2"' in response.text
    assert "with a bar per event year, 2025–2026" in response.text  # noqa: RUF001


def test_years_without_takeaways_get_an_empty_bar(attendee_client):
    takeaway("old", "sre", event=EventFactory(starts_on=datetime.date(2022, 3, 1)))
    takeaway("new", "sre", event=EventFactory(starts_on=datetime.date(2024, 3, 1)))
    tag = attendee_client.get("/takeaways/").context["themes"].tags[0]
    assert [(bar["year"], bar["n"]) for bar in tag.bars] == [(2022, 1), (2023, 0), (2024, 1)]


def test_themes_leave_out_excluded_tags(attendee_client, conferences):
    response = attendee_client.get("/takeaways/?exclude=culture")
    assert themes(response) == [("kubernetes", 2), ("observability", 2)]


def test_any_of_keeps_every_tag_on_offer_so_a_third_can_be_added(attendee_client, conferences):
    takeaway("Hire for curiosity.", "hiring")
    response = attendee_client.get("/takeaways/?tag=culture&tag=kubernetes&match=any")
    offered = [(tag.name, tag.count, tag.included) for tag in response.context["tag_options"]]
    assert offered == [
        ("culture", 1, True),
        ("kubernetes", 2, True),
        ("observability", 3, False),
        ("hiring", 1, False),
    ]
    assert '<input type="checkbox" name="tag" value="hiring">' in response.text
    third = attendee_client.get("/takeaways/?tag=culture&tag=kubernetes&tag=hiring&match=any")
    assert texts(third) == [
        "Hire for curiosity.",  # at the latest event
        "Blameless reviews.",
        "Trace the slow path.",
        "Pods are cattle.",
    ]


def test_the_list_is_grouped_by_event_latest_first_and_dated_by_the_event(
    attendee_client, conferences
):
    response = attendee_client.get("/takeaways/")
    headings = re.findall(
        r'<h3 class="group-heading"[^>]*><a [^>]*>([^<]*)</a> <time[^>]*>([^<]*)<', response.text
    )
    assert headings == [("PyCon Lisbon", "16 Apr 2026"), ("DevOpsDays Oslo", "14 Oct 2025")]
    assert texts(response) == [
        "Blameless reviews.",
        "Trace the slow path.",
        "Pods are cattle.",
        "Alert on symptoms.",
    ]
    typed_on = Takeaway.objects.first().created_at.strftime("%-d %b %Y")
    assert typed_on not in response.text


def test_grouped_by_tag_each_theme_shows_its_latest_takeaways(attendee_client, conferences):
    response = attendee_client.get("/takeaways/?group=tag")
    groups = [
        (tag.name, [t.text for t in tag.takeaways]) for tag in response.context["theme_groups"]
    ]
    assert groups == [
        ("observability", ["Blameless reviews.", "Trace the slow path.", "Alert on symptoms."]),
        ("kubernetes", ["Trace the slow path.", "Pods are cattle."]),
        ("culture", ["Blameless reviews."]),
    ]
    assert 'PyCon Lisbon</a>, <time datetime="2026-04-16">16 Apr 2026</time>' in response.text
    assert '<a href="?group=tag&amp;tag=culture">All takeaways on culture' in response.text
    assert '<p class="meta result-count">4 takeaways</p>' in response.text


def test_the_grouping_switch_keeps_the_filters(attendee_client, conferences):
    response = attendee_client.get("/takeaways/?tag=observability&page=1")
    assert response.context["by_tag_url"] == "?tag=observability&group=tag"
    grouped = attendee_client.get("/takeaways/?tag=observability&group=tag")
    assert grouped.context["by_event_url"] == "?tag=observability"
    # The form keeps the grouping when filters change.
    assert '<input type="hidden" name="group" value="tag">' in grouped.text


def test_a_tag_typed_by_name_is_found(attendee_client):
    takeaway("Golden paths.", "Platform Engineering")
    takeaway("Other.", "culture")
    response = attendee_client.get("/takeaways/?tag=platform+engineering")
    assert texts(response) == ["Golden paths."]
    assert "There is no tag called" not in response.text


def test_the_form_works_without_scripts_and_the_script_is_a_file(attendee_client, conferences):
    response = attendee_client.get("/takeaways/")
    assert response.text.count('<button type="submit">Apply filters</button>') == 1
    assert re.findall(r"<script[^>]*>", response.text) == [
        '<script src="/static/js/takeaway-filters.js" defer>'
    ]
    assert response.text.count("<h1>") == 1


def test_other_peoples_draft_takeaways_stay_hidden(attendee_client, attendee):
    from tests.factories import NoteFactory

    draft = NoteFactory(status="draft", author=UserFactory())
    takeaway("Someone's draft.", "sre", note=draft, event=draft.event)
    mine = NoteFactory(status="draft", author=attendee)
    takeaway("My draft.", "sre", note=mine, event=mine.event, author=attendee)
    takeaway("Public.", "sre")
    response = attendee_client.get("/takeaways/?tag=sre")
    assert sorted(texts(response)) == ["My draft.", "Public."]
    assert themes(attendee_client.get("/takeaways/")) == [("sre", 2)]


@pytest.mark.parametrize(
    "url",
    [
        "/takeaways/",
        "/takeaways/?tag=observability&tag=kubernetes&match=all&exclude=culture",
        "/takeaways/?tag=observability&tag=kubernetes&match=any&event=oslo&author=bob",
        "/takeaways/?tag=observability&group=tag",
    ],
)
def test_the_page_runs_the_same_queries_for_3_and_30_takeaways(attendee_client, attendee, url):
    oslo = EventFactory(name="DevOpsDays Oslo", slug="oslo")
    tags = ["observability", "kubernetes", "culture", "sre", "hiring", "security", "ci-cd"]

    def add(n: int) -> None:
        for i in range(n):
            event = oslo if i % 2 else EventFactory(starts_on=datetime.date(2020 + i % 7, 5, 1))
            takeaway(f"t{i}", *tags[: 2 + i % 6], event=event, author=attendee)

    add(3)
    before = count_queries(attendee_client, url)
    add(27)
    assert count_queries(attendee_client, url) == before


def test_tags_alone_are_counted_from_the_tag_index_as_the_list_shows(attendee_client, attendee):
    from tests.factories import NoteFactory

    draft = NoteFactory(status="draft", author=UserFactory())
    takeaway("Someone's draft.", "sre", "oncall", note=draft, event=draft.event)
    takeaway("Both.", "sre", "oncall")
    takeaway("Both, but excluded.", "sre", "oncall", "hiring")
    takeaway("One.", "sre")
    response = attendee_client.get("/takeaways/?tag=sre&tag=oncall&exclude=hiring")
    assert response.context["filter"].tag_index_ids is not None  # the cheap path
    assert texts(response) == ["Both."]
    assert '<p class="meta result-count">1 takeaway</p>' in response.text
    assert themes(response) == []  # the chosen tags are on every one: no theme
    facets = [(tag.name, tag.count) for tag in response.context["tag_options"]]
    assert facets == [("sre", 1), ("oncall", 1), ("hiring", 0)]
