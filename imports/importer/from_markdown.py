"""Markdown notes, with or without YAML front matter (docs/import-format.md)."""

import datetime
import re
from dataclasses import dataclass

import yaml

from imports.importer import conventions as c
from imports.importer.builder import Builder
from imports.importer.errors import ImportProblem
from imports.importer.model import OPEN_SPACE, ParsedEvent, ParsedSession
from talks.models import Talk

# The front matter's ``generator`` in a report from imports.importer.export.
REPORT_GENERATOR = "Notesite report"
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_KEYS = {
    "name": ("event", "conference", "name"),
    "starts_on": ("starts_on", "start_date", "start", "date"),
    "ends_on": ("ends_on", "end_date", "end"),
    "place": ("location", "place"),
}


@dataclass
class _Group:
    """An "Open Spaces: Session One" heading: the headings under it are open spaces."""

    level: int
    label: str
    placeholder: ParsedSession | None = None  # the group as one open space, until a child
    child_level: int | None = None


def _front_matter(text: str) -> tuple[dict, list[str], int, list[str]]:
    """(front matter, the lines after it, line number of the first of them, the front
    matter's own lines)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, lines, 1, []
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in {"---", "..."}:
            try:
                meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                problem = getattr(error, "problem", None) or "it cannot be read"
                raise ImportProblem(
                    f"the front matter is not valid YAML ({problem}).",
                    line=mark.line + 2 if mark else 1,
                ) from None
            if not isinstance(meta, dict):
                raise ImportProblem("the front matter must be a set of `key: value` lines.", line=2)
            return meta, lines[end + 1 :], end + 2, lines[1:end]
    raise ImportProblem("the front matter starts with --- but never ends with ---.", line=1)


def _meta_value(meta: dict, field: str):
    for key in _KEYS.get(field, (field,)):
        if meta.get(key) not in (None, ""):
            return key, meta[key]
    return None, None


def _to_date(meta: dict, field: str, meta_lines: list[str]) -> datetime.date | None:
    key, value = _meta_value(meta, field)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if found := c.parse_date(str(value)):
        return found
    raise ImportProblem(
        f"{key}: “{value}” is not a date (write it as 2026-04-16).",
        line=_meta_line(meta_lines, key),
    )


def _meta_line(meta_lines: list[str], key: str) -> int | None:
    """The line number of the front matter's ``key:``."""
    return next(
        (n for n, text in enumerate(meta_lines, start=2) if text.startswith(f"{key}:")), None
    )


def _tags(meta: dict, meta_lines: list[str]) -> list[str]:
    tags = c.comma_list(meta.get("tags"))
    c.check_tags(tags, line=_meta_line(meta_lines, "tags"))
    return tags


def _headings(lines: list[str], title: str) -> list[tuple[int, int, str]]:
    """(index, level, text) of each heading outside code blocks, but the title."""
    found, fenced = [], False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)) and heading["text"] != title:
            found.append((index, len(heading["hashes"]), heading["text"]))
    return found


def _session_level(headings: list[tuple[int, int, str]]) -> int:
    """The heading level sessions are written at: the shallowest level of a heading
    that names speakers or a kind, else the shallowest heading that is not a section."""
    signalled, others = [], []
    for _, level, text in headings:
        if c.heading_role(c.plain(text)):
            continue
        if c.open_spaces_group(c.plain(text))[0] or c.split_heading(text)[1]:
            signalled.append(level)
        others.append(level)
    return min(signalled or others or [2])


def _head(lines: list[str], first_line: int) -> tuple[str, int, list[str], int]:
    """A leading "# Title": (title, lines after it, their first line number)."""
    for index, line in enumerate(lines):
        if line.strip():
            if (heading := HEADING.match(line)) and heading["hashes"] == "#":
                return heading["text"], index + 1, lines[index + 1 :], first_line + index + 1
            break
    return "", 0, lines, first_line


def _date_line_index(lines: list[str]) -> tuple[int, tuple, str] | None:
    """A date line among the first three lines of text before the first heading."""
    seen = 0
    for index, line in enumerate(lines):
        if HEADING.match(line) or seen == 3:
            return None
        if line.strip():
            seen += 1
            if found := c.date_line(line):
                return index, *found
    return None


def parse_markdown(text: str, *, require_date: bool = True) -> ParsedEvent:
    """Read Markdown notes (conventions: docs/import-format.md). With
    ``require_date=False`` a document without a date is read anyway (its event's
    dates left empty), for an import into an event chosen by hand."""
    meta, lines, first_line, meta_lines = _front_matter(text.lstrip("\ufeff"))
    title = str(meta.get("title") or "").strip()
    if not title:
        title, _, lines, first_line = _head(lines, first_line)
    _, name = _meta_value(meta, "name")
    name = str(name or "").strip() or c.event_name_from_title(title)
    if not name:
        raise ImportProblem(
            "no event name: add `event:` or `title:` to the front matter, or a `# Title` line."
        )
    description = str(meta.get("description") or "").strip()
    date_line = None if _meta_value(meta, "starts_on")[1] else _date_line_index(lines)
    if date_line:
        lines = [*lines[: date_line[0]], "", *lines[date_line[0] + 1 :]]
    starts_on = _to_date(meta, "starts_on", meta_lines) or (
        date_line[1][0] if date_line else c.find_date(f"{description} {title}")
    )
    if starts_on is None and require_date:
        raise ImportProblem(
            "no date: add `date:` (or `starts_on:`) to the front matter, or a date under "
            "the title such as “14-15 October 2025”."
        )
    ends_on = _to_date(meta, "ends_on", meta_lines) or (date_line[1][1] if date_line else None)
    _, place = _meta_value(meta, "place")
    city, country = c.city_and_country(str(place or (date_line[2] if date_line else "")))
    event = ParsedEvent(
        name=c.without_year(name, starts_on.year) if starts_on else name,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        city=str(meta.get("city") or "").strip() or city,
        country=str(meta.get("country") or "").strip() or country,
        venue=str(meta.get("venue") or "").strip(),
        website=str(meta.get("website") or "").strip(),
        description=description,
        tags=_tags(meta, meta_lines),
        title=title,
    )
    event.city = event.city or c.city_from_name(event.name)
    event = _Reader(lines, first_line, title).read(event)
    if str(meta.get("generator") or "").startswith(REPORT_GENERATOR):
        # Everyone's notes, exported: importing them as one person's would misattribute
        # them (and overwrite that person's own); the structure is what comes back.
        event.from_report, event.intro = True, ""
        for session in event.sessions:
            session.body = ""
    return event


