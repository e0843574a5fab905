"""Markdown notes, with or without YAML front matter (docs/import-format.md)."""

import re
from dataclasses import dataclass

import yaml

from imports.importer import conventions as c
from imports.importer import dates, head
from imports.importer import evidence as ev
from imports.importer.builder import Builder
from imports.importer.model import OPEN_SPACE, ParsedEvent, ParsedSession
from talks.models import Event, Talk

# The front matter's ``generator`` in a report from imports.importer.export.
REPORT_GENERATOR = "Notesite report"
HEADING = re.compile(r"^(?P<hashes>#{1,6})(?:\s+|(?<=##)(?=[^\W\d_]))(?P<text>.*?)\s*#*\s*$")
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
    matter's own lines). YAML that does not parse is read as ``key: value`` lines; a
    block that never closes is not front matter."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, lines, 1, []
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in {"---", "..."}:
            own = lines[1:end]
            try:
                meta = yaml.safe_load("\n".join(own)) or {}
            except yaml.YAMLError:
                meta = _loose_meta(own)
            if not isinstance(meta, dict):
                meta = _loose_meta(own)
            return meta, lines[end + 1 :], end + 2, own
    return {}, lines, 1, []


def _loose_meta(lines: list[str]) -> dict:
    """``key: value`` lines, for front matter that is not valid YAML."""
    meta = {}
    for line in lines:
        if match := re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line):
            meta[match[1]] = match[2].strip().strip("\"'")
    return meta


def _meta_value(meta: dict, field: str):
    for key in _KEYS.get(field, (field,)):
        if meta.get(key) not in (None, ""):
            return key, meta[key]
    return None, None


def _meta_line(meta_lines: list[str], key: str) -> int | None:
    """The line number of the front matter's ``key:``."""
    return next(
        (n for n, text in enumerate(meta_lines, start=2) if text.startswith(f"{key}:")), None
    )


