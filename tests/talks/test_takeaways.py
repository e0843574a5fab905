"""The takeaways page: tags with AND / OR / NOT, event, year, speaker and author
filters, tag facets, and shareable, forgiving URLs."""

import datetime

import pytest
from taggit.models import Tag

from talks.models import TAG_COUNT_SAMPLE, TaggedTakeaway, Takeaway
from tests.factories import (
    EventFactory,
    OpenSpaceFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    assert response.status_code == 200
    return [takeaway.text for takeaway in response.context["page"]]


def takeaway(text: str, *tags: str, **kwargs):
    item = TakeawayFactory(text=text, **kwargs)
    item.tags.add(*tags)
    return item


@pytest.fixture
def tagged():
    """Four takeaways, newest last, over three tags."""
    takeaway("obs only", "observability")
    takeaway("culture only", "culture")
    takeaway("obs and culture", "observability", "culture")
    takeaway("obs, culture and hiring", "observability", "culture", "hiring")
    takeaway("untagged")


def test_newest_first_without_filters(attendee_client, tagged):
    assert texts(attendee_client.get("/takeaways/")) == [
        "untagged",
        "obs, culture and hiring",
        "obs and culture",
        "culture only",
        "obs only",
    ]


def test_all_of_the_tags_is_the_default(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=observability&tag=culture")
    assert texts(response) == ["obs, culture and hiring", "obs and culture"]
    assert response.context["filter"].form["match"].value() == "all"


def test_all_of_the_tags(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=observability&tag=culture&match=all")
    assert texts(response) == ["obs, culture and hiring", "obs and culture"]


def test_any_of_the_tags(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=observability&tag=hiring&match=any")
    assert texts(response) == [
        "obs, culture and hiring",
        "obs and culture",
        "obs only",
    ]


def test_excluding_tags(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?exclude=culture")
    assert texts(response) == ["untagged", "obs only"]


def test_all_of_the_tags_but_not_another(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=observability&tag=culture&exclude=hiring")
    assert texts(response) == ["obs and culture"]


def test_any_of_the_tags_but_not_others(attendee_client, tagged):
    url = "/takeaways/?tag=observability&tag=culture&match=any&exclude=hiring&exclude=culture"
    assert texts(attendee_client.get(url)) == ["obs only"]


def test_tags_may_be_comma_separated_and_any_case(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=Observability,CULTURE")
    assert texts(response) == ["obs, culture and hiring", "obs and culture"]


def test_a_tag_both_chosen_and_excluded_matches_nothing(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=culture&exclude=culture")
    assert texts(response) == []
    assert "No takeaways match these filters." in response.text


def test_filter_by_event_and_year(attendee_client):
    oslo = EventFactory(slug="oslo-2025", starts_on=datetime.date(2025, 9, 1))
    lisbon = EventFactory(slug="lisbon-2026", starts_on=datetime.date(2026, 4, 16))
    takeaway("at oslo", talk=TalkFactory(event=oslo))
    takeaway("at oslo, on the event", talk=None, event=oslo)
    takeaway("at lisbon", talk=None, open_space=OpenSpaceFactory(event=lisbon), event=lisbon)
    assert texts(attendee_client.get("/takeaways/?event=oslo-2025")) == [
        "at oslo, on the event",
        "at oslo",
    ]
    assert texts(attendee_client.get("/takeaways/?year=2026")) == ["at lisbon"]


def test_filter_by_speaker_slug_or_name(attendee_client):
    hanna = SpeakerFactory(name="Hanna Lindqvist")
    talk = TalkFactory(speakers=[hanna, SpeakerFactory()])
    takeaway("from hanna's talk", talk=talk)
    takeaway("from another talk", talk=TalkFactory(speakers=[SpeakerFactory()]))
    assert texts(attendee_client.get(f"/takeaways/?speaker={hanna.slug}")) == ["from hanna's talk"]
    assert texts(attendee_client.get("/takeaways/?speaker=hanna+lindqvist")) == [
        "from hanna's talk"
    ]


def test_filter_by_author(attendee_client, attendee):
    takeaway("bob's", author=attendee)
    takeaway("someone else's", author=UserFactory())
    assert texts(attendee_client.get("/takeaways/?author=bob")) == ["bob's"]


def test_filters_combine(attendee_client, attendee):
    event = EventFactory(slug="oslo-2025")
    takeaway("bob, oslo, obs", "observability", author=attendee, talk=TalkFactory(event=event))
    takeaway("bob, oslo, culture", "culture", author=attendee, talk=TalkFactory(event=event))
    takeaway("bob, elsewhere, obs", "observability", author=attendee)
    takeaway("other, oslo, obs", "observability", talk=TalkFactory(event=event))
    response = attendee_client.get("/takeaways/?event=oslo-2025&author=bob&tag=observability")
    assert texts(response) == ["bob, oslo, obs"]


def test_unknown_tag_is_named_and_left_out(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=observability&tag=no-such-tag")
    assert "There is no tag called “no-such-tag”." in response.text
    assert texts(response) == ["obs, culture and hiring", "obs and culture", "obs only"]


def test_unknown_excluded_tag_is_named_and_left_out(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?exclude=nope&tag=hiring")
    assert "There is no tag called “nope”." in response.text
    assert texts(response) == ["obs, culture and hiring"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("event=no-such-event", "There is no event called “no-such-event”."),
        ("speaker=Nobody+Known", "There is no speaker called “Nobody Known”."),
        ("author=ghost", "There is nobody called “ghost”."),
        ("year=1850", "Select a valid choice. 1850 is not one of the available choices."),
        ("match=sometimes", "Select a valid choice. sometimes is not one of the available"),
    ],
)
def test_unknown_filter_values_are_named_and_left_out(attendee_client, tagged, query, message):
    response = attendee_client.get(f"/takeaways/?{query}")
    assert message in response.text
    assert len(texts(response)) == 5


def test_nonsense_page_number_shows_the_last_page(attendee_client):
    TakeawayFactory.create_batch(26)
    assert attendee_client.get("/takeaways/?page=99").context["page"].number == 2
    assert attendee_client.get("/takeaways/?page=x").context["page"].number == 1


def test_pagination_keeps_the_filters(attendee_client):
    for _ in range(26):
        takeaway("t", "culture")
    response = attendee_client.get("/takeaways/?tag=culture&exclude=hiring")
    assert 'href="?tag=culture&amp;exclude=hiring&amp;page=2"' in response.text


def facets(response) -> list[tuple[str, int, bool, bool]]:
    return [
        (tag.name, tag.count, tag.included, tag.excluded) for tag in response.context["tag_options"]
    ]


def test_facets_count_the_takeaways_shown(attendee_client, tagged):
    assert facets(attendee_client.get("/takeaways/")) == [
        ("culture", 3, False, False),
        ("observability", 3, False, False),
        ("hiring", 1, False, False),
    ]


def test_facets_under_a_tag_filter(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=observability")
    assert facets(response) == [
        ("observability", 3, True, False),
        ("culture", 2, False, False),
        ("hiring", 1, False, False),
    ]
    assert '<input type="checkbox" name="tag" value="observability" checked>' in response.text


def test_facets_under_an_exclusion_and_another_filter(attendee_client, attendee):
    takeaway("a", "observability", "culture", author=attendee)
    takeaway("b", "observability", author=attendee)
    takeaway("c", "observability", "hiring", author=attendee)
    takeaway("d", "observability", "culture")  # someone else's
    response = attendee_client.get("/takeaways/?author=bob&exclude=hiring")
    assert facets(response) == [
        ("hiring", 0, False, True),
        ("observability", 2, False, False),
        ("culture", 1, False, False),
    ]


def test_chosen_tags_are_offered_even_beyond_the_top_ones(attendee_client):
    for n in range(45):
        for _ in range(2):
            takeaway(f"t{n}", f"popular-{n:02}")
    takeaway("rare one", "rare")
    response = attendee_client.get("/takeaways/?tag=rare&match=any&tag=popular-00")
    names = [name for name, *_ in facets(response)]
    assert names[:2] == ["rare", "popular-00"]
    # Under "any of", every tag stays on offer (the top 40 besides the chosen), so
    # that a third can be added.
    assert len(names) == 42
    everything = facets(attendee_client.get("/takeaways/?exclude=rare"))
    assert len(everything) == 41  # the top 40 plus the excluded tag
    assert everything[0] == ("rare", 0, False, True)


def test_single_tag_offers_its_feed(attendee_client, tagged):
    response = attendee_client.get("/takeaways/?tag=culture")
    assert 'rel="alternate" type="application/atom+xml"' in response.text
    assert 'href="/tags/culture/feed/?key=' in response.text


def test_rows_link_their_source_event_and_author(attendee_client):
    talk = TalkFactory(title="Tracing", event=EventFactory(name="PyCon Lisbon"))
    takeaway("Sample less.", "observability", talk=talk, author=UserFactory(first_name="Ana"))
    response = attendee_client.get("/takeaways/")
    assert f'<a href="{talk.get_absolute_url()}">Tracing</a>' in response.text
    assert f'<a href="{talk.event.get_absolute_url()}">PyCon Lisbon</a>' in response.text
    assert '<a class="tag" href="/tags/observability/">observability</a>' in response.text


def test_filter_form_is_a_get_form_with_labels(attendee_client):
    response = attendee_client.get("/takeaways/")
    assert 'method="get" action="/takeaways/"' in response.text
    for field in ("event", "year", "speaker", "author"):
        assert f'<label for="id_{field}">' in response.text


def test_event_is_a_text_box_with_suggestions_not_a_dropdown(attendee_client):
    EventFactory.create_batch(60)
    response = attendee_client.get("/takeaways/")
    assert '<input type="text" name="event" id="id_event"' in response.text
    assert 'data-choices-url="/takeaways/choices/event/"' in response.text
    assert '<select name="event"' not in response.text


def test_empty_page_says_what_to_do(attendee_client):
    response = attendee_client.get("/takeaways/")
    assert "No takeaways yet." in response.text


def test_takeaway_list_runs_the_same_queries_for_3_and_30_takeaways(attendee_client, attendee):
    event = EventFactory(slug="oslo-2025")
    speaker = SpeakerFactory(slug="hanna")

    def add(n):
        for i in range(n):
            talk = TalkFactory(event=event, speakers=[speaker])
            takeaway(f"t{i}", "observability", f"tag-{i}", talk=talk, author=attendee)

    add(3)
    plain = count_queries(attendee_client, "/takeaways/")
    url = (
        "/takeaways/?tag=observability&tag=nope&exclude=hiring&match=any"
        "&event=oslo-2025&year=2026&speaker=hanna&author=bob"
    )
    filtered = count_queries(attendee_client, url)
    add(27)
    assert count_queries(attendee_client, "/takeaways/") == plain
    assert count_queries(attendee_client, url) == filtered
    assert len(texts(attendee_client.get(url))) == 25


def test_tag_counts_describe_the_latest_takeaways_only():
    takeaway("oldest", "culture")
    takeaway("older", "culture", "hiring")
    takeaway("newest", "hiring")
    counted = Takeaway.objects.newest_first().tag_counts(limit=10, within=2)
    assert [(tag.name, tag.count) for tag in counted] == [("hiring", 2), ("culture", 1)]


def test_facets_say_when_they_count_only_the_latest_matches(attendee_client):
    author, event = UserFactory(), EventFactory()
    rows = Takeaway.objects.bulk_create(
        Takeaway(text=f"t{n}", author=author, event=event) for n in range(TAG_COUNT_SAMPLE + 1)
    )
    TaggedTakeaway.objects.bulk_create(
        TaggedTakeaway(content_object=row, tag=Tag.objects.get_or_create(name="culture")[0])
        for row in rows
    )
    response = attendee_client.get("/takeaways/?tag=culture")
    assert facets(response) == [("culture", TAG_COUNT_SAMPLE, True, False)]
    assert "counted in the latest 2,000 of the 2,001 that match." in response.text


def test_facets_are_exact_when_few_match(attendee_client, tagged):
    response = attendee_client.get("/takeaways/")
    assert "counted in the latest" not in response.text


def test_the_event_filter_ignores_case_and_shows_the_event_by_name(attendee_client):
    oslo = EventFactory(slug="oslo-2025", name="DevOpsDays Oslo")
    takeaway("at oslo", talk=TalkFactory(event=oslo))
    takeaway("elsewhere")
    response = attendee_client.get("/takeaways/?event=Oslo-2025")
    assert texts(response) == ["at oslo"]
    assert '<input type="hidden" name="event" value="oslo-2025">' in response.text
    assert '<span class="chosen-label">DevOpsDays Oslo</span>' in response.text
    response = attendee_client.get("/takeaways/?event=Nowhere-2025")
    assert "There is no event called “Nowhere-2025”." in response.text
