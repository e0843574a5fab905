"""What building the admin's action point changelist costs, and that its cheaper parts
write what Django writes: the date hierarchy with one query fewer
(common.admin_helpers.date_hierarchy), editable cells written once per value
(RowRenderer.editable_cell), hidden inputs without a widget context
(common.widget_rendering.hidden_input), the list's forms sharing their primary key
field (ListEditFormSet), the row checkbox without a widget, and the busiest assignees
joined to their names only above the cut."""

import datetime

import pytest
from django.contrib.admin import ModelAdmin, site
from django.contrib.admin.templatetags import admin_list
from django.db import connection
from django.forms import HiddenInput, IntegerField, modelformset_factory
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import tallies
from actions.admin import ActionPointAdmin, ActionPointListForm
from actions.models import ActionPoint
from common.admin_helpers import ListEditFormSet, date_hierarchy, result_list, written_rows
from common.widget_rendering import hidden_input
from tests.factories import ActionPointFactory, UserFactory
from tests.helpers import days_from_today, list_edit_form, list_edit_row

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:actions_actionpoint_changelist")


def changelist(client, query: str = ""):
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    return response.context["cl"]


def due_dates(*dates: datetime.date) -> None:
    for due_on in dates:
        ActionPointFactory(due_on=due_on)


def this_year(month: int, day: int) -> datetime.date:
    return datetime.date(days_from_today(0).year, month, day)


# --- Date hierarchy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "queries", "djangos_queries"),
    [
        # Many years: the years, in one query where Django reads two.
        ([days_from_today(-800), days_from_today(-400), days_from_today(3)], 1, 2),
        # One year, several months: the months, as Django reads them.
        ([this_year(1, 5), this_year(3, 1), this_year(3, 9)], 2, 2),
        # One month: its days.
        ([this_year(2, 3), this_year(2, 17)], 2, 2),
        # One day.
        ([this_year(4, 1), this_year(4, 1)], 2, 2),
        # No due dates at all.
        ([None], 1, 2),
    ],
)
def test_the_date_hierarchy_is_djangos_with_one_query_fewer(
    staff_client, dates, queries, djangos_queries
):
    due_dates(*dates)
    cl = changelist(staff_client)
    with CaptureQueriesContext(connection) as ours:
        written = date_hierarchy(cl)
    with CaptureQueriesContext(connection) as djangos:
        expected = admin_list.date_hierarchy(cl)
    assert written == expected
    assert (len(ours), len(djangos)) == (queries, djangos_queries)


@pytest.mark.parametrize(
    "query",
    ["?due_on__year={year}", "?due_on__year={year}&due_on__month=2", "?q=x&o=-4"],
)
def test_a_chosen_date_or_a_search_shows_djangos_hierarchy(staff_client, query):
    due_dates(this_year(2, 3), this_year(2, 17), days_from_today(-800))
    cl = changelist(staff_client, query.format(year=days_from_today(0).year))
    assert date_hierarchy(cl) == admin_list.date_hierarchy(cl)


# --- Rows ---------------------------------------------------------------------------------


def test_rows_sharing_values_are_written_as_django_writes_them(staff_client):
    """Cells copied from another row with the same value, next to ones that cannot be
    (an assignee whose name looks like a row's prefix), each as Django writes it."""
    heavy = UserFactory(username="heavy")
    odd = UserFactory(username="form-0-assignee")
    for status in ("open", "in_progress", "open", "done", "open"):
        ActionPointFactory(assignee=heavy, status=status, due_on=days_from_today(2))
    ActionPointFactory(assignee=odd, title='Say "hi" <b>')
    ActionPointFactory(assignee=odd)
    ActionPointFactory(assignee=None)
    cl = changelist(staff_client)
    djangos = admin_list.result_list(cl)
    ours = result_list(cl)
    assert [list(row) for row in ours["results"]] == [list(row) for row in djangos["results"]]
    assert ours["result_hidden_fields"] == [str(bf) for bf in djangos["result_hidden_fields"]]
    assert len(ours["results"]) == 8


# The loop of Django's admin/change_list_results.html (5.2) that written_rows replaces.
DJANGOS_ROWS = Template(
    "{% for result in results %}\n"
    "{% if result.form and result.form.non_field_errors %}\n"
    '    <tr><td colspan="{{ result|length }}">{{ result.form.non_field_errors }}</td></tr>\n'
    "{% endif %}\n"
    "<tr>{% for item in result %}{{ item }}{% endfor %}</tr>\n"
    "{% endfor %}"
)


