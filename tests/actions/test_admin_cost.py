"""What the admin changelist costs: the busiest-assignee choices read counts kept by
triggers (AssigneeOpenCount), which stay equal to counting the rows after every kind
of write; its rows are written by common.admin_helpers.RowRenderer, with the markup
Django's own template tag writes."""

import re

import pytest
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.admin import AssigneeFilter
from actions.models import ActionPoint, ActionPointChange, AssigneeOpenCount
from actions.services import update_action_points
from common.admin_helpers import QueryStringChangeList, result_list
from tests.factories import ActionPointFactory, EventFactory, UserFactory
from tests.helpers import days_from_today, list_edit_form, list_edit_row

pytestmark = pytest.mark.django_db

DONE = ActionPoint.Status.DONE


def counted() -> dict[int, int]:
    """Open action points per assignee, counted from the rows."""
    rows = ActionPoint.objects.open().exclude(assignee=None).values("assignee")
    return dict(rows.annotate(n=Count("*")).values_list("assignee", "n"))


def stored() -> dict[int, int]:
    return dict(AssigneeOpenCount.objects.values_list("assignee_id", "open_count"))


@pytest.fixture
def people(db) -> list[User]:
    """Three people with 3, 2 and 1 open action points, and a done one each."""
    users = [UserFactory(username=name) for name in ("ann", "bob", "cy")]
    for user, n in zip(users, (3, 2, 1), strict=True):
        ActionPointFactory.create_batch(n, assignee=user)
        ActionPointFactory(assignee=user, status=DONE)
    ActionPointFactory()  # unassigned
    return users


def test_counts_start_equal_to_the_rows(people):
    ann, bob, cy = people
    assert stored() == counted() == {ann.pk: 3, bob.pk: 2, cy.pk: 1}


def test_saving_one_through_the_orm_keeps_counts_exact(people):
    ann, bob, cy = people
    moved = ActionPoint.objects.filter(assignee=ann).open().first()
    moved.assignee = cy
    moved.save()
    finished = ActionPoint.objects.filter(assignee=bob).open().first()
    finished.status = DONE
    finished.save()
    reopened = ActionPoint.objects.get(assignee=cy, status=DONE)
    reopened.status = ActionPoint.Status.IN_PROGRESS
    reopened.save()
    assert stored() == counted() == {ann.pk: 2, bob.pk: 1, cy.pk: 3}


def test_a_person_whose_last_open_one_is_done_has_no_row(people):
    ann, bob, cy = people
    only = ActionPoint.objects.open().get(assignee=cy)
    only.status = DONE
    only.save()
    assert stored() == counted() == {ann.pk: 3, bob.pk: 2}


def test_bulk_update_and_bulk_create_keep_counts_exact(people):
    ann, bob, cy = people
    ActionPoint.objects.filter(assignee=ann).update(assignee=bob)
    event = EventFactory()
    ActionPoint.objects.bulk_create(
        [ActionPoint(title=f"New {n}", event=event, assignee=cy) for n in range(4)]
    )
    assert stored() == counted() == {bob.pk: 5, cy.pk: 5}


def test_the_admins_bulk_service_keeps_counts_exact(people, staff):
    ann, bob, cy = people
    bulk = {"by": staff, "via": ActionPointChange.Via.ADMIN_BULK}
    update_action_points(ActionPoint.objects.filter(assignee=bob), status=DONE, **bulk)
    update_action_points(ActionPoint.objects.filter(assignee=cy), assignee=ann, **bulk)
    assert stored() == counted() == {ann.pk: 4}


def test_the_admins_mark_done_action_keeps_counts_exact(people, staff_client):
    ann, bob, cy = people
    chosen = list(ActionPoint.objects.open().filter(assignee=ann)[:2])
    response = staff_client.post(
        reverse("admin:actions_actionpoint_changelist"),
        {
            "action": "mark_done",
            "_selected_action": [ap.pk for ap in chosen],
            "select_across": "0",
            "index": "0",
        },
    )
    assert response.status_code == 302
    assert stored() == counted() == {ann.pk: 1, bob.pk: 2, cy.pk: 1}


