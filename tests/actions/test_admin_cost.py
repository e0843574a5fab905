"""What the admin changelist costs: the busiest-assignee choices read the overview's
tallies kept by triggers (their exactness: tests/actions/test_overview_summary.py);
its rows are written by common.admin_helpers.RowRenderer, with the markup Django's
own template tag writes."""

import re

import pytest
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import tallies
from actions.admin import AssigneeFilter
from actions.models import ActionPoint
from common.admin_helpers import QueryStringChangeList, result_list
from talks.models import Note
from tests.factories import ActionPointFactory, NoteFactory, UserFactory
from tests.helpers import days_from_today, list_edit_form, list_edit_row

pytestmark = pytest.mark.django_db

DONE = ActionPoint.Status.DONE


@pytest.fixture
def people(db) -> list[User]:
    """Three people with 3, 2 and 1 open action points, and a done one each."""
    users = [UserFactory(username=name) for name in ("ann", "bob", "cy")]
    for user, n in zip(users, (3, 2, 1), strict=True):
        ActionPointFactory.create_batch(n, assignee=user)
        ActionPointFactory(assignee=user, status=DONE)
    ActionPointFactory()  # unassigned
    return users


def test_busiest_matches_counting_the_rows(people):
    ann, bob, cy = people
    dora = UserFactory(username="dora")
    ActionPointFactory.create_batch(2, assignee=dora)  # ties with bob: by username
    ActionPoint.objects.filter(assignee=cy).update(status=DONE, completed_at=timezone.now())
    open_counts = (
        ActionPoint.objects.public()
        .open()
        .exclude(assignee=None)
        .values("assignee")
        .annotate(n=Count("*"))
    )
    counted = sorted(
        open_counts.values_list("assignee", "assignee__username", "n"), key=lambda r: (-r[2], r[1])
    )
    expected = [(pk, name) for pk, name, _n in counted[:3]]
    assert (
        tallies.busiest_people(3)
        == expected
        == [
            (ann.pk, "ann"),
            (bob.pk, "bob"),
            (dora.pk, "dora"),
        ]
    )


def test_busiest_leaves_out_what_drafts_hide(people):
    ann, bob, cy = people
    ActionPointFactory.create_batch(4, assignee=cy, note=NoteFactory(status=Note.Status.DRAFT))
    assert tallies.busiest_people(3) == [(ann.pk, "ann"), (bob.pk, "bob"), (cy.pk, "cy")]


def test_assignee_choices_are_one_query_of_the_tallies(people, rf, staff):
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
    assert ["actions_assignee_tally" in q["sql"] for q in captured] == [True]


# The rows, as Django's template tag and as RowRenderer write them


def both_result_lists(response) -> tuple[dict, dict]:
    """The rendered changelist's ``result_list`` context, from Django and from ours,
    each row as its list of cells and each hidden field as its HTML (Django's are
    bound fields, ours their HTML)."""
    cl = response.context["cl"]
    lists = []
    for context in (admin_list.result_list(cl), result_list(cl)):
        hidden = [str(field) for field in context["result_hidden_fields"]]
        rows = [(r.form, list(r)) for r in context["results"]]
        lists.append({**context, "results": rows, "result_hidden_fields": hidden})
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
