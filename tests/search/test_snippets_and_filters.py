"""Search as people read it: snippets in plain words, and the filters out of the way."""

import re

import pytest

from tests.factories import ActionPointFactory, NoteFactory, TalkFactory

pytestmark = pytest.mark.django_db


def snippets(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [str(hit.snippet) for hit in response.context["page"]]


def test_a_snippet_shows_the_text_of_the_markdown_not_its_markup(attendee_client):
    NoteFactory(
        title="Flaky tests",
        body=(
            "We split the suite by *historical duration* with "
            '[pytest-split](https://example.com/pytest-split "a > b").\n\n'
            "- first item\n- second item"
        ),
    )
    assert snippets(attendee_client, "duration") == [
        "We split the suite by historical <mark>duration</mark> with pytest-split. "
        "first item second item"
    ]


def test_a_snippet_of_a_talk_abstract_and_a_follow_up_is_plain_text_too(attendee_client):
    TalkFactory(title="Budgets", abstract="Spend the **error budget** wisely.")
    ActionPointFactory(title="Budget review", details="Ask `finance` about the _budget_.")
    assert sorted(snippets(attendee_client, "budget")) == [
        "Ask finance about the <mark>budget</mark>.",
        "Spend the error <mark>budget</mark> wisely.",
    ]


def test_a_snippet_keeps_characters_that_look_like_html_as_escaped_text(attendee_client):
    NoteFactory(title="Operators", body="Use `a < b && c` in the <b>deployment</b> check.")
    [snippet] = snippets(attendee_client, "deployment")
    assert snippet == "Use a &lt; b &amp;&amp; c in the <mark>deployment</mark> check."


def test_raw_html_in_a_note_never_reaches_a_snippet_as_markup(attendee_client):
    NoteFactory(
        title="Attack",
        body='<img src=x onerror=alert(1)> deployment <a href="javascript:x">link</a>',
    )
    assert snippets(attendee_client, "deployment") == ["<mark>deployment</mark> link"]


def filters(html: str) -> str:
    """The opening tag of the filters' <details> (the header's menu is another)."""
    [tag] = re.findall(r'<details class="search-form[^>]*>', html)
    return tag


def test_the_filters_are_folded_away_when_none_is_set(attendee_client):
    response = attendee_client.get("/search/", {"q": "zebra"})
    assert filters(response.content.decode()) == '<details class="search-form search-filters">'


@pytest.mark.parametrize(
    "params", [{"kind": ["talk"]}, {"tag": "wildlife"}, {"tag": "no-such-tag"}]
)
def test_the_filters_are_open_when_one_is_set(attendee_client, params):
    response = attendee_client.get("/search/", {"q": "zebra", **params})
    assert filters(response.content.decode()) == (
        '<details class="search-form search-filters" open>'
    )


def test_the_results_come_before_the_filters(attendee_client):
    NoteFactory(title="Zebra crossing")
    html = attendee_client.get("/search/", {"q": "zebra"}).content.decode()
    assert html.index('class="list search-results"') < html.index('<details class="search-form')


def test_the_filters_belong_to_the_search_form(attendee_client):
    html = attendee_client.get("/search/", {"q": "zebra"}).content.decode()
    inputs = re.findall(r'<input[^>]*name="(?:kind|tag)"[^>]*>', html)
    assert ['form="search-form"' in tag for tag in inputs] == [True] * 7  # six kinds, a tag
