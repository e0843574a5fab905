"""What the busy day's two writes cost: the note with two tagged takeaways and an
action point (its writing page fetched first), and staff changing an action point
through its page. Their queries are pinned, the counts the triggers keep stay exact
after them, folding the kept counts rewrites only the keys written since the last
fold, and the writing page's labels, written in Python, are Django's markup."""

import re

import pytest
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange
from common.widget_rendering import PythonWidgetRenderer
from notes.forms import NoteWriting
from talks.models import Note, TagUse
from tests.actions.test_overview_summary import assert_exact as assert_tallies_exact
from tests.actions.test_overview_summary import kept as kept_tallies
from tests.factories import ActionPointFactory, EventFactory, TalkFactory, UserFactory
from tests.notes.test_writing import new_note_url, page_data
from tests.search.test_tag_counts import assert_exact as assert_tag_uses_exact
from tests.search.test_tag_counts import kept_counts

pytestmark = pytest.mark.django_db

Status = ActionPoint.Status


def busy_note_data() -> dict:
    return page_data(
        "What we heard.\n\n- one thing\n- another",
        title="Busy day note",
        takeaways=[
            {"text": "Busy takeaway a", "tags": "observability"},
            {"text": "Busy takeaway b", "tags": "kubernetes"},
        ],
        action_points=[{"title": "Busy follow-up", "tags": "observability"}],
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_of(client: Client, url: str, data: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(captured.captured_queries)


def staff_change_data(action_point: ActionPoint, status: str) -> dict:
    action_point.refresh_from_db()
    return {
        "version": action_point.version,
        "status": status,
        "assignee": action_point.assignee.get_username() if action_point.assignee else "",
        "due_on": "",
        "comment": "Busy day check",
    }


@pytest.fixture
def staff_and_action_point():
    staff = UserFactory(role="staff")
    action_point = ActionPointFactory(
        assignee=UserFactory(role="attendee"), status=Status.OPEN, due_on=None
    )
    action_point.tags.add("observability")
    return staff, action_point


def test_the_busy_day_note_leaves_the_kept_counts_exact():
    Tag.objects.create(name="observability")
    talk = TalkFactory()
    writer = logged_in(UserFactory(role="attendee"))

    writer.post(new_note_url(talk), busy_note_data())

    assert Note.objects.count() == 1
    assert_tallies_exact()
    assert_tag_uses_exact()
    assert kept_counts() == {
        "observability": {"takeaways": 1, "action_points": 1},
        "kubernetes": {"takeaways": 1},
    }


def test_the_staff_change_costs_a_fixed_number_of_queries(staff_and_action_point):
    staff, action_point = staff_and_action_point
    client = logged_in(staff)
    url = reverse("actions:update", args=[action_point.pk])
    client.get(action_point.get_absolute_url())  # one-time caches (permissions)

    queries = queries_of(client, url, staff_change_data(action_point, Status.IN_PROGRESS))

    # Session and user; the action point with its assignee (is it visible, may they
    # comment); the assignee typed in the form; then in the transaction: the row
    # locked with what its history names, the update, the history entry and the email
    # to whoever raised it (savepoints around them: the test runs in a transaction).
    # It loaded every relation of the page and the tags too, for a post that
    # redirects: 12.
    assert queries == 11
    assert ActionPointChange.objects.filter(action_point=action_point).count() == 1


def test_the_staff_change_leaves_the_kept_counts_exact(staff_and_action_point):
    staff, action_point = staff_and_action_point
    client = logged_in(staff)
    url = reverse("actions:update", args=[action_point.pk])

    client.post(url, staff_change_data(action_point, Status.IN_PROGRESS))
    client.post(url, staff_change_data(action_point, Status.DONE))

    action_point.refresh_from_db()
    assert action_point.status == Status.DONE
    assert_tallies_exact()
    assert_tag_uses_exact()


def test_an_invalid_staff_change_shows_the_page_with_its_error(staff_and_action_point):
    staff, action_point = staff_and_action_point
    client = logged_in(staff)
    data = {**staff_change_data(action_point, Status.DONE), "due_on": "someday"}

    response = client.post(reverse("actions:update", args=[action_point.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": ["Enter a real date, as YYYY-MM-DD (e.g. 2026-06-30)."]
    }
    # The page shows the action point with its tags, as when it is only read.
    assert [tag.name for tag in response.context["ap"].tag_list] == ["observability"]


def tag_use_rows() -> dict[str, list[int]]:
    """The ids of each tag's counter rows."""
    rows: dict[str, list[int]] = {}
    for pk, name in TagUse.objects.order_by("pk").values_list("pk", "tag__name"):
        rows.setdefault(name, []).append(pk)
    return rows


def test_folding_tag_uses_rewrites_only_the_tags_written_since_the_last_fold():
    talk, other = TalkFactory(), TalkFactory()
    talk.tags.add("observability", "kubernetes")
    TagUse.compact()
    untouched = tag_use_rows()["kubernetes"]
    other.tags.add("observability")
    other.tags.add("tracing")
    other.tags.remove("tracing")
    assert len(tag_use_rows()["observability"]) == 2

    TagUse.compact()

    rows = tag_use_rows()
    # kubernetes's one row stays as it was; observability's two become one; tracing,
    # added and removed, has none.
    assert rows["kubernetes"] == untouched
    assert len(rows["observability"]) == 1
    assert set(rows) == {"kubernetes", "observability"}
    assert_tag_uses_exact()


def tally_rows(table: str, key: str) -> dict:
    """Each key's rows in ``table``, by their physical address (a rewritten row moves)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, ctid::text FROM {table} ORDER BY ctid")  # noqa: S608
        rows: dict = {}
        for value, ctid in cursor.fetchall():
            rows.setdefault(value, []).append(ctid)
        return rows


def fold_tallies() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT actions_tally_fold()")


def test_folding_the_tallies_rewrites_only_the_keys_written_since_the_last_fold():
    ann, ben = UserFactory(), UserFactory()
    summit, meetup = EventFactory(), EventFactory()
    ActionPointFactory(assignee=ann, event=summit)
    ActionPointFactory(assignee=None, event=summit)
    ActionPointFactory(assignee=ben, event=meetup)
    fold_tallies()
    assignees_before = tally_rows("actions_assignee_tally", "assignee_id")
    events_before = tally_rows("actions_event_tally", "event_id")
    ActionPointFactory(assignee=ann, event=summit)
    ActionPointFactory(assignee=None, event=summit)
    dropped = ActionPointFactory(assignee=UserFactory(), event=summit)
    ActionPoint.objects.filter(pk=dropped.pk).delete()
    before = kept_tallies()

    fold_tallies()

    assignees = tally_rows("actions_assignee_tally", "assignee_id")
    events = tally_rows("actions_event_tally", "event_id")
    # ben and meetup were not written since: their rows stay. ann, the unassigned and
    # summit are folded into one row each; the person added and deleted has none.
    assert assignees[ben.pk] == assignees_before[ben.pk]
    assert events[meetup.pk] == events_before[meetup.pk]
    assert {key: len(rows) for key, rows in assignees.items()} == {ann.pk: 1, None: 1, ben.pk: 1}
    assert {key: len(rows) for key, rows in events.items()} == {summit.pk: 1, meetup.pk: 1}
    assert kept_tallies() == before
    assert_tallies_exact()


def test_the_busy_day_puts_the_staff_s_action_point_back_afterwards(staff_and_action_point):
    from bench.busy_day import action_point_state, undo_busy_changes

    staff, action_point = staff_and_action_point
    client = logged_in(staff)
    url = reverse("actions:update", args=[action_point.pk])
    before = action_point_state(action_point.pk)
    client.post(url, staff_change_data(action_point, Status.IN_PROGRESS))
    client.post(url, staff_change_data(action_point, Status.DONE))

    undone = undo_busy_changes(action_point.pk, before)

    action_point.refresh_from_db()
    assert (undone, action_point.status, action_point.completed_at) == (2, Status.OPEN, None)
    assert list(ActionPointChange.objects.filter(action_point=action_point)) == []
    assert_tallies_exact()


class Labels(forms.Form):
    plain = forms.CharField(label="Tags & <notes>")
    asked = forms.CharField(label="Why?", required=False)
    hidden_id = forms.CharField(widget=forms.TextInput(attrs={"id": "custom"}))


def label_tags(form: forms.Form) -> list[str]:
    tags = []
    for field in form:
        tags += [
            field.label_tag(),
            field.label_tag(attrs={"class": "x", "data-on": True, "data-off": False}),
            field.label_tag(contents=mark_safe("<b>Safe</b>"), label_suffix=":", tag="legend"),
            field.legend_tag(),
        ]
    return tags


@pytest.mark.parametrize(
    "make",
    [
        lambda renderer: Labels(renderer=renderer),
        lambda renderer: Labels(renderer=renderer, auto_id=False),
        lambda renderer: Labels(renderer=renderer, label_suffix=" →"),
        lambda renderer: NoteWriting(UserFactory(role="attendee")).note,
    ],
)
def test_the_writing_page_writes_labels_as_django_s_template_does(make):
    form = make(PythonWidgetRenderer())
    written = label_tags(form)
    form.renderer = DjangoTemplates()
    assert written == label_tags(form)


def test_the_writing_page_is_as_it_was_through_django_s_templates(monkeypatch):
    writer, talk = logged_in(UserFactory(role="attendee")), TalkFactory()
    page = writer.get(new_note_url(talk)).content.decode()
    monkeypatch.setattr(PythonWidgetRenderer, "render", DjangoTemplates.render)
    through_templates = writer.get(new_note_url(talk)).content.decode()

    def without_tokens(html: str) -> str:
        return re.sub(r'value="[^"]*"', "", html)

    assert without_tokens(page) == without_tokens(through_templates)
