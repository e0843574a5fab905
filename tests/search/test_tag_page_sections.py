"""A tag page's sections, each a cached fragment of its own (talks, open spaces,
takeaways, follow-ups, and "nothing carries this tag"): a write rebuilds only the
sections that show something it changed, never serves one older than the last write
to what it shows, and leaves drafts private; the rows written in Python are the
templates' markup, escaped. These tests commit for real (caching is off inside a
transaction)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from taggit.models import Tag

from actions.models import ActionPoint
from common.templatetags import fragments
from notes.services import NewActionPoint, NewTakeaway, update_note, write_note
from search.tag_pages import sections, usage_of
from search.templatetags.tag_sections import section_rows
from talks.models import Event, Follow, Note, Speaker
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
from tests.helpers import days_from_today, logged_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

URL = "/tags/sre/"
SECTIONS = ["tag-talks", "tag-open-spaces", "tag-takeaways", "tag-follow-ups"]
COUNTS = ["tag-usage", "tag-empty"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def built(monkeypatch) -> list[str]:
    """The names of the fragments built (not served from the cache) since last cleared."""
    names: list[str] = []
    real = fragments.cached_fragment

    def recording(request, name, key, build):
        def build_and_record():
            names.append(name)
            return build()

        return real(request, name, key, build_and_record)

    monkeypatch.setattr(fragments, "cached_fragment", recording)
    return names


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def shown(response) -> str:
    """The page without what differs on every response (CSRF values, feed keys)."""
    assert response.status_code == 200
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r"key=[\w:.-]+", "key=K", html)


@pytest.fixture
def tagged(attendee):
    """One row of every kind tagged "sre" at one event, with names the sections show,
    and an author with a draft note whose takeaway and follow-up are tagged too."""
    author = UserFactory(username="dave", role="attendee", first_name="Dave")
    event = EventFactory(name="Fresh Conf")
    speaker = SpeakerFactory(name="Grace Speaker")
    talk = TalkFactory(event=event, title="Fresh talk", speakers=[speaker])
    talk.tags.add("sre")
    OpenSpaceFactory(event=event, topic="Fresh open space", convenor="Ola").tags.add("sre")
    NoteFactory(event=event, talk=talk, author=author, title="Published notes",
                status=Note.Status.PUBLISHED)  # fmt: skip
    TakeawayFactory(event=event, talk=talk, author=author,
                    text="A published takeaway").tags.add("sre")  # fmt: skip
    ActionPointFactory(event=event, talk=talk, assignee=attendee,
                       title="A published follow-up").tags.add("sre")  # fmt: skip
    drafted = write_note(
        author=author, event=event, talk=talk, title="Dave's draft", body="Draft.",
        takeaways=[NewTakeaway("A drafted takeaway", tags=["sre"])],
        action_points=[NewActionPoint("A drafted follow-up", tags=["sre"],
                                      due_on=days_from_today(3))],
    )  # fmt: skip
    Follow.objects.create(user=attendee, event=event)
    return {"event": event, "talk": talk, "speaker": speaker, "author": author,
            "drafted": drafted}  # fmt: skip


def post_a_note(author, talk, **rows) -> Note:
    """A note published through the writing service, as the site's form does."""
    return write_note(author=author, event=talk.event, talk=talk, body="Notes.",
                      status=Note.Status.PUBLISHED, **rows)  # fmt: skip


def test_a_note_with_a_tagged_takeaway_rebuilds_its_section_and_leaves_the_talks_cached(
    tagged, attendee, built
):
    client = logged_in(attendee)
    before = shown(client.get(URL))
    assert sorted(built) == sorted(COUNTS + SECTIONS)
    built.clear()
    post_a_note(tagged["author"], tagged["talk"],
                takeaways=[NewTakeaway("Alert on symptoms", tags=["sre"])])  # fmt: skip
    after = shown(client.get(URL))
    assert sorted(built) == ["tag-empty", "tag-takeaways", "tag-usage"]
    assert "Alert on symptoms" in after
    assert "Alert on symptoms" not in before
    assert 'Takeaways <span class="meta">(2)</span>' in after
    # The talks' section as it was (served from the cache), and as it is built.
    talks = re.search(r'<section aria-labelledby="section-talks">.*?</section>', after, re.S)
    assert talks.group() in before
    cache.clear()
    assert shown(client.get(URL)) == after


def test_the_busy_days_note_and_a_staff_change_leave_talks_and_open_spaces_cached(
    tagged, attendee, built
):
    Tag.objects.create(name="kubernetes", slug="kubernetes")  # a new tag is a change of tags
    client = logged_in(attendee)
    client.get(URL)
    built.clear()
    post_a_note(tagged["author"], tagged["talk"],
                takeaways=[NewTakeaway("One", tags=["sre", "kubernetes"]),
                           NewTakeaway("Two", tags=["sre"])],
                action_points=[NewActionPoint("Three", tags=["sre"])])  # fmt: skip
    client.get(URL)
    assert sorted(built) == ["tag-empty", "tag-follow-ups", "tag-takeaways", "tag-usage"]
    built.clear()
    ActionPoint.objects.filter(title="A published follow-up").update(status="in_progress")
    page = shown(client.get(URL))
    assert sorted(built) == ["tag-empty", "tag-follow-ups", "tag-usage"]
    assert '<span class="badge">In progress</span>' in page


