"""One person's follow-ups are cached under their own counter, "assignee:<user id>"
(migration actions 0022, ``per_assignee`` in common.caching): every write to an action
point assigned to them, before or after, retires their list (the follow-ups page
without filters and the dashboard's "My follow-ups"), whatever wrote it; a write to
someone else's leaves it cached; and every reader, with drafts or not, is served what
a page built from the database shows. These tests commit for real (caching is off
inside a transaction)."""

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange
from actions.services import update_action_point
from common import caching
from common.templatetags import fragments
from notes.services import NewActionPoint, NewTakeaway, update_note, write_note
from talks.models import ContentVersion, Event, Note, Talk
from tests.factories import ActionPointFactory, EventFactory, TalkFactory, UserFactory
from tests.helpers import days_from_today, logged_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The two lists of the reader's own follow-ups, by the page that shows them.
MY_LISTS = {"/follow-ups/": "my-follow-ups", "/": "dashboard-my-follow-ups"}
# What every reader reads before and after each write.
URLS = ["/", "/follow-ups/", "/follow-ups/?status=done&status=open", "/follow-ups/?scope=all"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Rendered:
    """The fragments the pages asked for, and those of them built from the database
    (not served from the cache), by name, as the pages rendered them."""

    asked: list[str]
    built: list[str]

    def clear(self) -> None:
        self.asked.clear()
        self.built.clear()


@pytest.fixture
def rendered(monkeypatch) -> Rendered:
    seen = Rendered([], [])
    serve = fragments.cached_fragment

    def recorded(request, name, key, build):
        seen.asked.append(name)

        def build_and_record():
            seen.built.append(name)
            return build()

        return serve(request, name, key, build_and_record)

    monkeypatch.setattr(fragments, "cached_fragment", recorded)
    return seen


@dataclass
class Team:
    me: object  # bob, the reader whose list is watched
    colleague: object  # erin
    author: object  # dave, with a draft note
    staff: object
    manager: object
    event: Event
    talk: Talk
    mine: ActionPoint
    theirs: ActionPoint
    drafted_for_me: ActionPoint  # in dave's draft: hidden from me until published
    published_for_me: ActionPoint  # in dave's published note
    drafted_for_colleague: ActionPoint  # in another of dave's drafts


def raised_in_note(author, event, talk, title: str, assignee, status: str) -> ActionPoint:
    """An action point written with a note, as the note form writes it, then assigned."""
    note = write_note(author=author, event=event, talk=talk, body="Notes.", status=status,
                      action_points=[NewActionPoint(title, tags=["sre"])])  # fmt: skip
    ActionPoint.objects.filter(note=note).update(assignee=assignee)
    return ActionPoint.objects.get(note=note)


@pytest.fixture
def team(attendee, staff, manager) -> Team:
    colleague = UserFactory(username="erin", role="attendee")
    author = UserFactory(username="dave", role="attendee")
    event = EventFactory(name="Here Conf")
    talk = TalkFactory(event=event, title="Lean ops")
    mine = ActionPointFactory(event=event, talk=talk, assignee=attendee, title="Mine to do",
                              due_on=days_from_today(4))  # fmt: skip
    mine.tags.add("sre")
    theirs = ActionPointFactory(event=event, talk=talk, assignee=colleague, title="Erin's to do")
    theirs.tags.add("sre")
    # Tags in use already, as on a busy day: a new tag's name would be a change of "tags".
    for name in ("observability", "kubernetes"):
        Tag.objects.create(name=name)
    return Team(
        me=attendee, colleague=colleague, author=author, staff=staff, manager=manager,
        event=event, talk=talk, mine=mine, theirs=theirs,
        drafted_for_me=raised_in_note(author, event, talk, "Drafted for bob", attendee, "draft"),
        published_for_me=raised_in_note(
            author, event, talk, "Published for bob", attendee, "published"
        ),
        drafted_for_colleague=raised_in_note(
            author, event, talk, "Drafted for erin", colleague, "draft"
        ),
    )  # fmt: skip


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def shown(response) -> str:
    """The page without what differs on every response (CSRF values, feed keys)."""
    assert response.status_code == 200
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r"key=[\w:.-]+", "key=K", html)


def mark(action_point: ActionPoint, *, by, **values) -> None:
    """A change through the site's update form's service."""
    stored = ActionPoint.objects.get(pk=action_point.pk)
    update_action_point(stored, by=by, via=ActionPointChange.Via.WEB, seen_version=stored.version,
                        **values)  # fmt: skip


