"""The admin's action point changelist keeps its list (everything but the CSRF token) in
two fragments between writes (actions.admin.ActionPointAdmin.cached_changelist_view,
the "admin-action-points" declaration in common.caching.FRAGMENTS): a reader served
from them runs no query of the list's own, sees exactly the page built from the
database, with their own CSRF token and what their permissions allow, and never a page
older than the last write to what it shows, whatever wrote it. These tests commit for
real (nothing is cached inside a transaction)."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from actions.admin import ActionPointAdmin
from actions.models import ActionPoint
from talks.models import Event, Note
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    NoteFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import days_from_today, list_edit_form, list_edit_row, logged_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHANGELIST = reverse("admin:actions_actionpoint_changelist")
PAGE = CHANGELIST + "?status__exact=open"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rows(staff) -> dict:
    """A few open action points: staff's, dora's (tagged, at an event with a name), and
    one unassigned."""
    dora = UserFactory(username="dora")
    event = EventFactory(name="Fresh Conf")
    mine = ActionPointFactory(title="Fix the runbook", assignee=staff, event=event)
    hers = ActionPointFactory(
        title="Write the post-mortem", assignee=dora, event=event, due_on=days_from_today(3)
    )
    hers.tags.add("observability")
    ActionPointFactory(title="Nobody's yet", event=event)
    return {"dora": dora, "event": event, "mine": mine, "hers": hers}


def fragments_of(response) -> dict[str, int]:
    return response.wsgi_request._fragment_counts


def without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def served_from_cache(client, url: str = PAGE):
    """A GET that the test checks came from the cache (the page was built before)."""
    response = client.get(url)
    assert response.status_code == 200
    assert fragments_of(response) == {"hits": 2, "builds": 0}
    return response


# --- Served from the cache ------------------------------------------------------------


def test_a_page_served_from_the_cache_runs_no_query_of_the_list(staff_client, rows):
    built = staff_client.get(PAGE)
    assert fragments_of(built) == {"hits": 0, "builds": 2}
    with CaptureQueriesContext(connection) as captured:
        served_from_cache(staff_client)
    # The session with its user, then the content versions (and the reader's drafts).
    assert len(captured) == 2
    assert "talks_contentversion" in captured[1]["sql"]
    assert [query for query in captured if "actions_" in query["sql"]] == []


def test_the_page_from_the_cache_is_the_page_built(staff_client, rows):
    built = staff_client.get(PAGE).content.decode()
    cached = served_from_cache(staff_client).content.decode()
    assert without_csrf_tokens(cached) == without_csrf_tokens(built)
    assert "Write the post-mortem" in cached


@pytest.mark.parametrize(
    "query", ["", "?status__exact=open", "?o=-2.3&q=the", "?assignee=me", "?_popup=1&_to_field=id"]
)
def test_the_page_is_djangos_changelist_page(staff_client, rows, monkeypatch, query):
    """The same page, but for whitespace, as Django's own view and template write it."""
    ours = staff_client.get(CHANGELIST + query).content.decode()
    monkeypatch.setattr(ActionPointAdmin, "cached_changelist_view", lambda *args: None)
    monkeypatch.setattr(ActionPointAdmin, "change_list_template", "admin/change_list.html")
    djangos = staff_client.get(CHANGELIST + query).content.decode()

    def words(html: str) -> list[str]:
        return re.sub(r">\s*<", "> <", without_csrf_tokens(html)).split()

    assert words(ours) == words(djangos)


def test_each_reader_gets_their_own_csrf_token(staff_client, rows):
    other_staff = logged_in(UserFactory(username="erin", role="staff"))
    staff_client.get(PAGE)
    for client in (staff_client, other_staff):
        page = served_from_cache(client).content.decode()
        secret = client.cookies["csrftoken"].value
        assert [_unmask_cipher_token(token) for token in csrf_tokens(page)] == [secret, secret]


def test_assigned_to_me_is_not_shared_between_readers(staff_client, rows):
    dora = rows["dora"]
    dora.is_staff = True
    dora.save()
    dora.groups.add(*User.objects.get(pk=rows["mine"].assignee_id).groups.all())
    mine = staff_client.get(CHANGELIST + "?assignee=me").content.decode()
    hers = logged_in(dora).get(CHANGELIST + "?assignee=me").content.decode()
    assert ("Fix the runbook" in mine, "Write the post-mortem" in mine) == (True, False)
    assert ("Fix the runbook" in hers, "Write the post-mortem" in hers) == (False, True)