def test_the_rows_are_djangos_loop_with_errors_above_their_row(staff_client):
    ActionPointFactory(title="Fish & <chips>")
    ActionPointFactory.create_batch(2)
    shown = list(changelist(staff_client).result_list)
    rows = [list_edit_row(action_point) for action_point in shown]
    # An edited row whose version was damaged: an error of the row's form, not a field's.
    rows[1].update(seen_version="damaged", due_on=days_from_today(1).isoformat())
    rows[2]["status"] = "no such status"
    response = staff_client.post(CHANGELIST, list_edit_form(*rows))
    results = result_list(response.context["cl"])["results"]
    written = written_rows(results)
    assert written == DJANGOS_ROWS.render(Context({"results": results}))
    assert written.count('<tr><td colspan="6"><ul class="errorlist nonfield">') == 1
    assert "Fish &amp; &lt;chips&gt;" in written


def test_the_row_checkbox_is_djangos(rf):
    action_point = ActionPointFactory(title='Fix "this" & <that>')
    admin = site._registry[ActionPoint]
    assert isinstance(admin, ActionPointAdmin)
    expected = ModelAdmin.action_checkbox(admin, action_point)
    assert admin.action_checkbox(action_point) == expected


def test_the_hidden_inputs_are_djangos(staff_client):
    ActionPointFactory.create_batch(3)
    cl = changelist(staff_client)
    forms = cl.formset.forms
    for form in forms:
        for name in ("id", "seen_version"):
            assert hidden_input(form[name]) == str(form[name])
    assert [hidden_input(form["seen_version"]) for form in forms] == [
        f'<input type="hidden" name="form-{i}-seen_version" value="{form.instance.version}" '
        f'id="id_form-{i}-seen_version">'
        for i, form in enumerate(forms)
    ]


def test_other_hidden_fields_are_left_to_django():
    class Odd(ActionPointListForm):
        styled = IntegerField(widget=HiddenInput(attrs={"class": "x"}), initial=3)

    formset = modelformset_factory(ActionPoint, Odd, formset=ListEditFormSet, fields=["status"])
    ActionPointFactory()
    form = formset(queryset=ActionPoint.objects.all()).forms[0]
    assert hidden_input(form["styled"]) == str(form["styled"])
    assert 'class="x"' in hidden_input(form["styled"])


def test_the_lists_forms_are_djangos(staff_client):
    """Each unbound form's primary key field, copied from the first's, holds its own row
    and writes what Django's own formset writes."""
    ActionPointFactory.create_batch(4)
    response = staff_client.get(CHANGELIST)
    cl = response.context["cl"]
    ours = cl.formset.forms
    admin = site._registry[ActionPoint]
    djangos_class = ModelAdmin.get_changelist_formset(admin, response.wsgi_request)
    djangos = djangos_class(queryset=cl.result_list).forms
    assert [str(form["id"]) for form in ours] == [str(form["id"]) for form in djangos]
    assert [(form.fields["id"].initial, form.fields["id"].required) for form in ours] == [
        (action_point.pk, True) for action_point in cl.result_list
    ]
    assert len({id(form.fields["id"]) for form in ours}) == len(ours)
    assert {form.label_suffix for form in ours} == {":"}


# --- What a built page costs ----------------------------------------------------------------


def test_the_page_built_runs_seven_queries_of_its_own(staff_client):
    """The session, the busiest assignees, the recent events, the tags, the count, the
    rows and the years (with each year's first and last dates, which were a query of
    their own). Inside a test's transaction nothing is cached, so no content versions
    nor shared fragments are read (they add five queries to a page built for real)."""
    heavy = UserFactory(username="heavy")
    for due_on in (days_from_today(-800), days_from_today(-400), days_from_today(3)):
        ActionPointFactory(assignee=heavy, due_on=due_on)
        ActionPointFactory(due_on=due_on)
    query = f"?status__exact=open&assignee={heavy.pk}"
    staff_client.get(CHANGELIST + query)  # the session's first read updates it
    with CaptureQueriesContext(connection) as captured:
        page = staff_client.get(CHANGELIST + query).content.decode()
    assert len(captured) == 7
    assert page.count('name="_selected_action"') == 3


def test_busiest_people_breaks_a_tie_at_the_cut_by_username():
    ann, bob, dora, cy = (UserFactory(username=name) for name in ("ann", "bob", "dora", "cy"))
    for user, n in ((ann, 3), (dora, 2), (bob, 2), (cy, 1)):
        ActionPointFactory.create_batch(n, assignee=user)
    assert tallies.busiest_people(2) == [(ann.pk, "ann"), (bob.pk, "bob")]
    assert tallies.busiest_people(1) == [(ann.pk, "ann")]
    assert tallies.busiest_people(0) == []