class _Reader:
    """Walks the lines after the front matter and the title."""

    def __init__(self, lines: list[str], first_line: int, title: str) -> None:
        self.lines, self.first_line = lines, first_line
        self.headings = {i: (level, text) for i, level, text in _headings(lines, title)}
        self.session_level = _session_level([(i, *h) for i, h in self.headings.items()])
        self.build = Builder()
        self.list_of: str | None = None  # "takeaways" or "actions": list items are those
        self.list_ends_with_paragraph = False  # a list after "Action points:", not a heading
        self.group: _Group | None = None
        self.index = 0

    def read(self, event: ParsedEvent) -> ParsedEvent:
        fenced = False
        while self.index < len(self.lines):
            line, number = self.lines[self.index], self.first_line + self.index
            self.index += 1
            if _FENCE.match(line):
                fenced = not fenced
                self.build.add(line)
            elif fenced:
                self.build.add(line)
            elif (self.index - 1) in self.headings:
                self.heading(line, *self.headings[self.index - 1], number)
            elif HEADING.match(line):
                continue  # the title again
            elif match := c.ACTION_MARKER.match(line):
                self.marked(match, line, number, "actions")
            elif match := c.TAKEAWAY_MARKER.match(line):
                self.marked(match, line, number, "takeaways")
            elif self.list_of and (item := c.BULLET.match(line)):
                parts = [item["text"]]
                self.build.add_tagged(line)
                while self.index < len(self.lines) and self.continues_item(self.lines[self.index]):
                    parts.append(self.lines[self.index].strip())
                    self.build.add_tagged(self.lines[self.index])
                    self.index += 1
                self.item(" ".join(parts), number)
            else:
                if self.list_ends_with_paragraph and line.strip():
                    self.list_of, self.list_ends_with_paragraph = None, False
                self.build.add(line)
        return self.build.finish(event)

    def heading(self, line: str, level: int, text: str, number: int) -> None:
        build, flat = self.build, c.plain(text)
        role = c.heading_role(flat)
        self.list_of, self.list_ends_with_paragraph = None, False
        if self.group and level <= self.group.level:
            self.group = None
        if role in {"takeaways", "actions"}:
            if level <= self.session_level:
                build.section(line)
            else:
                build.add(line)
            self.list_of = role
        elif (
            self.group
            and level > self.group.level
            and (self.group.child_level is None or level <= self.group.child_level)
        ):
            self.open_space_in_group(text, level, number)
        elif level <= self.session_level:
            is_group, label = c.open_spaces_group(flat)
            session, signalled = c.split_heading(text)
            if is_group and role is None:
                self.group = _Group(level, label)
                if label:
                    self.group.placeholder = ParsedSession(label, OPEN_SPACE, session_label=label)
                    build.start(c.check_session(self.group.placeholder, number))
                else:
                    build.section(line)
            elif role in {"section", "subsection"} or (
                level < self.session_level and not signalled
            ):
                build.section(line)
            else:
                build.start(c.check_session(session, number))
        else:
            build.add(line)

    def open_space_in_group(self, text: str, level: int, number: int) -> None:
        group = self.group
        if group.placeholder is not None:
            self.build.discard(group.placeholder)
            group.placeholder = None
        group.child_level = level
        session, _ = c.split_heading(text)
        if session.kind == Talk.Kind.TALK:
            session.kind = OPEN_SPACE
        session.session_label = group.label
        self.build.start(c.check_session(session, number))

    def marked(self, match: re.Match, line: str, number: int, what: str) -> None:
        """An "Action Point: …" or "Takeaway: …" paragraph or blockquote."""
        quoted = bool(match["quote"])
        parts = [match["text"]]
        self.build.add_tagged(line)
        while self.index < len(self.lines):
            following = self.lines[self.index]
            if quoted:
                if not following.startswith(">") or c.ACTION_MARKER.match(following):
                    break
                following_text = following[1:].strip()
            else:
                if (
                    not following.strip()
                    or HEADING.match(following)
                    or (c.BULLET.match(following) and not match["text"])
                ):
                    break
                following_text = following.strip()
            self.index += 1
            if c.STATUS_LINE.match(following_text):
                continue  # a report's status line: not part of the text
            parts.append(following_text)
            self.build.add_tagged(following)
        text = "\n".join(parts).strip()
        if not text:
            # "**Action points:**" over a list: each item is one.
            self.list_of, self.list_ends_with_paragraph = what, True
        elif what == "actions":
            self.build.action_point(text, number)
        else:
            self.build.takeaway(text, number)

    def item(self, text: str, number: int) -> None:
        if self.list_of == "takeaways":
            self.build.takeaway(text, number)
        else:
            self.build.action_point(text, number)

    def continues_item(self, line: str) -> bool:
        """A wrapped line of the list item above (Markdown allows it unindented too)."""
        return bool(
            line.strip()
            and not c.BULLET.match(line)
            and not HEADING.match(line)
            and not line.startswith(">")
        )
