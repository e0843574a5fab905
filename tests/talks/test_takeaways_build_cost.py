"""What the takeaways page costs to build (its fragment "takeaways"): the groups by
event written in Python around the rows (``takeaway_groups``, one cache of addresses
for the page), the themes' bar charts written without escaping each number, the same
markup as before; the tag sample dating only the tags the themes show; and a fixed
number of queries whatever the number of matches."""

import datetime
import re

import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

import common.templatetags.fragments as fragment_tags
from talks.models import Takeaway
from talks.models.takeaways import tag_counts_by_year
from talks.takeaway_filters import TakeawayFilter, Themes
from talks.templatetags.takeaway_rows import takeaway_groups
from tests.factories import (
    EventFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import days_from_today

pytestmark = pytest.mark.django_db

# The loop the page's template had over its groups, kept here as the reference.
GROUPS_LOOP = """{% load takeaway_rows %}{% regroup rows by event as groups %}{% for group in groups %}
  <section class="takeaway-group" aria-labelledby="group-{{ group.grouper.pk }}">
    <h3 class="group-heading" id="group-{{ group.grouper.pk }}"><a href="{{ group.grouper.get_absolute_url }}">{{ group.grouper.name }}</a> <time class="meta" datetime="{{ group.grouper.starts_on|date:'Y-m-d' }}">{{ group.grouper.starts_on|date:"DATE_FORMAT" }}</time></h3>
    <ul class="list takeaways">{% takeaway_items group.list %}</ul>
  </section>
  {% endfor %}"""  # noqa: E501


@pytest.fixture
def rows():
    """Takeaways at two events (names needing escapes), from a talk, an open space and
    the event, with and without tags, in the page's order (latest event first)."""
    older = EventFactory(name="Ops & <Dev> Days", slug="ops-days",
                         starts_on=days_from_today(-900))  # fmt: skip
    newer = EventFactory(name='"Quoted" Conf', slug="quoted-conf",
                         starts_on=days_from_today(-400))  # fmt: skip
    ada = UserFactory(username="ada", first_name="Ada", last_name="O'Hara")
    talk = TalkFactory(event=older, title="Tracing <without> tears")
    TakeawayFactory(talk=talk, text="Sample <b>boring</b> traces", author=ada).tags.add(
        "tracing", "R&D"
    )
    space = OpenSpaceFactory(event=older, topic='Hiring "juniors"')
    TakeawayFactory(open_space=space, event=older, talk=None, text="Pair them")
    TakeawayFactory(event=newer, talk=None, text="Whole event & more", author=ada)
    TakeawayFactory(event=newer, talk=TalkFactory(event=newer), text="Another")
    return list(Takeaway.objects.with_listing_relations().by_event_date())


def test_groups_write_exactly_what_the_template_loop_wrote(rows):
    expected = engines["django"].from_string(GROUPS_LOOP).render({"rows": rows})
    assert [takeaway.event.slug for takeaway in rows] == ["quoted-conf"] * 2 + ["ops-days"] * 2
    assert takeaway_groups(rows) == expected
    assert takeaway_groups([]) == ""


def test_the_page_shows_its_groups_escaped(rows, attendee_client):
    html = attendee_client.get("/takeaways/").content.decode()
    newer = days_from_today(-400)
    shown = date_format(newer, "DATE_FORMAT")
    assert '<a href="/events/ops-days/">Ops &amp; &lt;Dev&gt; Days</a>' in html
    assert '<a href="/events/quoted-conf/">&quot;Quoted&quot; Conf</a>' in html
    assert f'<time class="meta" datetime="{newer:%Y-%m-%d}">{shown}</time>' in html
    assert html.count('<section class="takeaway-group"') == 2


def _chart_as_before(themes: Themes, tag) -> str:
    """The chart as it was written with format_html_join (every number escaped)."""
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        ((b["x"], b["y"], b["width"], b["height"], b["year"], b["n"]) for b in tag.bars),
    )
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'preserveAspectRatio="none" role="img" aria-label="{name} by event year: {trend}" '
        'focusable="false">{bars}</svg>',
        w=themes.width, h=themes.height, name=tag.name, trend=tag.trend, bars=bars,
    )  # fmt: skip


def test_theme_charts_write_exactly_what_format_html_wrote():
    from taggit.models import Tag

    tags = []
    for name, years in (("R&D <lab>", {2015: 3, 2019: 1}), ('"sre"', {2017: 7}), ("ops", {})):
        tag = Tag(id=len(tags) + 1, name=name, slug=f"tag-{len(tags)}")
        tag.count, tag.years = sum(years.values()), years
        tags.append(tag)
    themes = Themes(tags)
    assert themes.years == [2015, 2016, 2017, 2018, 2019]
    for tag in tags:
        assert tag.chart == _chart_as_before(themes, tag)
    assert "R&amp;D &lt;lab&gt; by event year" in tags[0].chart
    assert 'x="1.92" y="0" width="15.36" height="24"><title>2015: 3</title>' in tags[0].chart


