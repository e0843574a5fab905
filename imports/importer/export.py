"""An event's report as Markdown the importer reads back: front matter, one heading per
session (``## Keynote: Title: _Speaker_``), every published note, the takeaways and
the action points with their status.

A report is meant to be published elsewhere too, by Markdown tools that pass raw HTML
through and link whatever a link says, so everything people wrote goes out inert
(:func:`inert`): nothing in it can become an HTML tag or a script link there.
"""

import html
import re

import yaml

from actions.models import ActionPoint
from common.links import is_http_url
from imports.importer import conventions as c
from imports.importer.from_markdown import REPORT_GENERATOR
from imports.importer.markdown_plan import FENCE, HEADING
from talks.models import Event, Note, OpenSpace, Takeaway, Talk

_PREFIXES = {
    Talk.Kind.KEYNOTE: "Keynote: ",
    Talk.Kind.IGNITE: "Ignite: ",
    Talk.Kind.WORKSHOP: "Workshop: ",
    Talk.Kind.PANEL: "Panel: ",
    Talk.Kind.TALK: "",
}
# "<" where an HTML parser would start a tag, comment or doctype; autolinks to web
# and mail addresses are left alone.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])(?!(?:https?://|mailto:)[^<>\s\"'`]*>)", re.IGNORECASE)
# The "]" that closes a link's text, and what follows up to the ")" or the line's end:
# "[text](destination" or "[label]: destination", the destination on the same or the
# next line. Titles come along; they do not change the scheme at the start.
_LINK_DESTINATION = re.compile(r"\](?:\(|:)[ \t]*\n?([^)\n]*)")
_SAFE_SCHEMES = {"http", "https", "mailto"}


def event_report(event: Event) -> str:
    """The report on ``event``: its sessions with speakers, every published note
    (drafts are left out), the published takeaways and action points with assignee and
    status. Importing it reproduces the sessions, takeaways and action points."""
    talks = list(event.talks.prefetch_related("speakers").with_tags().order_by("pk"))
    spaces = list(event.open_spaces.with_tags().order_by("session_label", "pk"))
    notes = list(
        Note.objects.published().filter(event=event).select_related("author").order_by("pk")
    )
    # Like the notes, what was drafted with a draft note is left out.
    takeaways = list(Takeaway.objects.public().filter(event=event).with_tags().order_by("pk"))
    action_points = list(
        ActionPoint.objects.public()
        .filter(event=event)
        .select_related("assignee")
        .with_tags()
        .order_by("pk")
    )
    tags = [t.name for t in event.tags.order_by("name")]

    out = [_front_matter(event, tags), ""]
    event_notes = [n for n in notes if n.talk_id is None and n.open_space_id is None]
    for note in event_notes:
        out += _note(note, level=3)
    for talk in talks:
        out += _session(
            _talk_heading(talk), talk, notes, takeaways, action_points, "talk_id", level=2
        )
    label = None
    for space in spaces:
        level = 2
        if space.session_label:
            level = 3
            if space.session_label != label:
                out += [f"## Open Spaces: {space.session_label}", ""]
        label = space.session_label
        heading = _open_space_heading(space, grouped=level == 3)
        out += _session(heading, space, notes, takeaways, action_points, "open_space_id", level)
    out += _takeaways([t for t in takeaways if t.talk_id is None and t.open_space_id is None], 2)
    out += _action_points(
        [a for a in action_points if a.talk_id is None and a.open_space_id is None], 2
    )
    front_matter, *body = out
    text = "\n".join([front_matter, inert("\n".join(body))])
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def inert(markdown: str) -> str:
    """``markdown`` that no Markdown tool turns into HTML tags or script links: every
    "<" that would open a tag (in code too, since tools disagree on where code is)
    becomes ``&lt;``, which every tool shows as "<", and a link whose address is not
    http(s), mailto or relative loses its "]" so it stays text. Text without either
    comes out unchanged."""
    markdown = _TAG_START.sub("&lt;", markdown)
    pieces, start = [], 0
    for match in _LINK_DESTINATION.finditer(markdown):
        backslashes = len(markdown[: match.start()]) - len(markdown[: match.start()].rstrip("\\"))
        if backslashes % 2 == 0 and not _safe_destination(match[1]):
            pieces += [markdown[start : match.start()], "\\"]
            start = match.start()
    return "".join([*pieces, markdown[start:]])


def _safe_destination(destination: str) -> bool:
    """Whether a link to ``destination`` is harmless however a tool reads it: entities
    and backslash escapes decoded, and whitespace and control characters dropped, as
    browsers drop them, it is http(s), mailto, or has no scheme at all."""
    address = html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", destination))
    address = re.sub(r"[\x00-\x20\x7f]", "", address).lstrip("<")
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", address)
    return scheme is None or scheme[1].lower() in _SAFE_SCHEMES


def _front_matter(event: Event, tags: list[str]) -> str:
    meta = {
        "title": inert(f"{event.name} {event.starts_on:%Y}: report"),
        "event": inert(event.name),
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
    }
    for name in ("city", "country", "venue", "description"):
        if value := getattr(event, name):
            meta[name] = inert(value)
    if is_http_url(event.website):
        meta["website"] = event.website
    if tags:
        meta["tags"] = [inert(tag) for tag in tags]
    meta["generator"] = REPORT_GENERATOR
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=88)
    return f"---\n{text}---"


