"""Markdown notes, with or without YAML front matter (docs/import-format.md)."""

import re
from dataclasses import dataclass

from imports.importer import conventions as c
from imports.importer import dates, head, kinds
from imports.importer import evidence as ev
from imports.importer.builder import Builder
from imports.importer.markdown_head import front_matter, fuller, meta_line, meta_value, tags
from imports.importer.markdown_head import head as document_head
from imports.importer.markdown_plan import (
    FENCE,
    HEADING,
    find_headings,
    indent_of,
    plan_headings,
    plan_items,
    plan_paragraphs,
    with_atx_headings,
)
from imports.importer.model import OPEN_SPACE, ParsedEvent, ParsedSession
from imports.importer.tables import Table, find_tables
from talks.models import Event, Talk

# The front matter's ``generator`` in a report from imports.importer.export.
REPORT_GENERATOR = "Notesite report"
# "My three main takeaways:", "Key takeaways:", "Lessons learned:" over a list.
LIST_INTRO = {
    "takeaways": re.compile(
        r"^.{0,80}?\b(?:take-?aways|lessons(?:\s+learned)?|learnings)\s*(?:\*\*|__)?:\s*(?:\*\*|__)?$",
        re.I,
    ),
    "actions": re.compile(
        r"^.{0,60}?\b(?:action\s+(?:points|items)|to-?dos?|things\s+to\s+try|next\s+steps)"
        r"\s*(?:\*\*|__)?:\s*(?:\*\*|__)?$",
        re.I,
    ),
}


@dataclass
class _Group:
    """An "Open Spaces: Session One" heading: the headings under it are open spaces."""

    level: int
    label: str
    placeholder: ParsedSession | None = None  # the group as one open space, until a child
    child_level: int | None = None


def parse_markdown(text: str, *, require_date: bool = True, file_name: str = "") -> ParsedEvent:
    """Read Markdown notes (conventions: docs/import-format.md). Never refuses a
    document for its shape: a missing date or name becomes a guess in ``unsure``.
    ``require_date`` is kept for callers; a date is always found or guessed."""
    meta, lines, first_line, meta_lines = front_matter(text.lstrip("\ufeff"))
    lines = with_atx_headings(lines)
    h1, h1_line, subtitle, sub_line = document_head(lines, first_line)
    title = str(meta.get("title") or "").strip() or h1
    _, name = meta_value(meta, "name")
    description = str(meta.get("description") or "").strip()
    date_sources = []
    for field in ("starts_on",):
        key, value = meta_value(meta, field)
        if value is not None:
            date_sources.append((value, meta_line(meta_lines, key), key))
    if description:
        date_sources.append((description, meta_line(meta_lines, "description"), "description"))
    _, place = meta_value(meta, "place")
    city, country = c.city_and_country(str(place or ""))
    website = str(meta.get("website") or "").strip()
    if len(website) <= c.MAX_URL:  # a longer one is refused by its length, below
        c.check_url(Event, "website", website, line=meta_line(meta_lines, "website"))
    event = ParsedEvent(
        name=str(name or "").strip(),
        starts_on=None,
        ends_on=None,
        city=str(meta.get("city") or "").strip() or city,
        country=str(meta.get("country") or "").strip() or country,
        venue=str(meta.get("venue") or "").strip(),
        website=website,
        description=description,
        tags=tags(meta, meta_lines),
        title=ev.plain(title),
    )
    if h1_line:
        event.meta_lines.add(h1_line)
    names = [(title, h1_line if title == h1 else None)]
    if subtitle and fuller(subtitle, title):
        names.insert(0, (subtitle, sub_line))
    body_start = (h1_line or first_line - 1) - first_line + 1 if h1_line else 0
    first = head.useful_lines(lines[body_start:], first_line + body_start, limit=4)
    first = [(n, t) for n, t in first if not HEADING.match(t)]
    prose = " ".join(t for _, t in head.useful_lines(lines, first_line, limit=40))
    head.settle(
        event,
        file_name=file_name,
        name_sources=names,
        date_sources=date_sources,
        first_lines=first[:3],
        prose=f"{title} {' '.join(c.comma_list(meta.get('tags')))} {prose}",
    )
    _, ends = meta_value(meta, "ends_on")
    if ends is not None and (found := dates.from_value(ends)):
        event.ends_on = found.ends_on
    for number, line in first[:3]:
        if number in event.meta_lines and (found := c.date_line(line)) and found[1]:
            event.city, event.country = (
                event.city or c.city_and_country(found[1])[0],
                (event.country or c.city_and_country(found[1])[1]),
            )
    if event.ends_on and event.starts_on and event.ends_on < event.starts_on:
        event.ends_on = event.starts_on
        event.doubt("date", str(event.starts_on), "the end date was before the start")
    event = _Reader(lines, first_line, event.meta_lines).read(event)
    if str(meta.get("generator") or "").startswith(REPORT_GENERATOR):
        # Everyone's notes, exported: importing them as one person's would misattribute
        # them (and overwrite that person's own); the structure is what comes back.
        event.from_report, event.intro = True, ""
        for session in event.sessions:
            session.body = ""
    return event


