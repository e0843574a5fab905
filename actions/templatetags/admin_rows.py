"""``{% fast_result_list cl %}``: Django's ``{% result_list cl %}`` (same template, same
markup) with its rows written by ``common.admin_helpers.RowRenderer``; and
``{% fast_list_filter cl spec %}``: Django's ``{% admin_list_filter cl spec %}``, written
by ``common.admin_helpers.list_filter_html``; and ``{{ form.field|hidden_input }}``: the
field as ``{{ form.field }}`` writes it (``common.widget_rendering.hidden_input``); and
``{% fast_date_hierarchy cl %}``: Django's ``{% date_hierarchy cl %}`` with one query fewer
(``common.admin_helpers.date_hierarchy``); and ``{{ results|written_rows }}``: the rows
as Django's template loop writes them (``common.admin_helpers.written_rows``)."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from common.admin_helpers import date_hierarchy, list_filter_html, result_list, written_rows
from common.widget_rendering import hidden_input

register = template.Library()


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


@register.simple_tag
def fast_list_filter(cl, spec) -> str:
    return list_filter_html(cl, spec)


@register.tag(name="fast_date_hierarchy")
def fast_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


register.filter("hidden_input", hidden_input)
register.filter("written_rows", written_rows)