def admin_mark_done(team: Team, action_point: ActionPoint) -> None:
    response = logged_in(team.staff).post(
        reverse("admin:actions_actionpoint_changelist"),
        {"action": "mark_done", "_selected_action": [action_point.pk], "select_across": "0",
         "index": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ActionPoint.objects.get(pk=action_point.pk).status == ActionPoint.Status.DONE


def publish(note: Note, *, by) -> None:
    update_note(note=note, by=by, title="", body="Notes.", status=Note.Status.PUBLISHED)


def busy_day_note(team: Team) -> None:
    """As the busy day's writer posts: takeaways and an action point nobody has yet."""
    write_note(author=team.colleague, event=team.event, talk=team.talk, body="Busy.",
               status=Note.Status.PUBLISHED,
               takeaways=[NewTakeaway("Learned", tags=["observability"])],
               action_points=[NewActionPoint("Try it", tags=["observability"])])  # fmt: skip


# Each changes what my lists show, or might (history, a raw write of the same title).
WRITES_TO_MINE = {
    "created (ORM)": lambda t: ActionPointFactory(
        event=t.event, talk=t.talk, assignee=t.me, title="New for bob"
    ),
    "updated (ORM save)": lambda t: (setattr(t.mine, "title", "Renamed by save"), t.mine.save()),
    "deleted (ORM)": lambda t: t.mine.delete(),
    "reassigned to me": lambda t: mark(t.theirs, by=t.staff, assignee=t.me),
    "reassigned away from me": lambda t: mark(t.mine, by=t.staff, assignee=t.colleague),
    "status changed by staff": lambda t: mark(t.mine, by=t.staff, status="in_progress"),
    "tag added": lambda t: t.mine.tags.add("kubernetes"),
    "tag removed": lambda t: t.mine.tags.remove("sre"),
    "history entry": lambda t: t.mine.history.create(
        changed_by=t.staff, comment="Looked at it", via=ActionPointChange.Via.ADMIN
    ),
    "admin bulk update": lambda t: admin_mark_done(t, t.mine),
    "raw SQL update": lambda t: sql(
        "UPDATE actions_actionpoint SET title = 'Raw title' WHERE id = %s", [t.mine.pk]
    ),
    "raw SQL reassignment to me": lambda t: sql(
        "UPDATE actions_actionpoint SET assignee_id = %s WHERE id = %s", [t.me.pk, t.theirs.pk]
    ),
    "raw SQL tag link deleted": lambda t: sql(
        "DELETE FROM actions_taggedactionpoint WHERE content_object_id = %s", [t.mine.pk]
    ),
    "its note published": lambda t: publish(t.drafted_for_me.note, by=t.author),
    "its note unpublished": lambda t: update_note(
        note=t.published_for_me.note, by=t.author, title="", body="Notes.", status="draft"
    ),
    "its note back to draft (raw SQL)": lambda t: sql(
        "UPDATE talks_note SET status = 'draft' WHERE id = %s", [t.published_for_me.note_id]
    ),
    "its note published (raw SQL)": lambda t: sql(
        "UPDATE talks_note SET status = 'published', published_at = now() WHERE id = %s",
        [t.drafted_for_me.note_id],
    ),
    "its draft given to me (raw SQL)": lambda t: sql(
        "UPDATE talks_note SET author_id = %s WHERE id = %s", [t.me.pk, t.drafted_for_me.note_id]
    ),
    "tag links truncated": lambda t: sql("TRUNCATE actions_taggedactionpoint"),
}

# Each changes action points, none of them assigned to me.
WRITES_TO_OTHERS = {
    "a note with an unassigned action point": busy_day_note,
    "someone else's changed by staff": lambda t: mark(t.theirs, by=t.staff, status="in_progress"),
    "someone else's tagged": lambda t: t.theirs.tags.add("kubernetes"),
    "someone else's history entry": lambda t: t.theirs.history.create(
        changed_by=t.staff, comment="Looked at it", via=ActionPointChange.Via.ADMIN
    ),
    "someone else's by admin bulk update": lambda t: admin_mark_done(t, t.theirs),
    "someone else's by raw SQL": lambda t: sql(
        "UPDATE actions_actionpoint SET title = 'Raw title' WHERE id = %s", [t.theirs.pk]
    ),
    "someone else's reassigned to a third": lambda t: mark(
        t.theirs, by=t.staff, assignee=t.manager
    ),
    "someone else's deleted": lambda t: t.theirs.delete(),
    "someone else's note published": lambda t: publish(t.drafted_for_colleague.note, by=t.author),
}


def readers(team: Team) -> dict:
    """Every kind of reader: me, a colleague, an author with drafts, a manager, staff."""
    people = {"me": team.me, "colleague": team.colleague, "author with drafts": team.author,
              "manager": team.manager, "staff": team.staff}  # fmt: skip
    return {persona: logged_in(user) for persona, user in people.items()}


def pages(clients: dict) -> dict:
    return {(persona, url): shown(client.get(url)) for persona, client in clients.items()
            for url in URLS}  # fmt: skip


def my_lists_after(team: Team, rendered: Rendered, write) -> dict[str, set[str]]:
    """Which of my two lists were built again after ``write`` and which were served
    from the cache, my pages read before it; and every reader served after it gets
    exactly what an empty cache gives them."""
    clients = readers(team)
    pages(clients)
    write(team)
    rendered.clear()
    mine = logged_in(team.me)
    for url in MY_LISTS:
        mine.get(url)
    lists = set(MY_LISTS.values())
    built = set(rendered.built) & lists
    outcome = {"built": built, "cached": set(rendered.asked) & lists - built}
    served = pages(clients)
    cache.clear()
    fresh = pages(clients)
    assert [page for page in fresh if served[page] != fresh[page]] == []
    return outcome


@pytest.mark.parametrize("write", WRITES_TO_MINE)
def test_a_write_to_an_action_point_of_mine_retires_my_lists(team, rendered, write):
    outcome = my_lists_after(team, rendered, WRITES_TO_MINE[write])
    assert outcome == {"built": set(MY_LISTS.values()), "cached": set()}


@pytest.mark.parametrize("write", WRITES_TO_OTHERS)
def test_a_write_to_someone_elses_action_point_leaves_my_lists_cached(team, rendered, write):
    outcome = my_lists_after(team, rendered, WRITES_TO_OTHERS[write])
    assert outcome == {"built": set(), "cached": set(MY_LISTS.values())}


WATCHED = re.compile(r"Mine to do|Drafted for bob|Published for bob")


def titles_on_my_pages(client) -> dict[str, list[str]]:
    return {url: sorted(set(WATCHED.findall(client.get(url).content.decode()))) for url in MY_LISTS}


def test_my_list_shows_an_action_point_of_mine_when_its_note_is_published_and_not_before(team):
    client = logged_in(team.me)
    before = titles_on_my_pages(client)
    publish(team.drafted_for_me.note, by=team.author)
    after = titles_on_my_pages(client)
    assert before == {url: ["Mine to do", "Published for bob"] for url in MY_LISTS}
    assert after == {url: ["Drafted for bob", "Mine to do", "Published for bob"]
                     for url in MY_LISTS}  # fmt: skip


def test_an_author_sees_the_action_point_of_their_own_draft_assigned_to_them(team):
    """The author of a draft has it in their own list; nobody else's list is theirs."""
    own = raised_in_note(team.author, team.event, team.talk, "Dave's own draft", team.author,
                         "draft")  # fmt: skip
    client = logged_in(team.author)
    for url in MY_LISTS:
        client.get(url)
    sql("UPDATE actions_actionpoint SET title = 'Dave renamed' WHERE id = %s", [own.pk])
    for url in MY_LISTS:
        html = client.get(url).content.decode()
        assert ("Dave renamed" in html, "Dave&#x27;s own draft" in html) == (True, False), url


# --- Which counters a write moves ----------------------------------------------------------


def counters() -> dict[str, int]:
    return dict(ContentVersion.objects.values_list("scope", "version"))


def bumped(write) -> set[str]:
    before = counters()
    write()
    after = counters()
    return {scope for scope, version in after.items() if version != before.get(scope, 0)}


def test_a_reassignment_bumps_the_old_and_the_new_assignees_counters(team):
    moved = bumped(lambda: mark(team.mine, by=team.staff, assignee=team.colleague))
    assert moved == {"all", "action_points", f"event:{team.event.pk}",
                     f"assignee:{team.me.pk}", f"assignee:{team.colleague.pk}"}  # fmt: skip


def test_an_unassigned_action_point_bumps_no_assignees_counter(team):
    assert bumped(lambda: busy_day_note(team)) == {
        "all", "notes", "takeaways", "action_points", f"event:{team.event.pk}"
    }  # fmt: skip


def test_publishing_a_note_bumps_the_counters_of_its_action_points_assignees(team):
    moved = bumped(lambda: publish(team.drafted_for_me.note, by=team.author))
    assert moved == {"all", "notes", "drafts", f"event:{team.event.pk}", f"assignee:{team.me.pk}"}


def test_editing_a_published_note_bumps_no_assignees_counter(team):
    note_id = team.published_for_me.note_id
    assert bumped(lambda: Note.objects.filter(pk=note_id).update(title="Edited")) == {
        "all", "notes", f"event:{team.event.pk}"
    }  # fmt: skip


def test_a_tag_renamed_bumps_tags_only(team):
    assert bumped(lambda: Tag.objects.filter(name="sre").update(name="SRE")) == {"all", "tags"}


# --- The declaration and what it costs -----------------------------------------------------


def test_a_per_assignee_fragment_cannot_also_depend_on_everyones_action_points():
    with pytest.raises(ValueError, match="per-assignee"):
        caching.shows(caching.ACTION_POINTS, per_assignee=True)


def test_a_per_assignee_fragment_needs_a_user_as_its_first_key_part(attendee):
    request = RequestFactory().get("/")
    request.user = attendee
    with pytest.raises(TypeError, match="must be a user"):
        caching.cached_fragment(request, "my-follow-ups", ("bob",), lambda: "")


def test_my_cached_follow_ups_cost_one_query_for_the_versions(team):
    client = logged_in(team.me)
    client.get("/follow-ups/")
    busy_day_note(team)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/follow-ups/")
    versions = [q for q in captured.captured_queries if "talks_contentversion" in q["sql"]]
    assert (page.wsgi_request._fragment_counts, len(versions)) == ({"hits": 2, "builds": 0}, 1)
