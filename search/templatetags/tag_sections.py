"""A tag page's section rows, written in Python.

Each section lists up to 20 rows, each with its tags, source, event and person:
through a template loop with an ``{% include %}`` per row (``talks/_takeaway.html``,
``actions/_follow_up.html``, each including ``talks/_source.html`` and ``_tags.html``)
that was most of the time a takeaway or follow-up section took to build once its
rows were loaded. ``section_rows`` writes the markup those templates and the page's
loop wrote, but for the indentation (a takeaway as the dashboard's recent takeaways
write it, ``takeaway_card``; the templates stay, other lists use them, and
``tests/search/test_tag_page_sections.py`` compares the two), every value escaped as
the template engine escapes it.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe

from common.reversing import EscapedAddresses
from talks.templatetags.takeaway_rows import escape, source_at_event, tag_links, takeaway_card

register = template.Library()

OVERDUE_CLASS = ' class="is-overdue"'
OVERDUE_MARK = '<strong class="overdue">overdue</strong>'


def _person(user) -> str:
    """``{{ user.get_full_name|default:user.get_username }}``."""
    return escape(user.get_full_name() or user.get_username())


def _event_link(event, links: EscapedAddresses) -> str:
    return f'<a href="{links["talks:event-detail", event.slug]}">{escape(event.name)}</a>'


def _talk(talk, links: EscapedAddresses) -> str:
    event = talk.event
    speakers = "".join(
        f'{" by " if n == 0 else ", "}<a href="{links["talks:speaker-detail", speaker.slug]}">'
        f"{escape(speaker.name)}</a>"
        for n, speaker in enumerate(talk.speakers.all())
    )
    return (
        f'<li><a href="{links["talks:talk-detail", event.slug, talk.slug]}">'
        f"{escape(talk.title)}</a>\n"
        f'<span class="meta">{escape(talk.get_kind_display())}{speakers} · '
        f"{_event_link(event, links)}</span>\n"
        f"{tag_links(talk.tag_list, links)}</li>\n"
    )


def _open_space(space, links: EscapedAddresses) -> str:
    event = space.event
    convenor = f"convened by {escape(space.convenor)} · " if space.convenor else ""
    return (
        f'<li><a href="{links["talks:open-space-detail", event.slug, space.slug]}">'
        f"{escape(space.topic)}</a>\n"
        f'<span class="meta">{convenor}{_event_link(event, links)}</span>\n'
        f"{tag_links(space.tag_list, links)}</li>\n"
    )


def _follow_up(action_point, links: EscapedAddresses) -> str:
    """``actions/_follow_up.html`` with ``show_assignee``."""
    overdue = action_point.is_overdue()
    due = (
        f"due {escape(date_filter(action_point.due_on, 'DATE_FORMAT'))} · "
        if action_point.due_on
        else ""
    )
    assignee = _person(action_point.assignee) if action_point.assignee_id else "unassigned"
    return (
        f"<li{OVERDUE_CLASS if overdue else ''}>\n"
        f'<a href="{links["actions:detail", action_point.pk]}">{escape(action_point.title)}</a>\n'
        f'<span class="badge">{escape(action_point.get_status_display())}</span>\n'
        f"{OVERDUE_MARK if overdue else ''}\n"
        f'<p class="meta">{due}from {source_at_event(action_point, links)} · {assignee}</p>\n'
        f"{tag_links(action_point.tag_list, links)}</li>\n"
    )


ROWS = {
    "talks": _talk,
    "open_spaces": _open_space,
    "takeaways": takeaway_card,
    "action_points": _follow_up,
}


@register.simple_tag
def section_rows(section) -> SafeString:
    """A ``search.tag_pages.Section``'s rows (``section.items``, loaded with their
    listing relations), each as the template of its kind writes it."""
    links = EscapedAddresses()
    row = ROWS[section.key]
    markup = "".join(row(item, links) for item in section.items)
    return mark_safe(markup)  # noqa: S308 - every value in it went through escape()