def _tags(meta: dict, meta_lines: list[str]) -> list[str]:
    tags = c.comma_list(meta.get("tags"))
    c.check_tags(tags, line=_meta_line(meta_lines, "tags"))
    return tags


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(index, level, text) of each heading outside code blocks."""
    found, fenced = [], False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            found.append((index, len(heading["hashes"]), heading["text"]))
    return found


def _head(lines: list[str], first_line: int) -> tuple[str, int | None, str, int | None]:
    """A leading "# Title" (or a first line that reads as a title) and the line
    right under it when that reads as its subtitle: (title, its line number,
    subtitle, its line number)."""
    useful = [(i, line) for i, line in enumerate(lines) if line.strip() and not ev.is_chrome(line)][
        :2
    ]
    if not useful:
        return "", None, "", None
    index, line = useful[0]
    heading = HEADING.match(line)
    if not (heading and heading["hashes"] == "#"):
        return "", None, "", None
    title, subtitle, sub_line = heading["text"], "", None
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if (
        following.strip()
        and not HEADING.match(following)
        and not ev.looks_like_sentence(following)
        and len(ev.plain(following)) <= 80
        and not c.BULLET.match(following)
    ):
        subtitle, sub_line = following, first_line + index + 1
    return title, first_line + index, subtitle, sub_line


def parse_markdown(text: str, *, require_date: bool = True, file_name: str = "") -> ParsedEvent:
    """Read Markdown notes (conventions: docs/import-format.md). Never refuses a
    document for its shape: a missing date or name becomes a guess in ``unsure``.
    ``require_date`` is kept for callers; a date is always found or guessed."""
    meta, lines, first_line, meta_lines = _front_matter(text.lstrip("\ufeff"))
    h1, h1_line, subtitle, sub_line = _head(lines, first_line)
    title = str(meta.get("title") or "").strip() or h1
    _, name = _meta_value(meta, "name")
    description = str(meta.get("description") or "").strip()
    date_sources = []
    for field in ("starts_on",):
        key, value = _meta_value(meta, field)
        if value is not None:
            date_sources.append((value, _meta_line(meta_lines, key), key))
    if description:
        date_sources.append((description, _meta_line(meta_lines, "description"), "description"))
    _, place = _meta_value(meta, "place")
    city, country = c.city_and_country(str(place or ""))
    website = str(meta.get("website") or "").strip()
    if len(website) <= c.MAX_URL:  # a longer one is refused by its length, below
        c.check_url(Event, "website", website, line=_meta_line(meta_lines, "website"))
    event = ParsedEvent(
        name=str(name or "").strip(),
        starts_on=None,
        ends_on=None,
        city=str(meta.get("city") or "").strip() or city,
        country=str(meta.get("country") or "").strip() or country,
        venue=str(meta.get("venue") or "").strip(),
        website=website,
        description=description,
        tags=_tags(meta, meta_lines),
        title=ev.plain(title),
    )
    if h1_line:
        event.meta_lines.add(h1_line)
    names = [(title, h1_line if title == h1 else None)]
    if subtitle and _fuller(subtitle, title):
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
    _, ends = _meta_value(meta, "ends_on")
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


def _fuller(subtitle: str, title: str) -> bool:
    """Whether ``subtitle`` names the event more fully than ``title`` (it holds the
    title's first word and more)."""
    squash = lambda s: re.sub(r"[^a-z]", "", s.lower())  # noqa: E731
    first = squash(ev.plain(title).split()[0]) if ev.plain(title) else ""
    return (
        bool(first)
        and first in squash(ev.plain(subtitle))
        and len(ev.plain(subtitle)) > len(ev.plain(title))
    )


_LINK_ITEM = re.compile(
    r"^(?:\*\*|__)?\[(?P<title>[^\]]+)\](?P<target>\([^)]*\)|\[[^\]]*\])(?:\*\*|__)?\s*(?P<rest>.*)$"
)
_SPAN = re.compile(
    r"^\s*(?:\*\*|__|~~)?\[?[^\s].*?(?:\]\([^)]*\)|\]\[[^\]]*\])?(?:\*\*|__|~~)?\s*$"
)
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
_RELATIVE = re.compile(r"^\((?!\w+:|#|/)[^)\s]+\)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def item_reading(text: str, *, loose: bool) -> tuple[ev.Reading, bool]:
    """A list item read as a session: "[Title](url) by Ann", "[Ann - Title](url)",
    "Title by Ann." (and whether the item is only a link to a relative path)."""
    text = text.strip()
    if match := _LINK_ITEM.match(text):
        rest = re.sub(r"^(?:by|with|[-\u2013\u2014,:])\s*", "", match["rest"].strip(), flags=re.I)
        if rest:
            reading = ev.read_line(f"{ev.plain(match['title'])} by {rest}", loose=loose)
            if reading.speakers:
                return reading, False
        else:
            return ev.read_line(match["title"], loose=loose), bool(_RELATIVE.match(match["target"]))
    return ev.read_line(text, loose=loose), False


def plan_items(lines: list[str], skip: set[int]) -> dict[int, tuple[ev.Reading, bool, int]]:
    """The list items that are sessions: a list where at least two items read as
    "Title by Speaker" (or "Speaker - Title") and most do, or a list of links to
    pages of the same notes. index -> (reading, unsure, index of its last line)."""
    items: list[tuple[int, int, str, int]] = []  # (index, indent, text, last line)
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or index in skip or not (bullet := c.BULLET.match(line)):
            continue
        text, last = bullet["text"], index
        following = index + 1
        while (
            following < len(lines)
            and lines[following].strip()
            and not c.BULLET.match(lines[following])
            and not HEADING.match(lines[following])
        ):
            if following == index + 1 and re.match(r"^\s*by\s", lines[following], re.I):
                text = f"{text} {lines[following].strip()}"
            last = following
            following += 1
        items.append((index, _indent(line), text, last))
    plan: dict[int, tuple[ev.Reading, bool, int]] = {}
    groups: list[list[tuple[int, int, str, int]]] = []
    for item in items:
        for group in groups:
            index, indent = group[-1][0], group[-1][1]
            between = lines[group[-1][3] + 1 : item[0]]
            if indent == item[1] and all(
                not b.strip() or _indent(b) > indent or c.BULLET.match(b) for b in between
            ):
                group.append(item)
                break
        else:
            groups.append([item])
    for group in groups:
        if len(group) < 2 or _under_reading_list(lines, group[0][0]):
            continue
        strict = [item_reading(text, loose=False) for _, _, text, _ in group]
        named = sum(1 for reading, _ in strict if reading.score >= 0.5)
        linked = all(relative for _, relative in strict)
        loose = [item_reading(text, loose=True)[0] for _, _, text, _ in group]
        with_speakers = sum(1 for reading in loose if reading.speakers)
        if named >= 2 and with_speakers * 2 >= len(group):
            for (index, _, _, last), reading in zip(group, loose, strict=True):
                if reading.speakers and not ev.looks_like_sentence(reading.title):
                    plan[index] = (reading, reading.score < 0.5, last)
        elif linked and not any(ev.looks_like_sentence(r.title) for r, _ in strict):
            for (index, _, _, last), (reading, _) in zip(group, strict, strict=True):
                plan[index] = (reading, True, last)
    return plan


def _under_reading_list(lines: list[str], index: int) -> bool:
    """Whether the list starting at ``index`` is announced (by the nearest heading or
    the line above it) as books, links or things to read: "Title by Author" there
    names authors, not speakers."""
    for line in reversed(lines[:index]):
        if not line.strip() or c.BULLET.match(line):
            continue
        if ev.READING_LIST.search(ev.plain(line)):
            return True
        if HEADING.match(line):
            return False
    return False


def plan_paragraphs(lines: list[str], skip: set[int]) -> dict[int, tuple[ev.Reading, int, bool]]:
    """Paragraphs that open a session: a title line with a name on the next line
    ("[Title](url)" then "Ann Example"), a name then a title in one link or span,
    or a line that is only a link or bold text reading as "Speaker - Title".
    index -> (reading, lines that make the heading, unsure)."""
    plan: dict[int, tuple[ev.Reading, int, bool]] = {}
    spans: list[tuple[int, ev.Reading]] = []
    fenced, previous = False, ""
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        starts = line.strip() and (not previous.strip() or HEADING.match(previous))
        previous = line
        if fenced or not starts or index in skip or HEADING.match(line) or c.BULLET.match(line):
            continue
        if line.startswith(">") or c.ACTION_MARKER.match(line) or c.TAKEAWAY_MARKER.match(line):
            continue
        para = []
        for following in lines[index:]:
            if not following.strip() or HEADING.match(following):
                break
            para.append(following)
        first = ev.plain(para[0])
        second = ev.plain(para[1]) if len(para) > 1 else ""
        short = 0 < len(first) <= 150 and not ev.looks_like_sentence(para[0])
        if not short or (first.endswith((".", ",", ";")) and not second):
            continue
        if second and (names := ev.is_name_line(para[1])) and not ev.is_name_line(para[0]):
            reading = ev.read_line(para[0])
            if not reading.speakers:
                reading.speakers, reading.score = names, 0.8
            plan[index] = (reading, 2, False)
        elif (
            len(para) == 2
            and (names := ev.is_name_line(para[0]))
            and 0 < len(second) <= 150
            and not ev.looks_like_sentence(para[1])
            and _SPAN.match(" ".join(p.strip() for p in para))
            and re.match(r"^\s*(?:\*\*|__|~~|\[)", para[0])
        ):
            reading = ev.read_line(para[1])
            reading.speakers, reading.score = names, 0.8
            plan[index] = (reading, 2, False)
        elif (
            len(para) == 1
            and re.match(r"^\s*(?:(?:\*\*|__|~~)?\[|\*\*|__)", para[0])
            and re.search(r"(?:\*\*|__|~~|\)|\])\s*$", para[0])
            and _SPAN.match(para[0])
        ):
            spans.append((index, ev.read_line(para[0])))
    named = [index for index, reading in spans if reading.score >= 0.6]
    sessions_near = len(named) + len(plan)
    for index, reading in spans:
        if reading.score >= 0.6:
            plan[index] = (reading, 1, False)
        elif sessions_near >= 3 and len(named) * 2 >= len(spans):
            plan[index] = (reading, 1, True)
    return plan


class _Reader:
    """Walks the lines after the front matter: decides first which headings, list
    items and paragraphs open sessions (from their evidence and their siblings'),
    then reads the lines in order."""

    def __init__(self, lines: list[str], first_line: int, meta_lines: set[int]) -> None:
        self.lines, self.first_line = lines, first_line
        self.skip = {n - first_line for n in meta_lines}
        headings = [h for h in _headings(lines) if h[0] not in self.skip]
        self.items = plan_items(lines, self.skip)
        self.paragraphs = plan_paragraphs(lines, self.skip)
        self.plan = plan_headings(lines, headings, self.items, self.paragraphs)
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
            if _FENCE.match(line):
                fenced = not fenced
                self.build.add(line)
            elif fenced:
                self.build.add(line)
            elif index in self.skip:
                continue  # the title or the date line: the event's own fields
            elif index in self.plan:
                self.item_indent = None
                self.heading(line, index, number, event)
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
                    and _indent(line) <= self.item_indent
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
        session = ParsedSession(reading.title, kind, list(reading.speakers))
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
            _, label = c.open_spaces_group(flat)
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
        self.item_indent = _indent(line)

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


@dataclass
class _Decision:
    what: str  # "session", "section", "sub" (text of the section or session above), "group"
    level: int
    text: str
    reading: ev.Reading | None = None
    below: list[str] | None = None  # names on a "speaker:" line under the heading
    unsure: bool = False
    why: str = ""


_TALK_WORDS = re.compile(
    r"\b(?:(?:this|the|her|his|their|a|my\s+favou?rite)\s+(?:talk|keynote|presentation|workshop)"
    r"|(?:the\s+)?speakers?\b(?!\s*:)|(?:her|his|their)\s+slides|presented\s+by|(?:she|he|they)\s+"
    r"(?:talked|spoke|presented|showed|explained))\b",
    re.I,
)


def _first_below(lines: list[str], index: int) -> str:
    for line in lines[index + 1 : index + 4]:
        if line.strip():
            return "" if HEADING.match(line) else line
    return ""


def _speakers_below(lines: list[str], index: int) -> list[str] | None:
    seen = 0
    for line in lines[index + 1 :]:
        if HEADING.match(line):
            return None
        if not line.strip():
            continue
        seen += 1
        if names := ev.speaker_label(line):
            return names
        if seen == 1 and not c.BULLET.match(line) and (names := ev.is_name_line(line)):
            return names
        if seen == 3:
            return None
    return None


def plan_headings(lines, headings, items, paragraphs) -> dict[int, _Decision]:
    """What each heading is. A heading is a session when it names speakers or a
    kind, or a "speaker:" line follows it; the level most such headings are at is
    the session level, where a heading without evidence is a session too when its
    siblings are (most of them, or lettered like them). Sections ("Day 2",
    "Sprints"), page chrome and sentences never are."""
    infos = []
    for position, (index, level, text) in enumerate(headings):
        flat = ev.plain(text)
        role = c.heading_role(flat)
        negative = bool(
            role in {"takeaways", "actions", "section"}
            or ev.is_chrome(flat)
            or ev.is_section(flat)
            or not flat
        )
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        holds_sessions = any(index < i < end for i in [*items, *paragraphs])
        reading = ev.read_line(text)
        negative = negative or (ev.looks_like_sentence(flat) and not reading.speakers)
        negative = negative or len(reading.title) > c.MAX_TITLE
        below = _speakers_below(lines, index)
        if below and reading.score < 0.9:
            # A "speaker:" line says who: the heading is all title.
            reading = ev.read_line(text, split=False)
        evidence = max(reading.evidence, 0.8 if below else 0.0)
        chrome_below = _first_below(lines, index)
        if chrome_below and ev.is_chrome(chrome_below) and not negative:
            evidence = max(evidence, 0.5)  # a title above "Watch the talk on YouTube"
        if _TALK_WORDS.search(" ".join(lines[index + 1 : min(end, index + 6)])[:400]):
            evidence = max(evidence, 0.5)  # "In this talk …", "her slides", "the speaker"
        if holds_sessions and not reading.speakers:
            negative = True  # "Ignite talks" over a list of talks: a section, kind for them
        group = c.open_spaces_group(flat)[0] and role is None
        infos.append([index, level, text, negative, reading, below, evidence, group, role])
    counts: dict[int, int] = {}
    for _, level, _, negative, _, _, evidence, group, _ in infos:
        if not negative and (evidence >= 0.5 or group):
            counts[level] = counts.get(level, 0) + 1
    session_level = min(counts, key=lambda lvl: (-counts[lvl], lvl)) if counts else None
    plan: dict[int, _Decision] = {}
    eligible = [i for i in infos if i[1] == session_level and not i[3]]
    lettered = any(i[4].enumerated and i[6] >= 0.5 for i in eligible)
    share = counts.get(session_level, 0) / len(eligible) if eligible else 0
    for index, level, text, negative, reading, below, evidence, group, role in infos:
        decision = _Decision("sub", level, text, reading, below)
        if group and not negative and (session_level is None or level <= session_level):
            decision.what = "group"
        elif session_level is None or level < session_level:
            decision.what = "section"
        elif level == session_level:
            if negative:
                decision.what = "section"
            elif evidence >= 0.5:
                decision.what = "session"
                if reading.evidence < 0.5 and not below:
                    decision.unsure = True
                    decision.why = "no speaker: the text under it speaks of a talk"
            elif (lettered and reading.enumerated) or share >= 0.5:
                decision.what, decision.unsure = "session", True
                decision.why = "a heading like its siblings, without a speaker"
            else:
                decision.what = "section"
        elif role in {"takeaways", "actions"} and level > session_level:
            decision.what = "sub"
        plan[index] = decision
    return plan