def test_raw_sql_keeps_counts_exact(people):
    ann, bob, cy = people
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actions_actionpoint SET assignee_id = %s WHERE assignee_id = %s",
            [cy.pk, bob.pk],
        )
        cursor.execute(
            "UPDATE actions_actionpoint SET status = 'done', completed_at = now() "
            "WHERE assignee_id = %s AND status = 'open'",
            [ann.pk],
        )
    assert stored() == counted() == {cy.pk: 3}


def test_deleting_rows_and_cascades_keeps_counts_exact(people):
    ann, bob, cy = people
    ActionPoint.objects.filter(assignee=ann).open().first().delete()
    # An event's action points go with it.
    ActionPoint.objects.filter(assignee=bob).open().first().event.delete()
    # A deleted person's action points are unassigned.
    cy.delete()
    assert stored() == counted() == {ann.pk: 2, bob.pk: 1}


def test_truncate_empties_the_counts(people):
    with connection.cursor() as cursor:
        # The content-version triggers' events wait for the commit; TRUNCATE
        # refuses to run while any are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE actions_actionpoint CASCADE")
    assert stored() == counted() == {}


def test_a_rolled_back_write_leaves_counts_as_they_were(people):
    ann, bob, cy = people
    with pytest.raises(RuntimeError), transaction.atomic():
        ActionPoint.objects.filter(assignee=ann).update(assignee=cy)
        raise RuntimeError("changed my mind")
    assert stored() == counted() == {ann.pk: 3, bob.pk: 2, cy.pk: 1}


def test_busiest_matches_counting_the_rows(people):
    ann, bob, _cy = people
    dora = UserFactory(username="dora")
    ActionPointFactory.create_batch(2, assignee=dora)  # ties with bob: by username
    expected = ActionPoint.objects.busiest_assignees(3)
    assert (
        AssigneeOpenCount.objects.busiest(3)
        == expected
        == [
            (ann.pk, "ann"),
            (bob.pk, "bob"),
            (dora.pk, "dora"),
        ]
    )


def test_assignee_choices_are_one_query_of_stored_counts(people, rf, staff):
    request = rf.get("/")
    request.user = staff
    with CaptureQueriesContext(connection) as captured:
        choices = AssigneeFilter(request, {}, ActionPoint, None).lookup_choices
    assert [label for _value, label in choices] == [
        "Unassigned",
        "Assigned to me",
        "ann",
        "bob",
        "cy",
    ]
    assert ["actions_assigneeopencount" in q["sql"] for q in captured] == [True]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_the_counts_from_existing_rows():
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    latest = graph.leaf_nodes("actions")
    # Just before the migration that made the counts (whatever its number).
    (made_them,) = [key for key in graph.nodes if key[1].endswith("_assignee_open_counts")]
    before = [parent for parent in graph.node_map[made_them].parents if parent[0] == "actions"]
    executor.migrate([parent.key for parent in before])
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    ActionPointFactory.create_batch(2, assignee=ann)
    ActionPointFactory(assignee=bob, status=ActionPoint.Status.IN_PROGRESS)
    ActionPointFactory(assignee=bob, status=DONE)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    assert stored() == counted() == {ann.pk: 2, bob.pk: 1}


# The rows, as Django's template tag and as RowRenderer write them


def both_result_lists(response) -> tuple[dict, dict]:
    """The rendered changelist's ``result_list`` context, from Django and from ours,
    each row as its list of cells."""
    cl = response.context["cl"]
    lists = []
    for context in (admin_list.result_list(cl), result_list(cl)):
        lists.append({**context, "results": [(r.form, list(r)) for r in context["results"]]})
    return lists[0], lists[1]