def _speakers(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _talk_heading(talk: Talk) -> str:
    names = [s.name for s in talk.speakers.all()]
    heading = _PREFIXES[talk.kind] + talk.title
    return f"{heading}: _{_speakers(names)}_" if names else heading


def _open_space_heading(space: OpenSpace, *, grouped: bool) -> str:
    heading = space.topic if grouped else f"Open Space: {space.topic}"
    return f"{heading}: _{space.convenor}_" if space.convenor else heading


def _session(heading, session, notes, takeaways, action_points, key, level) -> list[str]:
    # The start time and room as the importer reads them back (its day is not written).
    if session.starts_at:
        heading = f"{session.starts_at:%H:%M} {heading}"
    out = ["#" * level + " " + heading, ""]
    if session.tag_list:
        out += ["Tags: " + ", ".join(t.name for t in session.tag_list), ""]
    if session.room:
        out += [f"Room: {session.room}", ""]
    for note in notes:
        if getattr(note, key) == session.pk:
            out += _note(note, level=level + 1)
    out += _takeaways([t for t in takeaways if getattr(t, key) == session.pk], level + 1)
    out += _action_points([a for a in action_points if getattr(a, key) == session.pk], level + 1)
    return out


def _note(note: Note, *, level: int) -> list[str]:
    author = note.author.get_full_name() or note.author.get_username()
    byline = f"*{author} — {note.title}*" if note.title else f"*{author}*"
    return [byline, "", *_demoted(_without_markers(note.body), level), ""]


def _hashtags(tags) -> str:
    return "".join(" #" + re.sub(r"\s+", "-", t.name) for t in tags)


def _takeaways(takeaways: list[Takeaway], level: int) -> list[str]:
    if not takeaways:
        return []
    out = ["#" * level + " Takeaways", ""]
    out += [f"* {t.text}{_hashtags(t.tag_list)}" for t in takeaways]
    return [*out, ""]


def _action_points(action_points: list[ActionPoint], level: int) -> list[str]:
    if not action_points:
        return []
    out = ["#" * level + " Action points", ""]
    for action_point in action_points:
        out += _action_point(action_point)
    return out


def _action_point(action_point: ActionPoint) -> list[str]:
    """A blockquote the importer reads back as the same title and details: the
    details alone when they start with the title (as imported ones do), else the
    title in bold followed by the details."""
    text = action_point.details or action_point.title
    read = c.action_point(text, None)
    if (read.title, read.details) != (action_point.title, action_point.details):
        text = f"**{action_point.title}**"
        if action_point.details:
            text += f"\n\n{action_point.details}"
    lines = text.splitlines()
    lines[-1] += _hashtags(action_point.tag_list)
    out = ["> **Action Point:** " + lines[0]]
    out += [f"> {line}".rstrip() for line in lines[1:]]
    out += [">", f"> {_status(action_point)}", ""]
    return out


def _status(action_point: ActionPoint) -> str:
    """The italic status line under an action point (the importer skips it)."""
    parts = [action_point.get_status_display()]
    assignee = action_point.assignee
    if assignee:
        parts.append(f"assigned to {assignee.get_full_name() or assignee.get_username()}")
    else:
        parts.append("not assigned")
    if action_point.due_on:
        parts.append(f"due {action_point.due_on.isoformat()}")
    return f"*Status: {' · '.join(parts)}*"


def _without_markers(body: str) -> str:
    """A note's text without its "Action Point:" / "Takeaway:" paragraphs and the
    items of its takeaways lists: the report lists the current ones, and leaving them
    in would bring back, on import, ones since edited or deleted."""
    lines, out, index = body.splitlines(), [], 0
    in_takeaways = False
    while index < len(lines):
        line = lines[index]
        index += 1
        if heading := HEADING.match(line):
            in_takeaways = bool(c.heading_role(c.plain(heading["text"])) == "takeaways")
            out.append(line)
        elif match := c.ACTION_MARKER.match(line) or c.TAKEAWAY_MARKER.match(line):
            quoted = bool(match["quote"])
            while index < len(lines) and (
                lines[index].startswith(">") if quoted else lines[index].strip()
            ):
                index += 1
        elif in_takeaways and c.BULLET.match(line):
            while (
                index < len(lines)
                and lines[index].strip()
                and not (c.BULLET.match(lines[index]) or HEADING.match(lines[index]))
            ):
                index += 1
        else:
            out.append(line)
    return _drop_empty_headings("\n".join(out))


def _drop_empty_headings(text: str) -> str:
    """Takeaways headings left with nothing under them."""
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        heading = HEADING.match(line)
        if heading and c.heading_role(c.plain(heading["text"])) == "takeaways":
            rest = next((other for other in lines[index + 1 :] if other.strip()), "")
            if not rest or HEADING.match(rest):
                continue
        kept.append(line)
    return "\n".join(kept)


def _demoted(body: str, level: int) -> list[str]:
    """The note's lines with its headings moved down so that the shallowest is at
    ``level``: below the session heading, never mistaken for a session."""
    lines, fenced, levels = body.splitlines(), False, []
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            levels.append(len(heading["hashes"]))
    shift = max(0, level - min(levels)) if levels else 0
    if not shift:
        return lines
    out, fenced = [], False
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            hashes = len(heading["hashes"])
            line = "#" * min(6, hashes + shift) + line[hashes:]
        out.append(line)
    return out
