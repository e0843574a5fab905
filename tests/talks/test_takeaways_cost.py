"""What the takeaways page costs to build: the match count for one or two tags read
from the kept counts (exact, other people's drafts left out, the reader's own in),
and its rows written in Python (``talks.templatetags.takeaway_rows``) with exactly
the markup of ``talks/_takeaway_item.html``."""

import datetime
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.template import engines
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify
from taggit.models import Tag

from talks.models import Event, Note, Takeaway
from talks.templatetags.takeaway_rows import facet_items, takeaway_items
from tests.factories import (
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def shown_count(response) -> str:
    assert response.status_code == 200
    return re.search(r'<p class="meta result-count">([^<]*)</p>', response.text).group(1)


@pytest.fixture
def rows():
    """Takeaways of every shape a row shows: from a talk, an open space and the
    event; with and without tags; names and texts needing escapes."""
    event = EventFactory(name="Ops & <Dev> Days", slug="ops-days")
    ada = UserFactory(username="ada", first_name="Ada", last_name="O'Hara")
    bob = UserFactory(username="bob<b>")
    talk = TalkFactory(event=event, title="Tracing <without> tears")
    space = OpenSpaceFactory(event=event, topic='Hiring "juniors"')
    TakeawayFactory(talk=talk, text="Sample <b>boring</b> traces", author=ada).tags.add(
        "tracing", "R&D"
    )
    TakeawayFactory(open_space=space, event=event, talk=None, text="Pair them", author=bob)
    TakeawayFactory(event=event, talk=None, text="Whole event & more", author=ada)
    return Takeaway.objects.with_listing_relations().newest_first()


@pytest.mark.parametrize("show_event", [False, True])
def test_rows_write_exactly_what_the_row_template_wrote(rows, show_event):
    takeaways = list(rows)
    expected = "".join(
        render_to_string(
            "talks/_takeaway_item.html", {"takeaway": takeaway, "show_event": show_event}
        )
        for takeaway in takeaways
    )
    assert len(takeaways) == 3
    assert takeaway_items(takeaways, show_event=show_event) == expected


def test_the_page_lists_its_rows_with_their_tags_source_and_escapes(attendee_client, rows):
    response = attendee_client.get("/takeaways/")
    assert '<p class="takeaway-text">Sample &lt;b&gt;boring&lt;/b&gt; traces</p>' in response.text
    assert '<a class="tag" href="/tags/rd/">R&amp;D</a>' in response.text
    assert "bob&lt;b&gt; · from" in response.text
    assert 'Hiring &quot;juniors&quot;</a> <span class="meta">(open space)</span>' in (
        response.text
    )


def _draft(talk, author) -> None:
    note = NoteFactory(talk=talk, author=author, status=Note.Status.DRAFT)
    TakeawayFactory(talk=talk, note=note, author=author).tags.add("observability", "kubernetes")


def test_two_tags_count_the_readers_own_drafts_and_no_one_elses(attendee_client, attendee):
    talk = TalkFactory()
    for tags in (
        ["observability", "kubernetes"],
        ["observability", "kubernetes"],
        ["observability"],
    ):
        TakeawayFactory(talk=talk).tags.add(*tags)
    _draft(talk, attendee)
    _draft(talk, UserFactory())
    both = attendee_client.get("/takeaways/?tag=observability&tag=kubernetes")
    assert shown_count(both) == "3 takeaways"
    assert len(both.context["page"]) == 3
    one = attendee_client.get("/takeaways/?tag=observability")
    assert shown_count(one) == "4 takeaways"
    assert len(one.context["page"]) == 4


def test_one_tag_is_counted_from_its_kept_use_count_not_the_links(attendee_client):
    TakeawayFactory().tags.add("observability", "kubernetes")
    with CaptureQueriesContext(connection) as captured:
        response = attendee_client.get("/takeaways/?tag=observability")
    assert shown_count(response) == "1 takeaway"
    counts = [q["sql"] for q in captured.captured_queries if "count(" in q["sql"].lower()]
    assert [sql for sql in counts if "talks_taguse" in sql] == counts[:1]
    assert not any('COUNT(*) AS "__count"' in sql for sql in counts)


def test_three_tags_or_an_exclusion_are_still_counted_exactly(attendee_client):
    for tags in (["a", "b", "c"], ["a", "b"], ["a", "b", "d"]):
        TakeawayFactory().tags.add(*tags)
    assert shown_count(attendee_client.get("/takeaways/?tag=a&tag=b&tag=c")) == "1 takeaway"
    assert shown_count(attendee_client.get("/takeaways/?tag=a&tag=b&exclude=d")) == "2 takeaways"


# The loop the page's template had over its tags, kept here as the reference.
FACET_LOOP = """{% for tag in tag_options %}
      <li{% if tag.included or tag.excluded %} class="chosen"{% endif %}>
        <label class="facet-include"><input type="checkbox" name="tag" value="{{ tag.slug }}"{% if tag.included %} checked{% endif %}> {{ tag.name }}</label>
        <span class="facet-count">{{ tag.count }}<span class="visually-hidden"> takeaway{{ tag.count|pluralize }}</span></span>
        <label class="facet-exclude"><input type="checkbox" name="exclude" value="{{ tag.slug }}"{% if tag.excluded %} checked{% endif %}> not<span class="visually-hidden"> {{ tag.name }}</span></label>
      </li>
      {% empty %}
      <li class="empty">No tags on these takeaways.</li>
      {% endfor %}"""  # noqa: E501


def _tag(name: str, count: int, *, included=False, excluded=False) -> Tag:
    tag = Tag(name=name, slug=slugify(name) or "x")
    tag.count, tag.included, tag.excluded = count, included, excluded
    return tag


@pytest.mark.parametrize(
    "tags",
    [
        [],
        [
            _tag("R&D <lab>", 1, included=True),
            _tag('"quoted"', 0, excluded=True),
            _tag("observability", 12345),
        ],
    ],
)
def test_facets_write_exactly_what_the_template_loop_wrote(tags):
    expected = engines["django"].from_string(FACET_LOOP).render({"tag_options": tags})
    assert facet_items(tags) == expected


def test_the_page_offers_each_tag_of_the_takeaways_shown_with_its_count(attendee_client):
    for tags in (["observability", "kubernetes"], ["observability"]):
        TakeawayFactory().tags.add(*tags)
    response = attendee_client.get("/takeaways/?tag=observability")
    assert re.findall(
        r'name="tag" value="([^"]+)"( checked)?> [^<]*</label>\s*'
        r'<span class="facet-count">(\d+)',
        response.text,
    ) == [("observability", " checked", "2"), ("kubernetes", "", "1")]


def test_the_year_list_names_each_year_with_events_newest_first():
    for day in ("2019-12-31", "2019-01-01", "2021-06-01", "2017-03-03"):
        EventFactory(starts_on=datetime.date.fromisoformat(day))
    assert Event.objects.years() == [2021, 2019, 2017]
    assert Event.objects.years() == [
        day.year for day in Event.objects.dates("starts_on", "year", order="DESC")
    ]
    assert Event.objects.filter(starts_on__year__lt=2021).years() == [2019, 2017]


def test_tags_named_in_the_url_are_found_through_indexes():
    form_query = (
        Tag.objects.annotate(lower_name=Lower("name"))
        .filter(Q(slug__in=["observability"]) | Q(lower_name__in=["observability"]))
        .query
    )
    sql, params = form_query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "talks_tag_lower_name_idx" in plan
    assert "Seq Scan" not in plan
