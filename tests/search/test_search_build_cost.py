"""What building the search page costs, and that making it cheaper changed no result:
each kind's latest matches are found and ranked in one pass over their rows, the page
lists the same hits in the same order as ranking every kind on its own, with its
titles and snippets escaped, and an answer from the cache asks the database nothing
about the search."""

import re

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from actions.models import ActionPoint
from search import queries
from search.queries import KINDS
from talks.models import Note, OpenSpace, Speaker, Takeaway, Talk
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
from tests.helpers import logged_in

MODELS = {
    "talk": Talk,
    "open_space": OpenSpace,
    "note": Note,
    "takeaway": Takeaway,
    "action_point": ActionPoint,
    "speaker": Speaker,
}
SEARCHED_TABLES = [
    "talks_talk",
    "talks_openspace",
    "talks_note",
    "talks_takeaway",
    "actions_actionpoint",
    "talks_speaker",
]
# Every query that searches: asking whether the query can be searched, ranking, and
# loading the page's rows with their headlines.
SEARCHING = "websearch_to_tsquery("


def expected_hits(user, text: str, *, kinds=(), tag=None) -> list[tuple[str, int]]:
    """The hits as each kind ranks them on its own, the slow and obvious way: its
    latest RANK_CANDIDATES matches that ``user`` may see (ranked by the words looked
    for, without the exclusions), its best PER_KIND_LIMIT, all kinds merged by rank,
    ties by kind and then newest first."""
    chosen = list(kinds) or list(KINDS)
    if tag is not None:
        chosen = [key for key in chosen if KINDS[key].tagged]
    ranked = []
    for key in chosen:
        kind = KINDS[key]
        query = SearchQuery(text, search_type="websearch", config=kind.config)
        looked_for = SearchQuery(
            re.sub(r"-\w+", "", text), search_type="websearch", config=kind.config
        )
        model = MODELS[key]
        rows = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else None
        rows = (rows if rows is not None else model.objects.all()).filter(search_vector=query)
        if tag is not None:
            rows = rows.filter(tags=tag)
        latest = list(rows.order_by("-pk").values_list("pk", flat=True)[: queries.RANK_CANDIDATES])
        scored = model.objects.filter(pk__in=latest).annotate(
            rank=SearchRank(F("search_vector"), looked_for)
        )
        best = sorted(scored.values_list("rank", "pk"), key=lambda row: (-row[0], -row[1]))
        ranked += [(rank, key, pk) for rank, pk in best[: queries.PER_KIND_LIMIT]]
    order = list(KINDS)
    ranked.sort(key=lambda row: (-row[0], order.index(row[1]), -row[2]))
    return [(key, pk) for _, key, pk in ranked]


def found(user, text: str, **filters) -> list[tuple[str, int]]:
    return [(hit.kind.key, hit.pk) for hit in queries.search(user, text, **filters).hits]


@pytest.fixture
def small_limits(monkeypatch):
    """Limits a few rows reach: only the latest 6 matches of a kind ranked, its best 4
    kept."""
    monkeypatch.setattr(queries, "RANK_CANDIDATES", 6)
    monkeypatch.setattr(queries, "PER_KIND_LIMIT", 4)


@pytest.fixture
def written(db):
    """Talks, open spaces, notes, takeaways, follow-ups and speakers that mention
    deployment, kubernetes, helm, terraform and pulumi in varied amounts, some tagged,
    some in draft notes (of ``author``)."""
    author = UserFactory(username="drafter")
    event = EventFactory(name="DevOpsDays Oslo")
    words = ["deployment", "kubernetes", "kubernetes helm", "terraform", "pulumi"]
    for n in range(12):
        word = words[n % len(words)]
        talk = TalkFactory(
            event=event, title=f"{word.title()} {n}", abstract=f"{word} " * (n % 4) + "and more"
        )
        talk.tags.add("kubernetes" if n % 2 else "ops")
        OpenSpaceFactory(event=event, topic=f"{word} open space {n}").tags.add("kubernetes")
        note = NoteFactory(
            talk=talk,
            author=author,
            title=f"Notes {n}" if n % 3 else f"{word} notes",
            body=f"{word} " * (n % 5) + "deployment pipelines",
            status=Note.Status.DRAFT if n % 4 == 0 else Note.Status.PUBLISHED,
        )
        TakeawayFactory(note=note, author=author, talk=talk, text=f"{word} first {n}").tags.add(
            "kubernetes" if n % 3 else "ops"
        )
        ActionPointFactory(
            note=note, event=event, title=f"Try {word} {n}", details=f"{word} " * (n % 3)
        ).tags.add("kubernetes")
        SpeakerFactory(name=f"Kubernetes Pulumi {n}")
    return author


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("deployment", {}),
        ('"deployment pipelines"', {}),
        ("kubernetes -helm", {}),
        ("terraform or pulumi", {}),
        ("deployment", {"kinds": ["note", "talk"]}),
        ("kubernetes", {"tag": "kubernetes"}),
        ("terraform or pulumi", {"kinds": ["talk", "action_point"], "tag": "kubernetes"}),
    ],
)
def test_the_hits_and_their_order_are_each_kind_ranked_on_its_own(
    small_limits, written, text, filters
):
    from taggit.models import Tag

    if "tag" in filters:
        filters = {**filters, "tag": Tag.objects.get(slug=filters["tag"])}
    reader = UserFactory(username="reader")
    for user in (reader, written):
        expected = expected_hits(user, text, **filters)
        assert found(user, text, **filters) == expected
        assert len(expected) > 3


