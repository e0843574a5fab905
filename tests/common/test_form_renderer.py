"""Every form is rendered by the Python widget renderer (settings.FORM_RENDERER), and
the pages people fill in are exactly what Django's templates would have written."""

import re

import pytest
from django import forms
from django.core.cache import cache
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import Client
from django.urls import reverse

from common.widget_rendering import PythonWidgetRenderer
from tests.factories import ActionPointFactory, TakeawayFactory, UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


class Plain(forms.Form):
    title = forms.CharField()


def test_a_form_that_names_no_renderer_writes_its_widgets_in_python():
    assert isinstance(get_default_renderer(), PythonWidgetRenderer)
    assert isinstance(Plain().renderer, PythonWidgetRenderer)


def without_tokens(html: str) -> str:
    # The CSRF token and the CSP nonce differ on every request.
    return re.sub(r'(value|nonce)="[^"]*"', "", html)


def page(client: Client, url: str) -> str:
    cache.clear()  # the admin's list is kept in fragments: build it again
    response = client.get(url)
    assert response.status_code == 200
    return without_tokens(response.content.decode())


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("attendee", reverse("actions:list") + "?status=done&event=no-such-event&tag=x"),
        ("manager", reverse("actions:list") + "?assignee=nobody-here"),
        ("attendee", reverse("talks:takeaway-list") + "?tag=observability&match=all"),
        ("attendee", reverse("search:search") + "?q=deployment&kind=notes&kind=talks"),
        ("attendee", reverse("search:search") + "?q=%22unclosed&year=not-a-year"),
        ("staff", reverse("admin:actions_actionpoint_changelist")),
        (None, reverse("login")),
    ],
)
def test_pages_with_forms_are_as_django_s_templates_write_them(monkeypatch, who, url):
    TakeawayFactory()
    ActionPointFactory()
    client = logged_in(UserFactory(role=who)) if who else Client()
    written = page(client, url)
    monkeypatch.setattr(PythonWidgetRenderer, "render", DjangoTemplates.render)
    through_templates = page(client, url)

    assert written == through_templates


def test_the_admin_change_form_is_as_django_s_templates_write_it(monkeypatch):
    action_point = ActionPointFactory()
    client = logged_in(UserFactory(role="staff"))
    url = reverse("admin:actions_actionpoint_change", args=[action_point.pk])
    written = page(client, url)
    monkeypatch.setattr(PythonWidgetRenderer, "render", DjangoTemplates.render)

    assert written == page(client, url)