def test_each_sections_count_and_rows_are_built_once_per_section(tagged, attendee, built):
    """A section built alone loads its own rows only (the counts, one query, are shared
    by the fragments built in a request)."""
    client = logged_in(attendee)
    client.get(URL)
    built.clear()
    Speaker.objects.filter(pk=tagged["speaker"].pk).update(name="Grace Renamed")
    page = shown(client.get(URL))
    assert built == ["tag-talks"]
    assert ">Grace Renamed</a>" in page


def publish(tagged) -> None:
    update_note(
        note=tagged["drafted"], by=tagged["author"], title="Dave's draft", body="Draft.",
        status="published",
    )  # fmt: skip


def writes(tagged) -> dict:
    """A write of each kind, each changing something some tag page section shows."""
    event, talk = tagged["event"], tagged["talk"]
    return {
        "events": lambda: Event.objects.filter(pk=event.pk).update(name="Renamed Conf"),
        "sessions": lambda: sql(
            "UPDATE talks_talk SET title = 'Renamed talk' WHERE id = %s", [talk.pk]
        ),
        "open spaces": lambda: sql("UPDATE talks_openspace SET topic = 'Renamed space'"),
        "a talk's tags": lambda: talk.tags.remove("sre"),
        "speakers": lambda: Speaker.objects.filter(pk=tagged["speaker"].pk).update(
            name="Grace Renamed"
        ),
        "notes": lambda: Note.objects.filter(title="Published notes").update(title="Renamed"),
        "takeaways": lambda: sql("UPDATE talks_takeaway SET text = text || ' (renamed)'"),
        "a takeaway's tags": lambda: sql("DELETE FROM talks_taggedtakeaway"),
        "action_points": lambda: ActionPoint.objects.update(title="Renamed follow-up"),
        "an action point's tags": lambda: sql("DELETE FROM actions_taggedactionpoint"),
        "tags": lambda: sql("UPDATE taggit_tag SET name = 'SRE renamed'"),
        "follows": lambda: Follow.objects.all().delete(),
        "people": lambda: sql("UPDATE auth_user SET first_name = first_name || 'x'"),
        "drafts": lambda: publish(tagged),
    }


EVERY_SECTION = {*COUNTS, *SECTIONS}
REBUILT = {
    "events": EVERY_SECTION,
    "sessions": EVERY_SECTION,
    "open spaces": EVERY_SECTION,
    "a talk's tags": EVERY_SECTION,
    "speakers": {"tag-talks"},
    "notes": set(),
    "takeaways": {*COUNTS, "tag-takeaways"},
    "a takeaway's tags": {*COUNTS, "tag-takeaways"},
    "action_points": {*COUNTS, "tag-follow-ups"},
    "an action point's tags": {*COUNTS, "tag-follow-ups"},
    # The counts show no tag's name.
    "tags": {"tag-usage", *SECTIONS},
    "follows": set(),
    "people": {"tag-takeaways", "tag-follow-ups"},
    "drafts": {*COUNTS, "tag-takeaways", "tag-follow-ups"},
}


@pytest.mark.parametrize("kind", list(REBUILT))
def test_a_write_rebuilds_the_sections_that_show_it_and_every_reader_gets_it_fresh(
    tagged, attendee, manager, staff, kind, built
):
    """Each reader (attendee, manager, staff, the author with drafts) fills the cache,
    something of ``kind`` changes: the sections that show it are built again, the
    others come from the cache, and every page is what an empty cache gives."""
    readers = [logged_in(user) for user in (attendee, manager, staff, tagged["author"])]
    before = [shown(client.get(URL)) for client in readers]
    built.clear()
    writes(tagged)[kind]()
    served = [shown(client.get(URL)) for client in readers]
    assert set(built) == REBUILT[kind]
    cache.clear()
    assert [shown(client.get(URL)) for client in readers] == served
    assert (served != before) == bool(REBUILT[kind])


def test_a_removed_last_use_says_nothing_carries_the_tag(attendee, staff):
    event = EventFactory()
    talk = TalkFactory(event=event, title="The only one")
    talk.tags.add("sre")
    reader, admin = logged_in(attendee), logged_in(staff)
    assert "Nothing carries this tag yet." not in shown(reader.get(URL))
    assert "Nothing carries this tag yet." not in shown(admin.get(URL))
    talk.tags.remove("sre")
    page, staff_page = shown(reader.get(URL)), shown(admin.get(URL))
    assert "Nothing carries this tag yet." in page
    assert "The only one" not in page
    assert 'href="/admin/taggit/tag/"' not in page
    assert 'href="/admin/taggit/tag/"' in staff_page