def fragment_queries(client, url: str) -> list[str]:
    """The queries the page's fragment ran to build (nothing is cached inside the
    test's transaction)."""
    captured_sql: list[str] = []
    original = fragment_tags.cached_fragment

    def spy(request, name, key, build):
        def recorded():
            with CaptureQueriesContext(connection) as captured:
                html = build()
            captured_sql.extend(query["sql"] for query in captured.captured_queries)
            return html

        return original(request, name, key, recorded if name == "takeaways" else build)

    fragment_tags.cached_fragment = spy
    try:
        assert client.get(url).status_code == 200
    finally:
        fragment_tags.cached_fragment = original
    return captured_sql


@pytest.mark.parametrize(
    "url",
    [
        "/takeaways/?tag=observability&tag=kubernetes&match=all",
        "/takeaways/?tag=observability&tag=kubernetes&match=all&group=tag",
        "/takeaways/",
    ],
)
def test_the_fragment_runs_the_same_queries_for_3_and_33_matches(attendee_client, url):
    def add(n: int) -> None:
        for i in range(n):
            talk = TalkFactory(event=EventFactory(starts_on=datetime.date(2015 + i % 7, 3, 1)))
            TakeawayFactory(talk=talk).tags.add("observability", "kubernetes", f"t{i % 5}")

    add(3)
    few = fragment_queries(attendee_client, url)
    add(30)
    many = fragment_queries(attendee_client, url)
    assert len(many) == len(few)
    # Two tags, "all of", by event: the count, the page's ids, its rows, their tags,
    # the tag sample with years, the years to filter by.
    if "group" not in url and "tag=" in url:
        assert len(many) == 6
        rows = [sql for sql in many if re.search(r'"talks_takeaway"\."text"', sql)]
        assert len(rows) == 1
        assert '"talks_talk"."abstract"' not in rows[0]


def _filter(user, query: str) -> TakeawayFilter:
    request = RequestFactory().get(f"/takeaways/?{query}")
    request.user = user
    return TakeawayFilter(request.GET, queryset=Takeaway.objects.readable_by(user), request=request)


@pytest.fixture
def themed(attendee):
    """Takeaways over three years with the two chosen tags and others, with ties."""
    for i, extra in enumerate(["a", "a", "a", "b", "b", "c", "c", "d", "e", None]):
        event = EventFactory(starts_on=datetime.date(2017 + i % 3, 6, 1))
        takeaway = TakeawayFactory(talk=TalkFactory(event=event))
        takeaway.tags.add("observability", "kubernetes", *([extra] if extra else []))
    return attendee


@pytest.mark.parametrize("match", ["all", "any"])
def test_the_sample_dates_only_what_themes_show_and_dates_it_exactly(themed, match):
    query = f"tag=observability&tag=kubernetes&match={match}"
    sampled = {tag.name: tag for tag in _filter(themed, query).tag_sample}
    every_year = {
        tag.name: tag
        for tag in tag_counts_by_year(
            Takeaway.objects.order_by("-pk").values("pk")[:2000], limit=40, include=[]
        )
    }
    assert {name: tag.count for name, tag in sampled.items()} == {
        name: tag.count for name, tag in every_year.items()
    }
    themes = list(_filter(themed, query).themes())
    assert themes  # the tags shown with their years are dated exactly
    for theme in themes:
        assert theme.years == every_year[theme.name].years
    chosen = {name: sampled[name].years for name in ("observability", "kubernetes")}
    if match == "all":  # every takeaway shown carries them: no theme, not dated
        assert chosen == {"observability": {}, "kubernetes": {}}
        assert [theme.name for theme in themes] == ["a", "b", "c", "d", "e"]
    else:
        assert chosen == {name: every_year[name].years for name in chosen}
        assert chosen["kubernetes"] == {2017: 4, 2018: 3, 2019: 3}


def test_a_sample_dated_for_no_theme_dates_nothing(themed):
    latest = Takeaway.objects.order_by("-pk").values("pk")[:2000]
    tags = tag_counts_by_year(latest, limit=3, dated=0)
    assert [(tag.name, tag.count, tag.years) for tag in tags] == [
        ("kubernetes", 10, {}), ("observability", 10, {}), ("a", 3, {})
    ]  # fmt: skip