class _Reader:
    """Walks the lines after the front matter: decides first which headings, list
    items and paragraphs open sessions (from their evidence and their siblings'),
    then reads the lines in order."""

    def __init__(self, lines: list[str], first_line: int, meta_lines: set[int]) -> None:
        self.lines, self.first_line = lines, first_line
        self.skip = {n - first_line for n in meta_lines}
        headings = [h for h in find_headings(lines) if h[0] not in self.skip]
        self.tables = find_tables(lines, self.skip)
        in_tables = {i for t in self.tables.values() for i in range(t.first, t.last + 1)}
        self.items = plan_items(lines, self.skip | in_tables)
        self.paragraphs = plan_paragraphs(lines, self.skip | in_tables)
        rows = {row: None for table in self.tables.values() for row in table.rows}
        self.plan = plan_headings(lines, headings, {**self.items, **rows}, self.paragraphs)
        self.build = Builder()
        self.list_of: str | None = None  # "takeaways" or "actions": list items are those
        self.list_ends_with_paragraph = False  # a list after "Action points:", not a heading
        self.group: _Group | None = None
        self.item_indent: int | None = None  # inside a list of talks: the items' indent
        self.kind_here: str | None = None  # a section headed "Ignite talks"
        self.index = 0

    def read(self, event: ParsedEvent) -> ParsedEvent:
        fenced = False
        while self.index < len(self.lines):
            line, number = self.lines[self.index], self.first_line + self.index
            index = self.index
            self.index += 1
            if FENCE.match(line):
                fenced = not fenced
                self.build.add(line)
            elif fenced:
                self.build.add(line)
            elif index in self.skip:
                continue  # the title or the date line: the event's own fields
            elif index in self.plan:
                self.item_indent = None
                self.heading(line, index, number, event)
            elif index in self.tables:
                self.item_indent = None
                self.table(self.tables[index], event)
            elif index in self.items:
                self.talk_item(index, number, event)
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
            elif index in self.paragraphs:
                self.item_indent = None
                self.paragraph(index, number, event)
            else:
                if (
                    self.item_indent is not None
                    and line.strip()
                    and indent_of(line) <= self.item_indent
                    and not c.BULLET.match(line)
                ):
                    self.item_indent = None
                    self.build.leave_to_section()
                if self.list_ends_with_paragraph and line.strip() and not c.BULLET.match(line):
                    self.list_of, self.list_ends_with_paragraph = None, False
                if line.strip() and (what := _list_intro(line)):
                    self.list_of, self.list_ends_with_paragraph = what, True
                elif (
                    line.strip()
                    and (current := self.build.current)
                    and not current.speakers
                    and not current.is_open_space
                    and (names := ev.speaker_label(line))
                ):
                    current.speakers = names
                self.build.add(line)
        return self.build.finish(event)

    def start(
        self,
        reading: ev.Reading,
        line: str,
        number: int,
        event: ParsedEvent,
        unsure: bool,
        why: str,
    ) -> None:
        kind = reading.kind if reading.kind_marked else (self.kind_here or reading.kind)
        session = ParsedSession(
            reading.title, kind, list(reading.speakers), starts_at=reading.starts_at
        )
        self.build.start(c.check_session(session, number), line)
        started = self.build.current
        if unsure:
            event.doubt("session", started.title, why, number)
        elif reading.speakers and reading.score < 0.6:
            event.doubt(
                "speakers", ", ".join(reading.speakers), "may not be people's names", number
            )

    def heading(self, line: str, index: int, number: int, event: ParsedEvent) -> None:
        build = self.build
        decision = self.plan[index]
        level, text = decision.level, decision.text
        flat = ev.plain(text)
        role = c.heading_role(flat)
        self.list_of, self.list_ends_with_paragraph = None, False
        if self.group and level <= self.group.level:
            self.group = None
        if decision.what == "section":
            self.kind_here = ev.kind_alone(flat)
        if role in {"takeaways", "actions"}:
            if decision.what == "section":
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
        elif decision.what == "group":
            _, label = kinds.open_spaces_group(flat)
            self.group = _Group(level, label)
            if label:
                self.group.placeholder = ParsedSession(label, OPEN_SPACE, session_label=label)
                build.start(c.check_session(self.group.placeholder, number))
            else:
                build.section(line)
        elif decision.what == "session":
            reading = decision.reading
            if decision.below and not reading.speakers and reading.kind != OPEN_SPACE:
                reading.speakers, reading.score = decision.below, 0.9  # labelled: sure
            self.start(reading, line, number, event, decision.unsure, decision.why)
        elif decision.what == "section":
            build.section(line)
        else:
            build.add(line)

    def talk_item(self, index: int, number: int, event: ParsedEvent) -> None:
        reading, unsure, last = self.items[index]
        line = self.lines[index]
        self.start(reading, "", number, event, unsure, "a list item like its neighbours")
        self.build.add(line)
        while self.index <= last:
            self.build.add(self.lines[self.index])
            self.index += 1
        if c.BULLET.match(line) or last + 1 in self.items:
            # Text after a list of talks is the section's; after a timed line that
            # stands alone it is that talk's note.
            self.item_indent = indent_of(line)

    def table(self, table: Table, event: ParsedEvent) -> None:
        """A table of sessions: each row that is one starts it; the table itself stays
        whole in the event's note, the programme as the author wrote it."""
        for index in range(table.first, table.last + 1):
            line, number = self.lines[index], self.first_line + index
            if reading := table.rows.get(index):
                unsure = not reading.speakers
                self.start(reading, "", number, event, unsure, "a row of a table without a speaker")
                self.build.current.room = table.rooms.get(index, self.build.current.room)
            self.build.add(line, to_event=True)
        self.build.leave_to_section()
        self.index = table.last + 1

    def paragraph(self, index: int, number: int, event: ParsedEvent) -> None:
        reading, size, unsure = self.paragraphs[index]
        self.start(reading, "", number, event, unsure, "written like the sessions around it")
        self.build.add(self.lines[index])
        for _ in range(1, size):
            self.build.add(self.lines[self.index])
            self.index += 1

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


def _list_intro(line: str) -> str | None:
    flat = line.strip()
    for what, pattern in LIST_INTRO.items():
        if pattern.match(flat):
            return what
    return None