def test_drafts_stay_private_to_everyone_until_published(tagged, attendee, built):
    author = logged_in(tagged["author"])
    own = shown(author.get(URL))  # the author fills the cache first
    other = shown(logged_in(attendee).get(URL))
    for page in (own, other):
        assert "A drafted takeaway" not in page
        assert "A drafted follow-up" not in page
        assert 'Takeaways <span class="meta">(1)</span>' in page
        assert 'Follow-ups <span class="meta">(1)</span>' in page
    publish(tagged)
    published = shown(logged_in(attendee).get(URL))
    assert "A drafted takeaway" in published
    assert "A drafted follow-up" in published
    assert 'Takeaways <span class="meta">(2)</span>' in published


# --- The rows written in Python -------------------------------------------------------

HOSTILE = "<b>&\"'</b>"
ESCAPED = "&lt;b&gt;&amp;&quot;&#x27;&lt;/b&gt;"


@pytest.fixture
def hostile(attendee):
    """A row of every kind whose every shown value needs escaping."""
    person = UserFactory(username="eve", first_name=HOSTILE, last_name="Q")
    event = EventFactory(name=f"Conf {HOSTILE}")
    talk = TalkFactory(event=event, title=f"Talk {HOSTILE}",
                       speakers=[SpeakerFactory(name=f"Speaker {HOSTILE}")])  # fmt: skip
    space = OpenSpaceFactory(event=event, topic=f"Space {HOSTILE}", convenor=f"By {HOSTILE}")
    on_event = TakeawayFactory(event=event, talk=None, author=person, text=f"Event {HOSTILE}")
    on_talk = TakeawayFactory(event=event, talk=talk, author=person, text=f"Talk {HOSTILE}")
    on_space = TakeawayFactory(event=event, talk=None, open_space=space, author=person,
                               text=f"Space {HOSTILE}")  # fmt: skip
    overdue = ActionPointFactory(event=event, talk=talk, assignee=person, title=f"Do {HOSTILE}",
                                 due_on=days_from_today(-2))  # fmt: skip
    unassigned = ActionPointFactory(event=event, open_space=space, title=f"Un {HOSTILE}",
                                    status=ActionPoint.Status.DONE,
                                    due_on=days_from_today(-2))  # fmt: skip
    on_the_event = ActionPointFactory(event=event, title="No session")
    for row in (talk, space, on_event, on_talk, on_space, overdue, unassigned, on_the_event):
        row.tags.add("sre", HOSTILE)
    return Tag.objects.get(name=HOSTILE)


def test_shown_values_are_escaped_in_every_section(hostile, attendee):
    html = shown(logged_in(attendee).get(URL))
    assert "<b>" not in html
    texts = ["Talk", "Speaker", "Space", "By", "Conf", "Event", "Do", "Un"]
    assert [text for text in texts if f"{text} {ESCAPED}" not in html] == []
    assert f"{ESCAPED} Q" in html  # the author's and the assignee's full name
    # On each of the eight rows.
    assert html.count(f'<a class="tag" href="/tags/{hostile.slug}/">{ESCAPED}</a>') == 8


# The talks' and open spaces' rows as the page's template loop wrote them.
TALK_ROW = Template(
    '<li><a href="{{ item.get_absolute_url }}">{{ item.title }}</a> '
    '<span class="meta">{{ item.get_kind_display }}{% for speaker in item.speakers.all %}'
    "{% if forloop.first %} by {% else %}, {% endif %}"
    '<a href="{{ speaker.get_absolute_url }}">{{ speaker.name }}</a>{% endfor %} · '
    '<a href="{{ item.event.get_absolute_url }}">{{ item.event.name }}</a></span> '
    '{% include "_tags.html" with tags=item.tag_list %}</li>'
)
OPEN_SPACE_ROW = Template(
    '<li><a href="{{ item.get_absolute_url }}">{{ item.topic }}</a> '
    '<span class="meta">{% if item.convenor %}convened by {{ item.convenor }} · {% endif %}'
    '<a href="{{ item.event.get_absolute_url }}">{{ item.event.name }}</a></span> '
    '{% include "_tags.html" with tags=item.tag_list %}</li>'
)


def template_rows(section) -> str:
    """The section's rows as the templates write them, one include per row."""
    if section.key in ("talks", "open_spaces"):
        row = TALK_ROW if section.key == "talks" else OPEN_SPACE_ROW
        return "".join(row.render(Context({"item": item})) for item in section.items)
    if section.key == "takeaways":
        return "".join(render_to_string("talks/_takeaway.html", {"item": item})
                       for item in section.items)  # fmt: skip
    if section.key == "action_points":
        return "".join(
            render_to_string("actions/_follow_up.html", {"item": item, "show_assignee": True})
            for item in section.items
        )
    raise AssertionError(section.key)


def squeezed(html: str) -> str:
    """Whitespace runs as one space: what a browser shows, without the templates'
    indentation."""
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize(
    "key, rows", [("talks", 1), ("open_spaces", 1), ("takeaways", 3), ("action_points", 3)]
)
def test_python_rows_are_the_templates_markup(hostile, attendee, key, rows):
    section = getattr(sections(usage_of(hostile), attendee), key)
    assert len(section.items) == rows
    assert squeezed(section_rows(section)) == squeezed(template_rows(section))
