"""A form renderer that writes the commonest widgets in Python: inputs, selects,
labels and empty error lists, with the same markup as Django's templates for them. Every other
template (and any widget it does not recognise) is Django's. It renders every form
(``settings.FORM_RENDERER``).

Django renders each widget through templates: a ``<select>`` of four options is six
template renders, and a field's empty error list three more. An editable admin list
of 25 rows with five fields each spent most of its time in them.
"""

import html

from django.forms import BoundField, HiddenInput
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
# Templates that are ``{% include "django/forms/widgets/input.html" %}`` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in ("input", "text", "hidden", "date", "number", "email", "checkbox")
)
SELECT_TEMPLATE = f"{WIDGETS}select.html"
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"
ERROR_LIST_TEMPLATE = "django/forms/errors/list/default.html"
LABEL_TEMPLATE = "django/forms/label.html"


def _text(value: object) -> str:
    """``{{ value|stringformat:'s' }}`` in a template that autoescapes (Django's
    ``escape`` is ``html.escape``, here without its lazy-string wrapper)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html"""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html and its options, or None for options this
    does not write (a widget with its own option template)."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            # The option template's own final newline is part of Django's output.
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _label(context: dict) -> str:
    """django/forms/label.html, with django/forms/attrs.html"""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>"


class PythonWidgetRenderer(DjangoTemplates):
    """Django's template form renderer, writing inputs, selects, labels and empty
    error lists itself (about ten times faster than through templates)."""

    def render(self, template_name, context, request=None):
        html = None
        if template_name in INPUT_TEMPLATES:
            html = _input(context["widget"])
        elif template_name == SELECT_TEMPLATE:
            html = _select(context["widget"])
        elif template_name == LABEL_TEMPLATE:
            html = _label(context)
        elif template_name == ERROR_LIST_TEMPLATE and not context["errors"]:
            html = ""
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html)  # noqa: S308 - every value above went through _text


def hidden_input(bf: BoundField) -> SafeString:
    """``str(bf)``, written without the widget's context when it is an unbound form's
    plain hidden input (an editable list writes two a row: the id and the version
    shown). Any other field is Django's."""
    field, widget, form = bf.field, bf.field.widget, bf.form
    if (
        type(widget) is not HiddenInput
        or widget.attrs
        or widget.is_localized
        or form.is_bound
        or field.disabled
        or field.show_hidden_initial
    ):
        return mark_safe(str(bf))  # noqa: S308 - the form's own HTML
    # A hidden input is never required nor described, so its only attribute is its id.
    attrs = {"id": bf.auto_id} if bf.auto_id else {}
    value = widget.format_value(bf.value())
    widget_context = {"type": "hidden", "name": bf.html_name, "value": value, "attrs": attrs}
    return mark_safe(_input(widget_context))  # noqa: S308 - every value went through _text
