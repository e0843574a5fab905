"""The event page's long lists, written in Python.

The biggest event lists 144 sessions and 60 takeaways and action points, each with
its tags, speakers and source: through nested ``{% include %}``s that was about
4,000 variable lookups and 800 template nodes a request, most of the page's build
time. These tags write the same markup as the templates they stand for
(``_tags.html``, ``talks/_takeaways.html``, ``actions/_action_points.html``,
``talks/_source.html`` and the rows of the event's session lists), every value
escaped as the template engine escapes it; ``tests/event_pages`` compares them.
"""

import html
from collections.abc import Iterable

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from actions.models import ActionPoint
from common.reversing import EscapedAddresses
from talks.models import Talk

register = template.Library()

OVERDUE_CLASS = ' class="is-overdue"'
OVERDUE_MARK = '<strong class="overdue">overdue</strong>'
DRAFT_NOTE_MARK = '<span class="badge">draft, only you can see it</span>'


# What ``get_kind_display()`` and ``get_status_display()`` say, looked up once: those
# methods rebuild their dict of choices per call.
KIND_LABELS = dict(Talk.Kind.choices)
STATUS_LABELS = dict(ActionPoint.Status.choices)


def _kind(talk) -> str:
    """``{{ talk.get_kind_display }}``."""
    return escape(KIND_LABELS.get(talk.kind, talk.kind))


def _safe(markup: str) -> SafeString:
    return mark_safe(markup)  # noqa: S308 - every value in it went through escape()


def escape(value: object) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (the same text:
    it calls ``html.escape`` too), as every value here is a plain one."""
    return html.escape(str(value))


def _date(value) -> str:
    """``{{ value|date:"DATE_FORMAT" }}``: local time, escaped."""
    return escape(formats.date_format(template_localtime(value), "DATE_FORMAT"))


def _person(user) -> str:
    """``{{ user.get_full_name|default:user.get_username }}``."""
    return escape(user.get_full_name() or user.get_username())


def _tags(tags: list[list[str]], links: EscapedAddresses) -> str:
    """``_tags.html`` for a row's ``tag_rows``, ``[[name, slug], …]`` (ending, as it
    does, with a line break)."""
    if not tags:
        return "\n"
    items = "".join(
        f'<li><a class="tag" href="{links["talks:tag-detail", slug]}">{escape(name)}</a></li>'
        for name, slug in tags
    )
    return f'<ul class="tags" aria-label="Tags">{items}</ul>\n'


def _session_url(session, links: EscapedAddresses) -> str:
    """``session.get_absolute_url()``, escaped."""
    route = "talks:open-space-detail" if session.is_open_space else "talks:talk-detail"
    return links[route, session.event.slug, session.slug]


def _source_url(item, links: EscapedAddresses) -> str:
    """``item.source_url()``, escaped: from the row's own event, as it is."""
    slug = item.event.slug
    if item.talk_id:
        return links["talks:talk-detail", slug, item.talk.slug]
    if item.open_space_id:
        return links["talks:open-space-detail", slug, item.open_space.slug]
    return links["talks:event-detail", slug]


def _source(item, links: EscapedAddresses) -> str:
    """``talks/_source.html`` in its default style: the session (an open space
    marked), else the event (ending, as it does, with a line break)."""
    url = _source_url(item, links)
    if item.talk_id:
        return f'<a href="{url}">{escape(item.talk.title)}</a>\n'
    if item.open_space_id:
        return (
            f'<a href="{url}">{escape(item.open_space.topic)}</a> '
            '<span class="meta">(open space)</span>\n'
        )
    return f'<a href="{url}">{escape(item.event.name)}</a>\n'


def _speakers(speakers: list[list[str]], links: EscapedAddresses, lead: str = " · ") -> str:
    """Speakers (a talk's ``speaker_rows``, ``[[name, slug], …]``), each linked, after
    ``lead``: " · Ada, Grace"."""
    return "".join(
        f'{lead if n == 0 else ", "}<a href="{links["talks:speaker-detail", slug]}">'
        f"{escape(name)}</a>"
        for n, (name, slug) in enumerate(speakers)
    )


@register.simple_tag
def tag_list(tags: list[list[str]]) -> SafeString:
    """``_tags.html`` for ``[[name, slug], …]`` (an event's, a talk's or an open
    space's own tags)."""
    return _safe(_tags(tags, EscapedAddresses()))


@register.simple_tag
def speakers_by(speakers: list[list[str]]) -> SafeString:
    """A talk page's speakers, ``[[name, slug], …]``, each linked: " by Ada, Grace"."""
    return _safe(_speakers(speakers, EscapedAddresses(), lead=" by "))


@register.simple_tag
def talk_rows(talks: Iterable) -> SafeString:
    """The event's talks, as a list."""
    links = EscapedAddresses()
    rows = "".join(
        f'<li><a href="{_session_url(talk, links)}">{escape(talk.title)}</a>\n'
        f'<span class="meta">{_kind(talk)}{_speakers(talk.speaker_rows, links)}</span>\n'
        f"{_tags(talk.tag_rows, links)}</li>\n"
        for talk in talks
    )
    return _safe(f'<ul class="list">\n{rows}</ul>')