def test_a_reader_who_may_only_view_never_gets_the_editors_page(staff_client, rows):
    staff_client.get(PAGE)
    viewer = UserFactory(username="vic", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_actionpoint"))
    page = logged_in(viewer).get(PAGE)
    assert fragments_of(page) == {"hits": 0, "builds": 2}
    html = page.content.decode()
    assert ('name="form-0-status"' in html, "Mark done" in html) == (False, False)
    assert "Select action point to view" in html


# --- Never stale: every kind of write retires the page -----------------------------------


def edit_through_the_list(staff_client, rows):
    row = list_edit_row(rows["hers"], status=ActionPoint.Status.DONE)
    response = staff_client.post(PAGE, list_edit_form(row))
    assert response.status_code == 302


def mark_done_in_bulk(staff_client, rows):
    data = {"action": "mark_done", "_selected_action": [rows["hers"].pk], "index": 0}
    response = staff_client.post(PAGE, data)
    assert response.status_code == 302


def save_with_the_orm(staff_client, rows):
    rows["hers"].status = ActionPoint.Status.DONE
    rows["hers"].save()


def update_in_bulk(staff_client, rows):
    done = {"status": ActionPoint.Status.DONE, "completed_at": timezone.now()}
    ActionPoint.objects.filter(pk=rows["hers"].pk).update(**done)


def update_with_sql(staff_client, rows):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actions_actionpoint SET status = 'done', completed_at = now() WHERE id = %s",
            [rows["hers"].pk],
        )


def delete_it(staff_client, rows):
    rows["hers"].delete()


@pytest.mark.parametrize(
    "write",
    [
        edit_through_the_list,
        mark_done_in_bulk,
        save_with_the_orm,
        update_in_bulk,
        update_with_sql,
        delete_it,
    ],
)
def test_a_row_leaving_the_open_list_is_gone_at_once(staff_client, rows, write):
    assert "Write the post-mortem" in staff_client.get(PAGE).content.decode()
    served_from_cache(staff_client)
    write(staff_client, rows)
    page = staff_client.get(PAGE)
    assert fragments_of(page) == {"hits": 0, "builds": 2}
    assert "Write the post-mortem" not in page.content.decode()


def rename_the_assignee(rows):
    User.objects.filter(pk=rows["dora"].pk).update(username="dora-renamed")
    return "dora-renamed"


def rename_the_event(rows):
    Event.objects.filter(pk=rows["event"].pk).update(name="Renamed Conf")
    return "Renamed Conf"


def rename_the_tag(rows):
    Tag.objects.filter(name="observability").update(name="o11y")
    return "o11y"


def retitle_with_sql(rows):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actions_actionpoint SET title = 'Retitled' WHERE id = %s", [rows["hers"].pk]
        )
    return "Retitled"


@pytest.mark.parametrize(
    "write", [rename_the_assignee, rename_the_event, rename_the_tag, retitle_with_sql]
)
def test_what_the_list_and_its_filters_show_is_never_stale(staff_client, rows, write):
    staff_client.get(PAGE)
    served_from_cache(staff_client)
    shown = write(rows)
    page = staff_client.get(PAGE)
    assert fragments_of(page) == {"hits": 0, "builds": 2}
    assert shown in page.content.decode()


def test_publishing_a_draft_retires_the_busiest_assignees(staff_client, rows):
    """The assignee filter offers the busiest people by published action points only."""
    fay = UserFactory(username="fay")
    note = NoteFactory(talk=TalkFactory(event=rows["event"]), status=Note.Status.DRAFT)
    ActionPointFactory.create_batch(3, assignee=fay, note=note, event=rows["event"])
    fays_choice = f'href="?assignee={fay.pk}&amp;status__exact=open"'
    assert fays_choice not in staff_client.get(PAGE).content.decode()
    served_from_cache(staff_client)
    Note.objects.filter(pk=note.pk).update(status=Note.Status.PUBLISHED)
    assert fays_choice in staff_client.get(PAGE).content.decode()


# --- Form errors never come from the cache ------------------------------------------------


def test_a_list_edits_errors_are_shown_and_never_cached(staff_client, rows):
    staff_client.get(PAGE)
    served_from_cache(staff_client)
    row = list_edit_row(rows["hers"], due_on="not a date")
    refused = staff_client.post(PAGE, list_edit_form(row)).content.decode()
    assert "Please correct the error below." in refused
    assert 'value="not a date"' in refused
    again = staff_client.get(PAGE).content.decode()
    assert ("Please correct the error below." in again, 'value="not a date"' in again) == (
        False,
        False,
    )


def test_wrong_lookups_are_still_redirected_as_django_does(staff_client, rows):
    response = staff_client.get(CHANGELIST + "?no_such_field=1")
    assert (response.status_code, response["Location"]) == (302, CHANGELIST + "?e=1")