@pytest.fixture
def listed(people) -> list[ActionPoint]:
    ann, bob, _cy = people
    ActionPointFactory(title="Due <soon> & more", assignee=bob, due_on=days_from_today(2))
    ActionPointFactory(title="Late", assignee=ann, due_on=days_from_today(-3))
    return list(ActionPoint.objects.all())


@pytest.mark.parametrize(
    "query", ["", "?status__exact=open&assignee=1", "?o=-2.3", "?q=soon&_popup=1&_to_field=id"]
)
def test_rows_are_written_as_djangos_template_tag_writes_them(staff_client, listed, query):
    url = reverse("admin:actions_actionpoint_changelist") + query
    response = staff_client.get(url)
    assert response.status_code == 200
    django_rows, our_rows = both_result_lists(response)
    assert our_rows == django_rows
    assert len(our_rows["results"]) == len(response.context["cl"].result_list)


def test_rows_with_errors_are_written_as_djangos_template_tag_writes_them(staff_client, listed):
    url = reverse("admin:actions_actionpoint_changelist")
    shown = list(staff_client.get(url).context["cl"].result_list)
    rows = [list_edit_row(ap) for ap in shown]
    rows[0]["status"] = "no such status"
    rows[1]["seen_version"] = "damaged"
    rows[1]["due_on"] = days_from_today(1).isoformat()
    response = staff_client.post(url, list_edit_form(*rows))
    assert response.status_code == 200
    assert response.context["cl"].formset.errors[0]
    django_rows, our_rows = both_result_lists(response)
    assert our_rows == django_rows


@pytest.mark.parametrize(
    "query", ["?status__exact=open", "?_facets=True&tag=r-d", "?assignee=none&o=3&q=%3Cx%3E"]
)
def test_the_page_is_the_one_djangos_rows_and_filters_made(
    staff_client, listed, monkeypatch, query
):
    listed[0].tags.add("R&D <team>")
    url = reverse("admin:actions_actionpoint_changelist") + query
    ours = staff_client.get(url).content.decode()
    monkeypatch.setattr(
        "common.admin_helpers.RowRenderer.items",
        lambda self, result, form: admin_list.items_for_result(self.cl, result, form),
    )
    monkeypatch.setattr(
        "actions.templatetags.admin_rows.list_filter_html", admin_list.admin_list_filter
    )
    djangos = staff_client.get(url).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')  # masked anew each time
    assert token.sub("", ours) == token.sub("", djangos)
    assert ("R&amp;D &lt;team&gt;" in ours, 'class="selected"' in ours) == (True, True)


@pytest.mark.parametrize(
    ("query", "new_params", "remove"),
    [
        ("", {}, []),
        ("?status__exact=open&assignee=1", {"assignee": "none"}, []),
        ("?status__exact=open&assignee=1", {"assignee": None}, []),
        ("?status__exact=open&due_on__year=2026", {"due_on__month": 3}, ["due_on__"]),
        ("?q=caf%C3%A9+%26+more&tag=a&tag=b", {"o": "2.-3", "p": 2}, ["status"]),
        ("?tag=", {"tag": ["x", "y z"], "status__exact": []}, []),
    ],
)
def test_query_strings_are_djangos(staff_client, query, new_params, remove):
    url = reverse("admin:actions_actionpoint_changelist") + query
    cl = staff_client.get(url).context["cl"]
    assert isinstance(cl, QueryStringChangeList)
    for _ in range(2):  # once encoded, once remembered
        ours = cl.get_query_string(new_params, remove)
        assert ours == ChangeList.get_query_string(cl, new_params, remove)


def test_the_changelist_has_no_sidebar_of_every_admin_section(staff_client):
    page = staff_client.get(reverse("admin:actions_actionpoint_changelist")).content.decode()
    assert ('id="nav-sidebar"' in page, '<div class="breadcrumbs">' in page) == (False, True)
