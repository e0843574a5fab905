"""The Python widget renderer writes the same markup as Django's templates, so a form
rendered with it posts back exactly what it would otherwise."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from common.widget_rendering import PythonWidgetRenderer

FAST, DJANGO = PythonWidgetRenderer(), DjangoTemplates()


class Everything(forms.Form):
    title = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"autofocus": True}))
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    count = forms.IntegerField(required=False)
    email = forms.EmailField(required=False)
    status = forms.ChoiceField(choices=[("open", "Open"), ("done", "Done & dusted")])
    grouped = forms.ChoiceField(
        choices=[("Active", [("open", "Open"), ("started", "<Started>")]), ("done", "Done")]
    )
    multiple = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    agree = forms.BooleanField(required=False)
    flag = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"data-x": None, "off": False, "safe": ""})
    )
    note = forms.CharField(required=False, widget=forms.Textarea)


DATA = {
    "title": 'A "quoted" <title> & more',
    "hidden": "7",
    "due_on": "2026-06-30",
    "count": "",
    "email": "not an address",
    "status": "done",
    "grouped": "started",
    "multiple": ["a", "b"],
    "agree": "on",
    "flag": mark_safe("<b>"),
    "note": "Some <text>",
}


def rendered(renderer, **kwargs) -> dict[str, str]:
    form = Everything(renderer=renderer, **kwargs)
    return {name: str(form[name].errors) + str(form[name]) for name in form.fields}


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"initial": {"due_on": datetime.date(2026, 6, 30), "status": "open", "hidden": 3}},
        {"data": DATA},
        {"data": {}},
        {"data": DATA, "auto_id": False, "prefix": "form-3"},
    ],
    ids=["unbound", "initial", "bound", "bound with errors", "prefixed without ids"],
)
def test_renders_what_the_templates_render(kwargs):
    assert rendered(FAST, **kwargs) == rendered(DJANGO, **kwargs)


def test_writes_inputs_and_selects_itself(monkeypatch):
    used = []
    monkeypatch.setattr(
        DjangoTemplates, "render", lambda self, name, *args, **kwargs: used.append(name) or ""
    )
    rendered(PythonWidgetRenderer())
    # The textarea is left to its template.
    assert used == ["django/forms/widgets/textarea.html"]
