"""``{% fast_result_list cl %}``: Django's ``{% result_list cl %}`` (same template, same
markup) with its rows written by ``common.admin_helpers.RowRenderer``."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from common.admin_helpers import result_list

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