@register.simple_tag
def open_space_rows(open_spaces: Iterable) -> SafeString:
    """The event's open spaces, as a list."""
    links = EscapedAddresses()
    rows = []
    for space in open_spaces:
        meta = ""
        if space.convenor or space.session_label:
            parts = []
            if space.convenor:
                parts.append(f"convened by {escape(space.convenor)}")
            if space.session_label:
                parts.append(escape(space.session_label))
            meta = f' <span class="meta">{" · ".join(parts)}</span>'
        rows.append(
            f'<li><a href="{_session_url(space, links)}">{escape(space.topic)}</a>{meta}\n'
            f"{_tags(space.tag_rows, links)}</li>\n"
        )
    return _safe(f'<ul class="list">\n{"".join(rows)}</ul>')


@register.simple_tag
def programme_sessions(sessions: Iterable) -> SafeString:
    """One day's sessions of ``_programme.html``: when, where, what and who."""
    links = EscapedAddresses()
    rows = []
    for session in sessions:
        when = ""
        if session.starts_at:
            at = escape(formats.time_format(session.starts_at, "H:i"))
            stamp = f' datetime="{session.day:%Y-%m-%d}T{at}"' if session.day else ""
            when = f"<time{stamp}>{at}</time>"
        if session.room:
            when += f' <span class="programme-room">{escape(session.room)}</span>'
        if session.is_open_space:
            meta = "Open space"
            if session.convenor:
                meta += f" · convened by {escape(session.convenor)}"
            if session.session_label:
                meta += f" · {escape(session.session_label)}"
        else:
            meta = f"{_kind(session)}{_speakers(session.speaker_rows, links)}"
        rows.append(
            '<li class="programme-session">\n'
            f'<p class="programme-when">{when}</p>\n'
            '<div class="programme-what">\n'
            f'<a href="{_session_url(session, links)}">{escape(session)}</a>\n'
            f'<span class="meta">{meta}</span>\n'
            f"{_tags(session.tag_rows, links)}"
            "</div>\n</li>\n"
        )
    return _safe("".join(rows))


@register.simple_tag
def takeaway_rows(takeaways: Iterable) -> SafeString:
    """``talks/_takeaways.html`` with ``show_source``."""
    links = EscapedAddresses()
    rows = "".join(
        f'<li id="takeaway-{takeaway.pk}">\n'
        f'<p class="takeaway-text">{escape(takeaway.text)}</p>\n'
        f"{_tags(takeaway.tag_rows, links)}"
        f'<p class="meta">{_person(takeaway.author)}\n'
        f"· from {_source(takeaway, links)}"
        f"· {_date(takeaway.created_at)}</p>\n"
        "</li>\n"
        for takeaway in takeaways
    )
    return _safe(f'<ul class="list takeaways">\n{rows}</ul>')


@register.simple_tag
def action_point_rows(action_points: Iterable, from_text: str = "") -> SafeString:
    """``actions/_action_points.html`` with ``show_source``."""
    links = EscapedAddresses()
    today = timezone.localdate()
    rows = []
    for ap in action_points:
        overdue = ap.is_overdue(today)
        who = _person(ap.assignee) if ap.assignee_id else "Not assigned yet"
        due = f" · due {_date(ap.due_on)}" if ap.due_on else ""
        rows.append(
            f"<li{OVERDUE_CLASS if overdue else ''}>\n"
            f'<a href="{links["actions:detail", ap.pk]}">{escape(ap.title)}</a>\n'
            f'<span class="badge status status-{escape(ap.status)}">'
            f"{escape(STATUS_LABELS.get(ap.status, ap.status))}</span>\n"
            f"{OVERDUE_MARK if overdue else ''}\n"
            f'<p class="meta">{who}{due} · from {_source(ap, links)}</p>\n'
            f"{_tags(ap.tag_rows, links)}"
            "</li>\n"
        )
    if not rows:
        return _safe(
            f'<p class="empty">No action points raised {escape(from_text or "here")} yet. '
            "Raise one when you write a note.</p>"
        )
    return _safe(f'<ul class="list action-points">\n{"".join(rows)}</ul>')


@register.simple_tag
def session_note_links(notes: Iterable) -> SafeString:
    """Links to notes on an event's sessions, with who wrote them and where."""
    links = EscapedAddresses()
    rows = []
    for note in notes:
        session = note.talk if note.talk_id else note.open_space
        title = escape(note.title or session or "")
        on = f" on {_source(note, links)}" if note.title else ""
        draft = '<span class="badge">draft</span>' if note.status == "draft" else ""
        rows.append(
            f'<li><a href="{_source_url(note, links)}#note-{note.pk}">{title}</a>\n'
            f'<span class="meta">by {_person(note.author)}{on}</span>\n'
            f"{draft}</li>\n"
        )
    return _safe(f'<ul class="list">\n{"".join(rows)}</ul>')


@register.simple_tag
def note_byline(note) -> SafeString:
    """Who wrote a note, its title and date (a draft marked)."""
    title = f" · {escape(note.title)}" if note.title else ""
    draft = DRAFT_NOTE_MARK if note.status == "draft" else ""
    return _safe(
        f"\n<strong>{_person(note.author)}</strong>{title}\n{draft}\n"
        f'<span class="meta">{_date(note.published_at or note.created_at)}</span>\n'
    )
