"""The takeaways page's long lists, written in Python.

A page lists 25 takeaways, each with its tags, author, source and event, and about
40 tags to filter by, each with two checkboxes and a count: through template loops
and an ``{% include %}`` per row that was about 700 variable nodes and 60 ``{% url %}``
tags a page, most of the page's template work. ``takeaway_items`` writes exactly what
``talks/_takeaway_item.html`` writes for each row (the template stays, the reference
the tests compare with) and ``facet_items`` what the page's loop over its tags wrote,
every value escaped as the template engine escapes it.

``takeaway_groups`` writes the page's groups by event around them (the template's
``{% regroup %}`` loop, with one cache of addresses for the page rather than one per
group). ``takeaway_cards`` does the same for the dashboard's recent takeaways: exactly what
``{% include "talks/_takeaway.html" %}`` (with ``talks/_source.html`` and
``_tags.html``) writes for each row, three template includes a row.
"""

import html
from collections.abc import Iterable
from itertools import groupby

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


@register.simple_tag
def takeaway_groups(takeaways: Iterable) -> SafeString:
    """The page of takeaways grouped by event (consecutive rows of one event, as
    ``{% regroup takeaways by event %}`` grouped them), each group headed by its event
    and date, with one cache of addresses for the whole page: the markup the
    template's loop over the groups wrote, with ``takeaway_items`` in each."""
    links = EscapedAddresses()
    parts = []
    for _event_id, rows in groupby(takeaways, key=lambda takeaway: takeaway.event_id):
        rows = list(rows)
        event = rows[0].event
        items = "".join(_item(takeaway, links, False) for takeaway in rows)
        parts.append(
            f'\n  <section class="takeaway-group" aria-labelledby="group-{event.pk}">\n'
            f'    <h3 class="group-heading" id="group-{event.pk}">'
            f'<a href="{links["talks:event-detail", event.slug]}">{escape(event.name)}</a>'
            f' <time class="meta" datetime="{escape(date_filter(event.starts_on, "Y-m-d"))}">'
            f"{escape(date_filter(event.starts_on, 'DATE_FORMAT'))}</time></h3>\n"
            f'    <ul class="list takeaways">{items}</ul>\n  </section>\n  '
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value in it went through escape()


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


def tag_links(tags: list, links: EscapedAddresses) -> str:
    """What ``_tags.html`` writes (its last line break included)."""
    if not tags:
        return "\n"
    items = "".join(
        f'<li><a class="tag" href="{links["talks:tag-detail", tag.slug]}">'
        f"{escape(tag.name)}</a></li>"
        for tag in tags
    )
    return f'<ul class="tags" aria-label="Tags">{items}</ul>\n'


def source_url(item, links: EscapedAddresses) -> str:
    """``item.source_url()`` for a takeaway or action point, escaped."""
    event_slug = item.event.slug
    if item.talk_id:
        return links["talks:talk-detail", event_slug, item.talk.slug]
    if item.open_space_id:
        return links["talks:open-space-detail", event_slug, item.open_space.slug]
    return links["talks:event-detail", event_slug]


def source_at_event(item, links: EscapedAddresses) -> str:
    """``talks/_source.html`` with ``source_style="at-event"`` for a takeaway or an
    action point: its session and event, else its event (ending, as it does, with a
    line break)."""
    event = item.event
    if not (item.talk_id or item.open_space_id):
        return f'<a href="{source_url(item, links)}">{escape(event.name)}</a>\n'
    return (
        f'<a href="{source_url(item, links)}">{escape(item.session)}</a>'
        f' at <a href="{links["talks:event-detail", event.slug]}">{escape(event.name)}</a>\n'
    )


def takeaway_card(takeaway, links: EscapedAddresses) -> str:
    """What ``talks/_takeaway.html`` writes for one takeaway (with ``CARD_COLUMNS``)."""
    author = takeaway.author
    url = f"{source_url(takeaway, links)}#takeaway-{takeaway.pk}"
    return (
        f'<li>\n  <a href="{url}">{escape(takeaway.text)}</a>\n'
        f'  <p class="meta">{escape(author.get_full_name() or author.get_username())}'
        f" · from {source_at_event(takeaway, links)}</p>\n"
        f"  {tag_links(takeaway.tag_list, links)}\n</li>\n"
    )


@register.simple_tag
def takeaway_cards(takeaways: Iterable) -> SafeString:
    """``{% for item in takeaways %}{% include "talks/_takeaway.html" %}{% endfor %}``
    (loaded ``with_listing_relations``, or only ``CARD_COLUMNS``), the same markup."""
    links = EscapedAddresses()
    markup = "".join(takeaway_card(takeaway, links) for takeaway in takeaways)
    return mark_safe(markup)  # noqa: S308 - every value in it went through escape()


# What a card shows: the text, the author's name, the source and event with their links.
CARD_COLUMNS = (
    "text",
    "event__name",
    "event__slug",
    "talk__title",
    "talk__slug",
    "open_space__topic",
    "open_space__slug",
    "author__username",
    "author__first_name",
    "author__last_name",
)


@register.simple_tag
def popular_tag_items(tags: Iterable) -> SafeString:
    """The dashboard's popular tags (``search.tag_pages.popular_tags``): the markup
    of the loop its template had, each tag's link, name and ``total``."""
    links = EscapedAddresses()
    markup = "".join(
        f'<li><a class="tag" href="{links["talks:tag-detail", tag.slug]}">{escape(tag.name)}'
        f' <span class="meta">{escape(localize(tag.total))}</span></a></li>'
        for tag in tags
    )
    return mark_safe(markup)  # noqa: S308 - every value in it went through escape()
