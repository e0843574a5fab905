"""The takeaways page's long lists, written in Python.

A page lists 25 takeaways, each with its tags, author, source and event, and about
40 tags to filter by, each with two checkboxes and a count: through template loops
and an ``{% include %}`` per row that was about 700 variable nodes and 60 ``{% url %}``
tags a page, most of the page's template work. ``takeaway_items`` writes exactly what
``talks/_takeaway_item.html`` writes for each row (the template stays, the reference
the tests compare with) and ``facet_items`` what the page's loop over its tags wrote,
every value escaped as the template engine escapes it.
"""

import html
from collections.abc import Iterable

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from common.reversing import EscapedAddresses

register = template.Library()


def escape(value: object) -> str:
    """``django.utils.html.escape`` for plain values (it calls ``html.escape`` too)."""
    return html.escape(str(value))


def _item(takeaway, links: EscapedAddresses, show_event: bool) -> str:
    parts = [
        # The template's first line is a comment: each row starts on a new line.
        f'\n<li id="takeaway-{takeaway.pk}">\n',
        f'  <p class="takeaway-text">{escape(takeaway.text)}</p>\n  ',
    ]
    if takeaway.tag_list:
        tags = "".join(
            f'<li><a class="tag" href="{links["talks:tag-detail", tag.slug]}">'
            f"{escape(tag.name)}</a></li>"
            for tag in takeaway.tag_list
        )
        parts.append(f'<ul class="tags" aria-label="Tags">{tags}</ul>')
    author = takeaway.author
    parts.append(f'\n  <p class="meta">{escape(author.get_full_name() or author.get_username())}')
    session = takeaway.session
    if session:
        event_slug = takeaway.event.slug
        if takeaway.talk_id:
            url = links["talks:talk-detail", event_slug, takeaway.talk.slug]
        else:
            url = links["talks:open-space-detail", event_slug, takeaway.open_space.slug]
        parts.append(f' · from <a href="{url}">{escape(session)}</a>')
        if takeaway.open_space_id:
            parts.append(' <span class="meta">(open space)</span>')
    if show_event:
        event = takeaway.event
        parts.append(
            f' · at <a href="{links["talks:event-detail", event.slug]}">{escape(event.name)}</a>,'
            f' <time datetime="{escape(date_filter(event.starts_on, "Y-m-d"))}">'
            f"{escape(date_filter(event.starts_on, 'DATE_FORMAT'))}</time>"
        )
    parts.append("</p>\n</li>\n")
    return "".join(parts)


@register.simple_tag
def takeaway_items(takeaways: Iterable, show_event: bool = False) -> SafeString:
    """``{% for takeaway in takeaways %}{% include "talks/_takeaway_item.html" %}``
    (loaded ``with_listing_relations``), the same markup."""
    links = EscapedAddresses()
    markup = "".join(_item(takeaway, links, show_event) for takeaway in takeaways)
    return mark_safe(markup)  # noqa: S308 - every value in it went through escape()


def _facet(tag) -> str:
    chosen = ' class="chosen"' if tag.included or tag.excluded else ""
    slug, name = escape(tag.slug), escape(tag.name)
    plural = "" if tag.count == 1 else "s"
    return (
        f"\n      <li{chosen}>\n"
        f'        <label class="facet-include"><input type="checkbox" name="tag"'
        f' value="{slug}"{" checked" if tag.included else ""}> {name}</label>\n'
        f'        <span class="facet-count">{escape(localize(tag.count))}'
        f'<span class="visually-hidden"> takeaway{plural}</span></span>\n'
        f'        <label class="facet-exclude"><input type="checkbox" name="exclude"'
        f' value="{slug}"{" checked" if tag.excluded else ""}> not'
        f'<span class="visually-hidden"> {name}</span></label>\n'
        "      </li>\n      "
    )


@register.simple_tag
def facet_items(tags: Iterable) -> SafeString:
    """The filter's tag checkboxes (``TakeawayFilter.tag_options``), each with its
    count and a "not" box: the markup the page's template loop wrote."""
    markup = "".join(_facet(tag) for tag in tags) or (
        '\n      <li class="empty">No tags on these takeaways.</li>\n      '
    )
    return mark_safe(markup)  # noqa: S308 - every value in it went through escape()
