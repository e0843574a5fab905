"""``{% fast_result_list cl %}``: Django's ``{% result_list cl %}`` (same template, same
markup) with its rows written by ``common.admin_helpers.RowRenderer``; and
``{% fast_list_filter cl spec %}``: Django's ``{% admin_list_filter cl spec %}``, written
by ``common.admin_helpers.list_filter_html``."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from common.admin_helpers import list_filter_html, result_list

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