@pytest.mark.django_db
def test_a_draft_is_ranked_for_its_author_only(written):
    reader = UserFactory(username="reader")
    drafts = set(Note.objects.filter(status=Note.Status.DRAFT).values_list("pk", flat=True))
    for_author = {pk for key, pk in found(written, "deployment") if key == "note"}
    for_reader = {pk for key, pk in found(reader, "deployment") if key == "note"}
    assert (for_author & drafts, for_reader & drafts) == (drafts, set())


def ranking_sql(client, text: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    [ranking] = [q["sql"] for q in captured.captured_queries if "ts_rank(" in q["sql"]]
    return ranking


@pytest.mark.django_db
def test_each_kind_s_rows_are_read_once_to_find_and_rank_its_matches(attendee_client):
    """The latest matches are ranked in the pass that finds them: no second look-up
    of the candidates by id (which read each of them twice)."""
    TalkFactory(title="Zebra crossing")
    sql = ranking_sql(attendee_client, "zebra")
    # Notes are read by the takeaways' and follow-ups' checks for drafts too.
    assert [sql.count(f'FROM "{table}"') for table in SEARCHED_TABLES] == [1, 1, 3, 1, 1, 1]
    assert "= ANY(" not in sql


@pytest.mark.django_db
def test_titles_and_snippets_on_the_page_are_escaped_with_only_mark_added(attendee_client):
    event = EventFactory(name="<b>Ops</b> & Co")
    talk = TalkFactory(
        event=event,
        title='<script>alert("t")</script> zebra',
        abstract="A <em>zebra</em> & <img src=x onerror=alert(1)> when a < b",
    )
    html = attendee_client.get("/search/", {"q": "zebra"}).content.decode()
    [item] = re.findall(r'<ol class="list search-results">(.*?)</ol>', html, re.S)
    assert item == (
        "\n  \n  <li>\n"
        '    <span class="badge">Talk</span>\n    \n'
        f'    <a href="{talk.get_absolute_url()}">'
        "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; <mark>zebra</mark></a>\n"
        f'    <span class="meta">· <a href="{event.get_absolute_url()}">'
        "&lt;b&gt;Ops&lt;/b&gt; &amp; Co</a></span>\n"
        '    <p class="snippet">A <mark>zebra</mark> &amp; when a &lt; b</p>\n'
        "  </li>\n  \n"
    )


@pytest.mark.django_db
def test_a_search_runs_one_query_to_rank_and_one_per_kind_found(attendee_client):
    TalkFactory(title="Zebra talk")
    NoteFactory(title="Zebra notes", body="zebra")
    with CaptureQueriesContext(connection) as captured:
        attendee_client.get("/search/", {"q": "zebra"})
    searching = [q["sql"] for q in captured.captured_queries if SEARCHING in q["sql"]]
    # Whether it can be searched, the ranking, the talks' and the notes' rows.
    assert len(searching) == 4


def results(response) -> str:
    html = response.content.decode()
    return html[html.index("<h1>Search</h1>") : html.index("<details")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_answer_from_the_cache_runs_no_search_query(attendee):
    cache.clear()
    TalkFactory(title="Zebra talk")
    client = logged_in(attendee)
    with CaptureQueriesContext(connection) as built:
        first = client.get("/search/", {"q": "zebra"})
    with CaptureQueriesContext(connection) as cached:
        second = client.get("/search/", {"q": "zebra"})
    cache.clear()
    assert results(first) == results(second)
    assert [SEARCHING in q["sql"] for q in built.captured_queries].count(True) == 3
    assert [q["sql"] for q in cached.captured_queries if SEARCHING in q["sql"]] == []


@pytest.mark.django_db
def test_a_tag_with_only_kinds_that_carry_no_tags_finds_nothing(attendee_client):
    NoteFactory(title="Zebra notes", body="zebra")
    SpeakerFactory(name="Zebra Person")
    TalkFactory(title="Zebra talk").tags.add("ops")
    response = attendee_client.get(
        "/search/", {"q": "zebra", "kind": ["note", "speaker"], "tag": "ops"}
    )
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert (
        "Nothing matches “zebra” with these filters. Untick the kinds or clear the tag to "
        "search everything."
    ) in response.content.decode()
