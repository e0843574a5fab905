"""A talk's or an open space's page reads its heading (the session, its event, tags and
speakers) in one query, and its lists only when their fragments are built: served from
the cache it runs three queries. The heading is what the templates wrote before,
escaped."""

import pytest
from django.core.cache import cache
from django.template import Context, Template

from talks.models import OpenSpace, Talk
from tests.factories import (
    ActionPointFactory,
    NoteFactory,
    OpenSpaceFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries, logged_in

# The heading as the talk page's template wrote it, speakers and tags loaded by the ORM.
TEMPLATE_HEADING = Template(
    "{{ talk.get_kind_display }}{% for speaker in talk.speakers.all %}"
    "{% if forloop.first %} by {% else %}, {% endif %}"
    '<a href="{{ speaker.get_absolute_url }}">{{ speaker.name }}</a>{% endfor %}'
    '{% include "_tags.html" with tags=talk.tag_list %}'
)


@pytest.fixture
def talk():
    talk = TalkFactory(
        title="Tracing <without> tears",
        speakers=[SpeakerFactory(name="Zoë & Co"), SpeakerFactory(name="Al <b>")],
    )
    talk.tags.add("zeta", "R&D", "<alpha>")
    return talk


@pytest.mark.django_db
def test_a_talk_heading_is_what_the_template_wrote(talk):
    reader = logged_in(UserFactory(role="attendee"))
    page = reader.get(talk.get_absolute_url()).text
    loaded = Talk.objects.with_listing_relations().get(pk=talk.pk)
    meta, tags = TEMPLATE_HEADING.render(Context({"talk": loaded})).split("<ul", 1)

    al, zoe = talk.speakers.order_by("name")
    assert meta == (
        f'Talk by <a href="{al.get_absolute_url()}">Al &lt;b&gt;</a>, '
        f'<a href="{zoe.get_absolute_url()}">Zoë &amp; Co</a>'
    )
    assert f'<p class="meta">{meta}\n  at <a' in page
    assert f"<ul{tags}" in page
    assert "&lt;alpha&gt;</a></li><li>" in tags


@pytest.mark.django_db
def test_an_open_space_heading_lists_its_tags_as_the_template_did():
    space = OpenSpaceFactory(topic="Hiring")
    space.tags.add("hiring", "R&D")
    reader = logged_in(UserFactory(role="attendee"))
    page = reader.get(space.get_absolute_url()).text
    loaded = OpenSpace.objects.with_listing_relations().get(pk=space.pk)
    tags = Template('{% include "_tags.html" with tags=space.tag_list %}').render(
        Context({"space": loaded})
    )

    assert "R&amp;D" in tags
    assert tags in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["talk", "open space"])
def test_a_session_page_served_from_the_cache_runs_three_queries(talk, kind):
    session = talk if kind == "talk" else OpenSpaceFactory(event=talk.event)
    where = {"talk": talk} if kind == "talk" else {"open_space": session, "talk": None}
    note = NoteFactory(event=talk.event, **where)
    TakeawayFactory(note=note, event=talk.event, **where)
    ActionPointFactory(note=note, event=talk.event, **where)
    reader = logged_in(UserFactory(role="attendee"))
    cache.clear()
    built = count_queries(reader, session.get_absolute_url())
    served = count_queries(reader, session.get_absolute_url())

    # The session and its user; the session with its event, tags and speakers; the
    # content counters (and whether the reader has drafts).
    assert served == 3
    assert built > served
