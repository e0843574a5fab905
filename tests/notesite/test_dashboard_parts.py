"""The dashboard's everyone-part in three fragments, each declaring only what it shows
(common.caching.FRAGMENTS): recent takeaways ("dashboard-everyones"), recent events
("dashboard-events", kept through notes and takeaways) and popular tags
("dashboard-tags", the same for every reader). Their rows are written in Python
(talks.templatetags.takeaway_rows) with exactly the markup the templates wrote."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import engines
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

import common.templatetags.fragments as fragment_tags
from actions.models import ActionPoint
from notes.services import NewActionPoint, NewTakeaway, write_note
from search import tag_pages
from talks.models import Event, Follow, Note, Takeaway
from talks.templatetags.takeaway_rows import CARD_COLUMNS, popular_tag_items, takeaway_cards
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import logged_in

PARTS = ("dashboard-everyones", "dashboard-events", "dashboard-tags")


@pytest.fixture
def rows(db):
    """Takeaways of every shape a card shows (from a talk, an open space, the event;
    with and without tags), with names and texts that need escaping."""
    event = EventFactory(name="Ops & <Dev> Days", slug="ops-days")
    ada = UserFactory(username="ada", first_name="Ada", last_name="O'Hara")
    bob = UserFactory(username="bob<b>")
    talk = TalkFactory(event=event, title="Tracing <without> tears")
    space = OpenSpaceFactory(event=event, topic='Hiring "juniors"')
    TakeawayFactory(talk=talk, text="Sample <b>boring</b> traces", author=ada).tags.add(
        "tracing", "R&D"
    )
    TakeawayFactory(open_space=space, event=event, talk=None, text="Pair them", author=bob)
    TakeawayFactory(event=event, talk=None, text="Whole event & more", author=ada).tags.add("ops")


# --- The same HTML, escaped ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("only_shown_columns", [False, True])
def test_cards_write_exactly_what_the_takeaway_include_wrote(rows, only_shown_columns):
    takeaways = Takeaway.objects.with_listing_relations().newest_first()
    if only_shown_columns:
        takeaways = takeaways.only(*CARD_COLUMNS)
    takeaways = list(takeaways)
    expected = "".join(
        render_to_string("talks/_takeaway.html", {"item": takeaway}) for takeaway in takeaways
    )
    assert len(takeaways) == 3
    assert takeaway_cards(takeaways) == expected


# The loop the dashboard's template had over its popular tags, kept as the reference.
POPULAR_LOOP = (
    '{% for tag in popular_tags %}<li><a class="tag" href="{% url \'talks:tag-detail\' '
    'tag.slug %}">{{ tag.name }} <span class="meta">{{ tag.total }}</span></a></li>{% endfor %}'
)


@pytest.mark.django_db
def test_popular_tags_write_exactly_what_the_template_loop_wrote(rows):
    TalkFactory().tags.add("R&D", "<script>")
    tags = tag_pages.popular_tags()
    expected = engines["django"].from_string(POPULAR_LOOP).render({"popular_tags": tags})
    assert [(tag.name, tag.total) for tag in tags] == [
        ("R&D", 2), ("<script>", 1), ("ops", 1), ("tracing", 1)
    ]  # fmt: skip
    assert popular_tag_items(tags) == expected


@pytest.mark.django_db
def test_popular_tags_keep_ties_at_the_cut_in_name_order():
    for name, uses in (("delta", 3), ("bravo", 2), ("alpha", 2), ("charlie", 2), ("echo", 1)):
        for _ in range(uses):
            TalkFactory().tags.add(name)
    assert [(tag.name, tag.total) for tag in tag_pages.popular_tags(3)] == [
        ("delta", 3), ("alpha", 2), ("bravo", 2)
    ]  # fmt: skip
    assert tag_pages.popular_tags(0) == []


@pytest.mark.django_db
def test_the_dashboard_shows_the_rows_escaped(rows, attendee_client):
    html = attendee_client.get("/").content.decode()
    assert '">Sample &lt;b&gt;boring&lt;/b&gt; traces</a>' in html
    assert "Tracing &lt;without&gt; tears</a> at <a" in html
    assert ">Ops &amp; &lt;Dev&gt; Days</a>" in html
    assert "bob&lt;b&gt; · from" in html
    assert "Ada O&#x27;Hara · from" in html
    assert '<a class="tag" href="/tags/rd/">R&amp;D <span class="meta">1</span></a>' in html
    assert "<b>" not in html.split('id="recent-takeaways"')[1]


# --- Each part retired by what it shows, cached through what it does not ---------------


def fragments_built(client) -> dict[str, int]:
    """Which of the everyone-parts a request of the dashboard built (1) or served (0)."""
    return {name: 1 if queries is not None else 0 for name, queries in parts_of(client).items()}


def parts_of(client) -> dict[str, list[str] | None]:
    """The queries each everyone-part ran when it was built, None when it was served
    from the cache."""
    built: dict[str, list[str] | None] = {}
    original = fragment_tags.cached_fragment

    def spy(request, name, key, build):
        if name not in PARTS:
            return original(request, name, key, build)
        built[name] = None

        def recorded():
            with CaptureQueriesContext(connection) as captured:
                html = build()
            built[name] = [query["sql"] for query in captured.captured_queries]
            return html

        return original(request, name, key, recorded)

    fragment_tags.cached_fragment = spy
    try:
        assert client.get("/").status_code == 200
    finally:
        fragment_tags.cached_fragment = original
    return built


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def site(db, attendee):
    event = EventFactory(name="Fresh Conf")
    talk = TalkFactory(event=event, title="Fresh talk")
    talk.tags.add("sre")
    TakeawayFactory(event=event, talk=talk, text="A takeaway").tags.add("sre")
    ActionPointFactory(event=event, talk=talk, title="A follow-up").tags.add("sre")
    Tag.objects.create(name="ops", slug="ops")  # a tag to add to an action point
    return {"event": event, "talk": talk}


def writes(site, attendee) -> dict:
    event, talk = site["event"], site["talk"]
    return {
        "a note with takeaways": lambda: write_note(
            author=attendee,
            event=event,
            talk=talk,
            body="Notes.",
            status=Note.Status.PUBLISHED,
            takeaways=[NewTakeaway("New", tags=["sre"])],
            action_points=[NewActionPoint("Also new", tags=["sre"])],
        ),
        "a note alone": lambda: write_note(
            author=attendee, event=event, talk=talk, body="Notes.", status=Note.Status.PUBLISHED
        ),
        "an event": lambda: Event.objects.filter(pk=event.pk).update(name="Renamed Conf"),
        "a session": lambda: sql(
            "UPDATE talks_talk SET title = 'Renamed talk' WHERE id = %s", [talk.pk]
        ),
        "a takeaway": lambda: sql("UPDATE talks_takeaway SET text = text || ' (renamed)'"),
        "an action point's status": lambda: ActionPoint.objects.update(status="in_progress"),
        "an action point's tags": lambda: ActionPoint.objects.get().tags.add("ops"),
        "a tag": lambda: sql("UPDATE taggit_tag SET name = 'SRE renamed' WHERE name = 'sre'"),
        "a person": lambda: sql("UPDATE auth_user SET first_name = first_name || 'x'"),
        "a follow": lambda: Follow.objects.create(user=attendee, event=event),
    }


# Which parts each write retires (1) or leaves cached (0), in the order of PARTS.
RETIRED = {
    "a note with takeaways": (1, 0, 1),
    "a note alone": (0, 0, 0),
    "an event": (1, 1, 0),
    "a session": (1, 0, 1),
    "a takeaway": (1, 0, 1),
    "an action point's status": (0, 0, 1),
    "an action point's tags": (0, 0, 1),
    "a tag": (1, 0, 1),
    "a person": (1, 0, 0),
    "a follow": (0, 0, 0),
}


def everyones_part(html: str) -> str:
    return html[html.index('<section aria-labelledby="recent-takeaways">') : html.index("</main>")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("write", list(RETIRED))
def test_each_part_is_retired_by_what_it_shows_and_kept_through_the_rest(
    site, attendee, manager, write
):
    cache.clear()
    client = logged_in(manager)
    assert fragments_built(client) == dict.fromkeys(PARTS, 1)
    assert fragments_built(client) == dict.fromkeys(PARTS, 0)
    before = everyones_part(client.get("/").content.decode())
    writes(site, attendee)[write]()
    assert fragments_built(client) == dict(zip(PARTS, RETIRED[write], strict=True))
    after = everyones_part(client.get("/").content.decode())
    # What a retired part shows changed; the rebuilt page is what a cold one is.
    cache.clear()
    assert everyones_part(client.get("/").content.decode()) == after
    if write in ("an event", "a takeaway", "a tag"):
        assert before != after
    cache.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recent_events_are_one_copy_per_role_and_the_rest_shared_by_readers(
    site, attendee, manager
):
    staff = UserFactory(username="sam", role="staff")  # before anything is cached
    cache.clear()
    assert fragments_built(logged_in(manager)) == dict.fromkeys(PARTS, 1)
    # Another reader without drafts: every part from the cache.
    assert fragments_built(logged_in(attendee)) == dict.fromkeys(PARTS, 0)
    # Staff: their own copy of the events part only (an empty list offers them the admin).
    assert fragments_built(logged_in(staff)) == {
        "dashboard-everyones": 0, "dashboard-events": 1, "dashboard-tags": 0
    }  # fmt: skip
    cache.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_drafted_takeaway_shows_to_its_author_only_and_counts_for_no_tag(site, attendee, manager):
    cache.clear()
    author = UserFactory(username="dave", role="attendee")
    colleague = UserFactory(username="erin", role="attendee")
    reader = logged_in(manager)
    reader.get("/")
    write_note(author=author, event=site["event"], talk=site["talk"], body="Draft.",
               takeaways=[NewTakeaway("Dave's drafted <takeaway>", tags=["drafty"])])  # fmt: skip
    mine = logged_in(author).get("/").content.decode()
    assert "Dave&#x27;s drafted &lt;takeaway&gt;" in mine
    assert "drafty" not in mine.split('id="popular-tags"')[1]
    theirs = reader.get("/").content.decode()
    assert "drafted" not in theirs
    assert "drafty" not in theirs
    # The reader's copy (shared by everyone without drafts) is not the author's.
    assert fragments_built(logged_in(colleague)) == dict.fromkeys(PARTS, 0)
    cache.clear()


# --- Query counts ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_parts_run_the_same_few_queries_built_for_3_and_33_takeaways(rows, attendee_client):
    """Built (nothing is cached inside the test's transaction): the newest takeaways
    with their ids picked in an array subquery and only the columns a card shows,
    then their tags; the newest events; the popular tags."""
    few = parts_of(attendee_client)
    for n in range(30):
        TakeawayFactory(text=f"More {n}").tags.add("more", f"tag-{n}")
    many = parts_of(attendee_client)
    assert {name: len(queries) for name, queries in many.items()} == {
        "dashboard-everyones": 2, "dashboard-events": 1, "dashboard-tags": 1
    }  # fmt: skip
    assert {name: len(queries) for name, queries in few.items()} == {
        name: len(queries) for name, queries in many.items()
    }
    newest = many["dashboard-everyones"][0]
    assert '"talks_takeaway"."id" = ANY(ARRAY(SELECT' in newest
    assert '"auth_user"."password"' not in newest
    assert '"talks_talk"."abstract"' not in newest
