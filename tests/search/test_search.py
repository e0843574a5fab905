"""/search/: PostgreSQL full-text search over everything, ranked and highlighted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.queries import RANK_CANDIDATES, QueryProblem
from talks.models import Note
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


def hits(client, query: str, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return list(response.context["page"])


def found(client, query: str, **params) -> list[str]:
    """What the search finds, best first."""
    return [str(hit.obj) for hit in hits(client, query, **params)]


def one_of_each_kind(word: str, *, tags: tuple[str, ...] = ()) -> None:
    event = EventFactory(name="DevOpsDays Oslo")
    talk = TalkFactory(event=event, title=f"Talk on {word}")
    talk.tags.add(*tags)
    OpenSpaceFactory(event=event, topic=f"Open space on {word}").tags.add(*tags)
    NoteFactory(talk=talk, title=f"Note on {word}")
    TakeawayFactory(talk=talk, text=f"Takeaway on {word}").tags.add(*tags)
    ActionPointFactory(event=event, title=f"Follow-up on {word}").tags.add(*tags)
    SpeakerFactory(name=f"Speaker {word.title()}")


def test_stemming_deploying_finds_a_note_about_deployment(attendee_client):
    NoteFactory(title="Release day", body="Our deployment pipeline takes an hour.")
    NoteFactory(title="Hiring", body="We interviewed three people.")
    assert found(attendee_client, "deploying") == ["Release day"]


def test_phrase_search_finds_the_words_together_only(attendee_client):
    NoteFactory(title="SLOs", body="Each team spends its error budget as it likes.")
    NoteFactory(title="Finance", body="An error in the budget spreadsheet cost a week.")
    assert found(attendee_client, '"error budget"') == ["SLOs"]
    assert sorted(found(attendee_client, "error budget")) == ["Finance", "SLOs"]


def test_minus_word_leaves_out_texts_with_it(attendee_client):
    NoteFactory(title="Charts", body="Kubernetes with Helm charts.")
    NoteFactory(title="Operators", body="Kubernetes operators in Go.")
    assert found(attendee_client, "kubernetes -helm") == ["Operators"]


def test_minus_word_keeps_the_ranking_of_the_words_looked_for(attendee_client):
    # Newest first would put "Misc" on top: the exclusion must not flatten every rank.
    NoteFactory(title="Kubernetes upgrades", body="Kubernetes upgrades without downtime.")
    NoteFactory(title="Misc", body="Lunch, then a word on kubernetes.")
    NoteFactory(title="Charts", body="Kubernetes with Helm charts.")
    assert found(attendee_client, "kubernetes -helm") == ["Kubernetes upgrades", "Misc"]


def test_or_finds_either_word(attendee_client):
    NoteFactory(title="IaC one", body="We moved to Terraform.")
    NoteFactory(title="IaC two", body="They use Pulumi with Python.")
    NoteFactory(title="Other", body="Nothing about infrastructure code.")
    assert sorted(found(attendee_client, "terraform or pulumi")) == ["IaC one", "IaC two"]


def test_a_title_match_ranks_above_a_body_only_match(attendee_client):
    NoteFactory(title="Misc", body="We also discussed observability at length.")
    NoteFactory(title="Observability", body="Three pillars, or not.")
    assert found(attendee_client, "observability") == ["Observability", "Misc"]


def test_results_of_all_kinds_are_merged_by_rank(attendee_client):
    talk = TalkFactory(title="Runbooks", abstract="Why every runbook rots.")
    TakeawayFactory(talk=talk, text="Write runbooks next to the code.")
    assert [(hit.kind.key, str(hit.obj)) for hit in hits(attendee_client, "runbook")] == [
        ("talk", "Runbooks"),  # in its title and its abstract
        ("takeaway", "Write runbooks next to the code."),
    ]


def test_everything_is_searched(attendee_client):
    one_of_each_kind("zebra")
    assert sorted((hit.kind.key, str(hit.obj)) for hit in hits(attendee_client, "zebra")) == [
        ("action_point", "Follow-up on zebra"),
        ("note", "Note on zebra"),
        ("open_space", "Open space on zebra"),
        ("speaker", "Speaker Zebra"),
        ("takeaway", "Takeaway on zebra"),
        ("talk", "Talk on zebra"),
    ]


def test_a_hit_links_to_its_object_and_names_its_event(attendee_client):
    talk = TalkFactory(title="Zebra talk", event=EventFactory(name="DevOpsDays Oslo"))
    [hit] = hits(attendee_client, "zebra")
    assert (hit.url, hit.event.name) == (talk.get_absolute_url(), "DevOpsDays Oslo")
    html = attendee_client.get("/search/", {"q": "zebra"}).content.decode()
    assert f'<a href="{talk.get_absolute_url()}"><mark>Zebra</mark> talk</a>' in html


def test_other_peoples_drafts_are_never_found_but_my_own_are(attendee_client, attendee):
    carol = UserFactory(username="carol")
    NoteFactory(author=attendee, title="My draft", body="zebra", status=Note.Status.DRAFT)
    NoteFactory(author=carol, title="Carol's draft", body="zebra", status=Note.Status.DRAFT)
    NoteFactory(author=carol, title="Carol's note", body="zebra")
    assert sorted(found(attendee_client, "zebra")) == ["Carol's note", "My draft"]


def test_outsider_does_not_find_other_peoples_drafts(client, outsider, attendee):
    client.force_login(outsider)
    NoteFactory(author=attendee, title="Bob's draft", body="zebra", status=Note.Status.DRAFT)
    NoteFactory(author=attendee, title="Bob's note", body="zebra")
    assert found(client, "zebra") == ["Bob's note"]


def test_kind_filter_searches_only_the_chosen_kinds(attendee_client):
    one_of_each_kind("zebra")
    results = hits(attendee_client, "zebra", kind=["talk", "speaker"])
    assert sorted((hit.kind.key, str(hit.obj)) for hit in results) == [
        ("speaker", "Speaker Zebra"),
        ("talk", "Talk on zebra"),
    ]


def test_tag_filter_keeps_tagged_kinds_carrying_the_tag(attendee_client):
    one_of_each_kind("zebra", tags=("wildlife",))
    TalkFactory(title="Untagged zebra talk")
    results = hits(attendee_client, "zebra", tag="wildlife")
    assert sorted((hit.kind.key, str(hit.obj)) for hit in results) == [
        ("action_point", "Follow-up on zebra"),
        ("open_space", "Open space on zebra"),
        ("takeaway", "Takeaway on zebra"),
        ("talk", "Talk on zebra"),
    ]


def test_tag_and_kind_filters_combine(attendee_client):
    one_of_each_kind("zebra", tags=("wildlife",))
    assert found(attendee_client, "zebra", tag="wildlife", kind=["takeaway", "note"]) == [
        "Takeaway on zebra"
    ]


def test_unknown_tag_in_the_filter_says_so(attendee_client):
    TalkFactory(title="Zebra talk")
    response = attendee_client.get("/search/", {"q": "zebra", "tag": "no-such-tag"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "tag": ["There is no tag “no-such-tag”; see the list of tags."]
    }
    assert response.context["page"] is None


def test_unknown_kind_in_the_filter_says_so(attendee_client):
    response = attendee_client.get("/search/", {"q": "zebra", "kind": "planet"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "kind": ["Select a valid choice. planet is not one of the available choices."]
    }


def test_highlighting_wraps_the_matched_words_in_mark(attendee_client):
    NoteFactory(title="Deployment notes", body="We measured deployment frequency weekly.")
    [hit] = hits(attendee_client, "deploying")
    assert hit.title == "<mark>Deployment</mark> notes"
    assert hit.snippet == "We measured <mark>deployment</mark> frequency weekly."


def test_highlighting_escapes_html_typed_in_a_note(attendee_client):
    NoteFactory(
        title='<script>alert("title")</script> deployment',
        body='<script>alert("body")</script> deployment <img src=x onerror=alert(1)>',
    )
    response = attendee_client.get("/search/", {"q": "deployment"})
    [hit] = response.context["page"]
    assert hit.title == (
        "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; <mark>deployment</mark>"
    )
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&quot;title&quot;)" in html


def test_highlight_markers_typed_by_people_stay_text(attendee_client):
    NoteFactory(title="hl0s zebra hl0e <mark>", body="zebra")
    [hit] = hits(attendee_client, "zebra")
    assert hit.title == "hl0s <mark>zebra</mark> hl0e &lt;mark&gt;"


@pytest.mark.parametrize("query", ["!!! ???", "the and of", "“” -- ++", "or"])
def test_a_query_of_only_symbols_or_common_words_asks_for_other_words(attendee_client, query):
    NoteFactory(title="The and of", body="the and of !!! ???")
    response = attendee_client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert (response.context["problem"], response.context["page"]) == (
        QueryProblem.NO_WORDS,
        None,
    )
    assert "Try different words." in response.content.decode()
    assert (
        f"“{query}” has no words to search for: symbols and very common words such as "
        "“the” or “and” are ignored. Try different words."
    ) in response.content.decode()


def test_a_query_of_only_exclusions_asks_for_a_word_to_look_for(attendee_client):
    NoteFactory(title="Anything", body="Anything at all.")
    response = attendee_client.get("/search/", {"q": "-kubernetes -helm"})
    assert (response.context["problem"], response.context["page"]) == (
        QueryProblem.ONLY_EXCLUSIONS,
        None,
    )
    assert "Add at least one word to look for" in response.content.decode()
    assert (
        "Your search only says what to leave out. Add at least one word to look for, "
        "e.g. <kbd>kubernetes -helm</kbd>."
    ) in response.content.decode()


def test_an_empty_query_shows_the_form_and_tips(attendee_client):
    NoteFactory(title="Anything")
    response = attendee_client.get("/search/")
    assert response.context["page"] is None
    html = response.content.decode()
    assert 'name="q"' in html
    assert "How to search" in html
    assert '<kbd>"error budget"</kbd>' in html


def test_no_match_says_what_to_try(attendee_client):
    response = attendee_client.get("/search/", {"q": "zebra"})
    assert list(response.context["page"]) == []
    assert "Nothing matches “zebra”. Try fewer words" in response.content.decode()


@pytest.mark.parametrize(
    "filters", [{"kind": ["speaker"]}, {"tag": "wildlife"}], ids=["kind", "tag"]
)
def test_no_match_with_filters_says_to_clear_them(attendee_client, filters):
    TalkFactory(title="Zebra talk")
    TalkFactory(title="Lions").tags.add("wildlife")
    response = attendee_client.get("/search/", {"q": "zebra", **filters})
    assert list(response.context["page"]) == []
    html = response.content.decode()
    assert (
        "Nothing matches “zebra” with these filters. Untick the kinds or clear the tag to "
        "search everything."
    ) in html
    assert "Try fewer words" not in html


def test_a_very_long_query_is_refused_politely(attendee_client):
    response = attendee_client.get("/search/", {"q": "zebra " * 100})
    assert response.status_code == 200
    assert response.context["form"].errors["q"] == [
        "Ensure this value has at most 200 characters (it has 599)."
    ]


def test_results_are_paginated_20_a_page(attendee_client):
    NoteFactory.create_batch(25, body="zebra")
    assert len(hits(attendee_client, "zebra")) == 20
    assert len(hits(attendee_client, "zebra", page=2)) == 5
    assert len(hits(attendee_client, "zebra", page="nonsense")) == 20
    assert len(hits(attendee_client, "zebra", page=99)) == 5


def test_each_kind_gives_its_best_50_and_the_page_says_so(attendee_client):
    NoteFactory.create_batch(55, body="zebra")
    TalkFactory(title="Zebra talk")
    response = attendee_client.get("/search/", {"q": "zebra"})
    assert (response.context["page"].paginator.count, response.context["results"].truncated) == (
        51,
        True,
    )
    assert "Only the best matches of each kind are shown" in response.content.decode()


def test_only_the_latest_matches_of_a_kind_are_ranked_and_the_page_says_so(attendee_client):
    author, event = UserFactory(), EventFactory()

    def notes(n: int, **fields) -> None:
        Note.objects.bulk_create(
            Note(author=author, event=event, status=Note.Status.PUBLISHED, **fields)
            for _ in range(n)
        )

    notes(1, title="Zebra", body="The oldest, with the word in its title.")
    notes(RANK_CANDIDATES - 1, title="Misc", body="zebra in the body")
    notes(1, title="Zebra too", body="The newest, with the word in its title.")
    TalkFactory(title="Zebra talk")
    response = attendee_client.get("/search/", {"q": "zebra"})
    found_notes = [str(hit.obj) for hit in response.context["page"] if hit.kind.key == "note"]
    # The title match among the latest RANK_CANDIDATES ranks first; the oldest is not.
    assert found_notes[0] == "Zebra too"
    assert "Zebra" not in found_notes
    assert response.context["results"].limited_text == "notes"
    assert f"So many notes match that only the latest {RANK_CANDIDATES:,} of each were ranked." in (
        response.content.decode()
    )


def test_the_page_says_nothing_about_ranking_limits_when_few_match(attendee_client):
    NoteFactory.create_batch(3, body="zebra")
    response = attendee_client.get("/search/", {"q": "zebra"})
    assert response.context["results"].limited_text == ""
    assert "were ranked" not in response.content.decode()


def test_rows_load_without_their_search_vectors_unless_asked(attendee_client):
    NoteFactory(title="Zebra")
    note = Note.objects.get()
    assert note.get_deferred_fields() == {"search_vector"}
    assert Note.objects.values_list("title", flat=True).get() == "Zebra"
    assert Note.objects.filter(search_vector="zebra").count() == 1


def test_search_matches_the_search_vector_column_and_never_uses_like(attendee_client):
    one_of_each_kind("zebra")
    with CaptureQueriesContext(connection) as captured:
        attendee_client.get("/search/", {"q": "zebra"})
    sql = [query["sql"] for query in captured.captured_queries]
    tables = [
        "talks_talk",
        "talks_openspace",
        "talks_note",
        "talks_takeaway",
        "actions_actionpoint",
        "talks_speaker",
    ]
    match = '"search_vector" @@ (websearch_to_tsquery('
    matching = [t for t in tables if any(f'FROM "{t}"' in s and match in s for s in sql)]
    assert matching == tables
    assert [s for s in sql if "LIKE" in s.upper()] == []


def test_search_runs_the_same_queries_for_3_and_30_matching_rows_of_each_kind(attendee_client):
    for _ in range(3):
        one_of_each_kind("zebra", tags=("wildlife",))
    few = count_queries(attendee_client, "/search/?q=zebra")
    few_tagged = count_queries(attendee_client, "/search/?q=zebra&tag=wildlife")
    for _ in range(27):
        one_of_each_kind("zebra", tags=("wildlife",))
    assert count_queries(attendee_client, "/search/?q=zebra") == few
    assert count_queries(attendee_client, "/search/?q=zebra&tag=wildlife") == few_tagged
