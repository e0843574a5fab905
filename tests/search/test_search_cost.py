"""What a search costs: one query ranks every kind, only the page's rows are loaded,
and the queries depend on the kinds found, never on how many rows match or how they
fall on the pages; with the same relevance and the same drafts hidden as when each
kind was ranked and loaded on its own."""

import re

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from actions.models import ActionPoint
from search.queries import KINDS, PER_KIND_LIMIT
from talks.models import Note, Takeaway, Talk
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
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

SEARCH_TABLES = [
    "talks_talk",
    "talks_openspace",
    "talks_note",
    "talks_takeaway",
    "actions_actionpoint",
    "talks_speaker",
]
MATCH = '"search_vector" @@ (websearch_to_tsquery('


def search_sql(client, query: str, **params) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def one_of_each_kind(word: str) -> None:
    event = EventFactory()
    talk = TalkFactory(event=event, title=f"Talk on {word}")
    OpenSpaceFactory(event=event, topic=f"Open space on {word}")
    NoteFactory(talk=talk, title=f"Note on {word}")
    TakeawayFactory(talk=talk, text=f"Takeaway on {word}")
    ActionPointFactory(event=event, title=f"Follow-up on {word}")
    SpeakerFactory(name=f"Speaker {word.title()}")


def test_one_query_ranks_every_kind(attendee_client):
    one_of_each_kind("zebra")
    _, sql = search_sql(attendee_client, "zebra")
    ranking = [s for s in sql if MATCH in s]
    assert len(ranking) == 1
    assert [t for t in SEARCH_TABLES if f'FROM "{t}"' in ranking[0]] == SEARCH_TABLES


def test_only_the_rows_on_the_page_shown_are_loaded(attendee_client):
    talk = TalkFactory(title="Unrelated")
    notes = NoteFactory.create_batch(30, talk=talk, title="Zebra", body="zebra")
    response, sql = search_sql(attendee_client, "zebra")
    results = response.context["results"]
    assert len(results.hits) == 30
    assert [hit.obj is not None for hit in response.context["page"]] == [True] * 20
    assert [hit.obj for hit in results.hits[20:]] == [None] * 10
    (load,) = [s for s in sql if s.startswith('SELECT "talks_note"."id"') and MATCH not in s]
    loaded = re.search(r"= ANY\('\{([^}]*)\}'", load)[1].split(",")
    assert sorted(int(pk) for pk in loaded) == sorted(note.pk for note in notes)[10:]


def test_queries_depend_on_the_kinds_found_not_on_what_the_page_shows(attendee_client):
    one_of_each_kind("zebra")
    all_on_one_page = count_queries(attendee_client, "/search/?q=zebra")
    for _ in range(30):
        one_of_each_kind("zebra")
    # Now the first page is all talks, the second talks and open spaces.
    assert count_queries(attendee_client, "/search/?q=zebra") == all_on_one_page
    assert count_queries(attendee_client, "/search/?q=zebra&page=2") == all_on_one_page


def test_kinds_nothing_matches_are_not_loaded(attendee_client):
    one_of_each_kind("zebra")
    every_kind = count_queries(attendee_client, "/search/?q=zebra")
    NoteFactory(title="Quagga")
    assert count_queries(attendee_client, "/search/?q=quagga") == every_kind - (len(KINDS) - 1)
    assert count_queries(attendee_client, "/search/?q=okapi") == every_kind - len(KINDS)


def test_a_kind_filter_runs_one_load_per_kind_chosen(attendee_client):
    one_of_each_kind("zebra")
    everything = count_queries(attendee_client, "/search/?q=zebra")
    two_kinds = count_queries(attendee_client, "/search/?q=zebra&kind=note&kind=talk")
    assert everything - two_kinds == len(KINDS) - 2


def test_hits_are_merged_in_the_order_each_kind_ranks_them(attendee_client):
    """The page's order is the order of ts_rank over each kind's matches, all kinds
    together, ties by kind and then newest first: ranking in one query changes no
    result."""
    event = EventFactory()
    for n in range(4):
        talk = TalkFactory(
            event=event, title=f"Canary {n}" if n % 2 else "Rollouts", abstract="canary " * n
        )
        body = "Notes " + "canary " * n
        NoteFactory(talk=talk, title="Canary notes" if n % 2 else "Notes", body=body)
        TakeawayFactory(talk=talk, text="Canary releases first" if n else "Small steps")
        ActionPointFactory(event=event, title=f"Try a canary {n}", details="canary " * n)
    response, _ = search_sql(attendee_client, "canary")
    shown = [(hit.kind.key, hit.obj.pk) for hit in response.context["page"]]
    query = SearchQuery("canary", search_type="websearch", config="english")
    expected = []
    for key, model in [
        ("talk", Talk),
        ("note", Note),
        ("takeaway", Takeaway),
        ("action_point", ActionPoint),
    ]:
        ranked = model.objects.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        expected += [(rank, key, pk) for pk, rank in ranked.values_list("pk", "rank")]
    order = list(KINDS)
    expected.sort(key=lambda row: (-row[0], order.index(row[1]), -row[2]))
    assert shown == [(key, pk) for _, key, pk in expected][:20]
    assert len(expected) > 10


def test_a_title_match_outranks_body_matches_of_every_kind(attendee_client):
    for _ in range(3):
        NoteFactory(title="Misc", body="Lots about observability, observability everywhere.")
    TakeawayFactory(text="Observability")
    top = [str(hit.obj) for hit in response_page(attendee_client, "observability")][:1]
    assert top == ["Observability"]


def response_page(client, query: str):
    response, _ = search_sql(client, query)
    return list(response.context["page"])


def test_other_peoples_drafts_and_their_takeaways_are_never_ranked(attendee_client, attendee):
    carol = UserFactory(username="carol")
    draft = NoteFactory(author=carol, title="Zebra zebra", body="zebra", status=Note.Status.DRAFT)
    TakeawayFactory(note=draft, talk=draft.talk, event=draft.event, text="Zebra")
    ActionPointFactory(note=draft, event=draft.event, title="Zebra")
    mine = NoteFactory(author=attendee, title="Zebra", body="zebra", status=Note.Status.DRAFT)
    NoteFactory(author=carol, title="Published zebra", body="zebra")
    response, _ = search_sql(attendee_client, "zebra")
    found = sorted((hit.kind.key, str(hit.obj)) for hit in response.context["page"])
    assert found == [("note", "Published zebra"), ("note", str(mine))]
    assert len(response.context["results"].hits) == 2


def test_drafts_stay_hidden_with_a_full_page_of_better_matches(client, outsider):
    """Other people's drafts are left out when ranking, not after: the page still
    holds PER_KIND_LIMIT of the reader's notes and no draft."""
    client.force_login(outsider)
    author = UserFactory()
    NoteFactory.create_batch(
        PER_KIND_LIMIT, author=author, title="Zebra", body="zebra", status=Note.Status.DRAFT
    )
    published = NoteFactory.create_batch(3, author=author, title="Misc", body="a zebra")
    response, _ = search_sql(client, "zebra")
    hits = response.context["results"].hits
    assert sorted(hit.pk for hit in hits) == sorted(note.pk for note in published)
