"""Plain-text notes, as copied from a web page: no markup, so headings are recognised
from the shape of the text (docs/import-format.md)."""

import re

from imports.importer import conventions as c
from imports.importer import dates, head, kinds, programme
from imports.importer import evidence as ev
from imports.importer.builder import Builder
from imports.importer.markdown_plan import setext_headings
from imports.importer.model import OPEN_SPACE, ParsedEvent, ParsedSession
from talks.models import Talk

_ACTION = re.compile(
    r"^(?P<marker>action\s+(?:points?|items?)|to-?do)\s*:\s*(?P<text>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_TAKEAWAY = re.compile(
    r"^(?P<marker>(?:key\s+)?take-?away)\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL
)
# In a group of short notes: "Title by Speaker, an Ignite talk …: notes".
_INLINE_KIND = re.compile(
    r"^(?P<title>.+?)\s+by\s+(?P<who>[^,:]+),\s+an?\s+(?P<kind>ignite|lightning|keynote|workshop"
    r"|panel)\b[^:]*:\s*(?P<body>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_INLINE_BY = re.compile(
    r"^(?P<title>[^:\n]{3,120}?)\s+by\s+(?P<who>[^,:\n]+):\s+(?P<body>.+)$", re.S
)
_INLINE_TOPIC = re.compile(r"^(?P<topic>[^:\n]{3,80}):\s+(?P<body>.+)$", re.DOTALL)
_INLINE_QUESTION = re.compile(r"^(?P<topic>[^?:\n]{3,100}\?)\s+(?P<body>.+)$", re.DOTALL)
# The line under a title that names its speakers: "by Ann Example", "Speaker: Ann Example".
_SPEAKER_LINE = re.compile(
    r"^(?:speakers?\s*:|presented\s+by|by|with|[\u2014\u2013-])?\s*(?P<who>.+)$", re.IGNORECASE
)
_STANDALONE_LENGTH = 150
# "There was a lot said. Key takeaways:", "Lessons:", "Things to try:" over a list.
_INTRO = {
    "takeaways": re.compile(
        r"(?:^|[.!?]\s+|\b(?:my|main|key|three|some)\s+)(?:key\s+)?(?:take-?aways|lessons(?:\s+learned)?"
        r"|learnings)\s*:\s*$",
        re.I,
    ),
    "actions": re.compile(
        r"(?:^|[.!?]\s+|\b)(?:action\s+(?:points|items)|to-?dos?|things\s+to\s+try|next\s+steps)\s*:\s*$",
        re.I,
    ),
}


# Text that opens by speaking of a talk: "In this talk, …", "Ann's keynote was …".
_TALK_OPENING = re.compile(
    r"^.{0,40}?\b(?:this|the|her|his|their|[^\W\d_]+['\u2019]s)\s+(?:talk|keynote|presentation)\b",
    re.I,
)


def _list_intro(line: str) -> str | None:
    for what, pattern in _INTRO.items():
        if pattern.search(line.strip()):
            return what
    return None


_MARKER_LINE = re.compile(
    r"^\s*(?:(?:key\s+)?take-?aways?|action\s+(?:points?|items?)|to-?do)\s*:", re.IGNORECASE
)


def _paragraphs(lines: list[str], first_line: int) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs, each with the number of its first line. A
    "Takeaway:" or "Action point:" line starts a paragraph of its own, and so does
    the text right under a session's title line (with its speaker line, if any)."""
    paragraphs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=first_line):
        if line.strip():
            if current and _MARKER_LINE.match(line) and not c.BULLET.match(current[-1]):
                current = []
            if not current:
                paragraphs.append((number, current))
            current.append(line)
        elif current:
            current = []
    split: list[tuple[int, list[str]]] = []
    for number, paragraph in paragraphs:
        head = _title_head(paragraph)
        if head and len(paragraph) > head:
            split += [(number, paragraph[:head]), (number + head, paragraph[head:])]
        else:
            split.append((number, paragraph))
    return split


def _title_head(paragraph: list[str]) -> int:
    """How many lines at the top of ``paragraph`` are a session's title (and its
    speaker line) with the text following directly: 0 when they are not."""
    if len(paragraph) < 2 or c.BULLET.match(paragraph[0]):
        return 0
    first = paragraph[0].strip()
    if _is_heading_shaped(paragraph[:1]) and ev.is_chrome(paragraph[1]):
        return 1  # a title, then "Watch the talk on YouTube"
    if _is_heading_shaped(paragraph[:1]) and _speaker_line(paragraph[1]):
        head = 2
    elif _session_line(first, None):
        head = 1
    else:
        return 0
    following = paragraph[head].strip() if len(paragraph) > head else ""
    # Prose wrapped by hand goes on in lower case; text under a title starts afresh.
    return head if not following or following[0].isupper() or following[0] in "\"“'(•-*" else 0


def _short_line(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= _STANDALONE_LENGTH and not c.BULLET.match(line)


def _is_heading_shaped(lines: list[str]) -> bool:
    """A line on its own: short, not a list item, and not ending like a sentence."""
    return len(lines) == 1 and _short_line(lines[0]) and lines[0].strip()[-1] not in ".,;:!?"


def _session_line(line: str, number: int) -> ParsedSession | None:
    """A line that says it is a session: a kind marker or speakers that look like
    people's names (``evidence.read_line``)."""
    line = line.strip()
    if not _short_line(line) or line[-1] in ",;:" or ev.looks_like_sentence(line):
        return None
    if ev.is_chrome(line) or ev.is_section(line) or c.heading_role(line):
        return None
    reading = ev.read_line(line)
    if reading.score < 0.5 and not (reading.kind_marked and not ev.kind_alone(line)):
        return None
    session = ParsedSession(
        reading.title, reading.kind, list(reading.speakers), starts_at=reading.starts_at
    )
    return c.check_session(session, number)


def _speaker_line(line: str) -> list[str] | None:
    return ev.speaker_label(line) or ev.is_name_line(line)


def _text_markdown(lines: list[str]) -> list[str]:
    """A text paragraph as Markdown lines: list items get Markdown markers, nested
    items stay nested (by their indent), and an indented line under an item stays
    part of it."""
    out: list[str] = []
    indents: list[int] = []  # the indents of the open list levels
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if item := c.BULLET.match(line):
            marker = item["marker"] if item["marker"][0].isdigit() else "-"
            while indents and indent < indents[-1]:
                indents.pop()
            if not indents or indent > indents[-1]:
                indents.append(indent)
            opens_list = len(indents) == 1
            if out and opens_list and not c.BULLET.match(out[-1]) and out[-1][:1] != " ":
                out.append("")  # Markdown needs a blank line before a list
            out.append(f"{'  ' * (len(indents) - 1)}{marker} {item['text'].strip()}")
        elif indents and indent > indents[0]:
            out.append(f"{'  ' * len(indents)}{line.strip()}")
        else:
            indents = []
            out.append(line.strip())
    return [*out, ""]


def _timed(line: str) -> bool:
    return line[:1].isdigit() and programme.split_time(line.strip())[0] is not None


def _item_text(line: str) -> str:
    bullet = c.BULLET.match(line)
    return bullet["text"] if bullet else line.strip()


def _list_items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if item := c.BULLET.match(line):
            items.append(item["text"].strip())
        elif items:
            items[-1] += " " + line.strip()
    return items


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _head(lines: list[str], file_name: str) -> ParsedEvent:
    """The event from the first lines: a title line and a date line, in either order
    (the date may instead be in the title, the file's name, or missing), the date line
    optionally with "· City, Country". A first line that is prose is no title."""
    first = head.useful_lines(lines, 1, limit=4)
    title, title_line = "", None
    for number, line in first[:3]:
        if c.date_line(line) or (dates.find(line) and len(line) < 40):
            continue
        if not ev.looks_like_sentence(line) and len(line) <= 120 and line[-1] not in ".,;":
            title, title_line = line, number
        break
    event = ParsedEvent(name="", starts_on=None, ends_on=None, title=title)
    if title_line:
        event.meta_lines.add(title_line)
    prose = " ".join(t for _, t in head.useful_lines(lines, 1, limit=30))
    head.settle(
        event,
        file_name=file_name,
        name_sources=[(title, title_line)] if title else [],
        date_sources=[],
        first_lines=[(n, t) for n, t in first[:4] if n != title_line],
        prose=prose,
    )
    for number, line in first[:4]:
        if number in event.meta_lines and (found := c.date_line(line)) and found[1]:
            event.city, event.country = c.city_and_country(found[1])
    event.city = event.city or head.city_in(event.name)
    return event


def parse_text(text: str, *, require_date: bool = True, file_name: str = "") -> ParsedEvent:
    """Read plain-text notes (conventions: docs/import-format.md). Never refuses a
    document for its shape: a missing date or name becomes a guess in ``unsure``."""
    lines = text.lstrip("\ufeff").splitlines()
    for index in setext_headings(lines):
        lines[index + 1] = ""  # "Title" over "=====": the title stands alone
    event = _head(lines, file_name)
    body = ["" if number in event.meta_lines else line for number, line in enumerate(lines, 1)]
    return _Reader(_paragraphs(body, 1)).read(event)


class _Reader:
    def __init__(self, paragraphs: list[tuple[int, list[str]]]) -> None:
        self.paragraphs = paragraphs
        self.build = Builder()
        # intro | session | takeaways | actions | short_notes (a group of open spaces,
        # one paragraph each) | group_session (an open space of that group, under a
        # line of its own: the paragraphs that follow are its note)
        self.mode = "intro"
        self.label = ""  # the label of a group of open spaces
        self.list_until_text = False  # a list announced by "Key takeaways:" ends with text
        self.doubts: list[tuple[str, int]] = []
        self.mode_before = "intro"

    def read(self, event: ParsedEvent) -> ParsedEvent:
        index = 0
        while index < len(self.paragraphs):
            number, paragraph = self.paragraphs[index]
            following = self.paragraphs[index + 1][1] if index + 1 < len(self.paragraphs) else []
            if self.paragraph(number, paragraph, following):
                index += 1  # the next paragraph was read with this one
            index += 1
        for title, number in self.doubts:
            event.doubt(
                "session", title, "a title without a speaker, over text about a talk", number
            )
        return self.build.finish(event)

    def paragraph(self, number: int, paragraph: list[str], following: list[str]) -> bool:
        """Read one paragraph; True when it also used the ``following`` one."""
        build = self.build
        joined = " ".join(line.strip() for line in paragraph)
        if self.list_until_text and not c.BULLET.match(paragraph[0]):
            self.mode, self.list_until_text = self.mode_before, False
        if talks := self.talk_list(paragraph, number):
            for session, lines in talks:
                if session is None:
                    if _timed(lines[0]):
                        build.leave_to_section()  # "12:30 Lunch": the day's, not a talk's
                    for line in _text_markdown(lines):
                        build.add(line)
                    continue
                self.start(session)
                for line in _text_markdown(lines):
                    build.add(line)
            build.leave_to_section()
            self.mode = "intro"
            return False
        if len(paragraph) == 1 and c.tags_line(joined):
            build.add(joined)  # tags the session (or event) when first under its heading
        elif match := _ACTION.match(joined):
            self.action_points(match["text"], paragraph, number)
        elif match := _TAKEAWAY.match(joined):
            build.takeaway(match["text"], number)
            build.add_tagged(f"**{_capitalised(match['marker'])}:** {match['text']}")
            build.add("")
        elif len(paragraph) == 1 and (session := _session_line(joined, number)):
            self.start(session, joined)
        elif (
            len(paragraph) == 2
            and _is_heading_shaped(paragraph[:1])
            and (names := _speaker_line(paragraph[1]))
            and not c.heading_role(paragraph[0].strip())
        ):
            self.start(self.titled(paragraph[0], names, number))
        elif _is_heading_shaped(paragraph):
            return self.heading(joined, number, following)
        elif self.mode == "short_notes" and self.inline_session(joined, number):
            pass
        elif self.mode in {"takeaways", "actions"} and c.BULLET.match(paragraph[0]):
            for item in _list_items(paragraph):
                if self.mode == "takeaways":
                    build.takeaway(item, number)
                else:
                    build.action_point(item, number)
            for line in _text_markdown(paragraph):
                build.add_tagged(line)
        else:
            if self.mode == "actions":
                self.mode = "intro"
            for line in _text_markdown(paragraph):
                build.add(line, to_event=self.mode == "short_notes")
            if what := _list_intro(paragraph[-1]):
                self.mode_before = self.mode
                self.mode, self.list_until_text = what, True
        return False

    def talk_list(
        self, paragraph: list[str], number: int
    ) -> list[tuple[ParsedSession | None, list[str]]] | None:
        """A list whose items are talks ("Title by Ann.", "Ann - Title"), each
        item with its indented lines; None when the paragraph is not one."""
        items: list[tuple[int, list[str]]] = []  # (indent, lines)
        lead: list[str] = []  # "Here are some notes:" before the list
        # A programme without bullets: "09:30 Title - Ann" lines are its items.
        timed = len(paragraph) > 1 and not any(c.BULLET.match(line) for line in paragraph)
        timed = timed and sum(_timed(line) for line in paragraph) >= 2
        for line in paragraph:
            if c.BULLET.match(line) or (timed and _timed(line)):
                items.append((len(line) - len(line.lstrip()), [line]))
            elif items:
                items[-1][1].append(line)
            else:
                lead.append(line)
        by_indent: dict[int, list[int]] = {}
        for position, (indent, _) in enumerate(items):
            by_indent.setdefault(indent, []).append(position)
        talks: dict[int, ParsedSession] = {}
        for positions in by_indent.values():
            if len(positions) < 2:
                continue
            texts = [_item_text(items[p][1][0]) for p in positions]
            strict = [ev.read_line(t) for t in texts]
            loose = [ev.read_line(t, loose=True) for t in texts]
            if sum(r.score >= 0.5 for r in strict) >= 2 and sum(
                bool(r.speakers) for r in loose
            ) * 2 >= len(positions):
                for position, reading in zip(positions, loose, strict=True):
                    if reading.speakers and not ev.looks_like_sentence(reading.title):
                        session = ParsedSession(
                            reading.title,
                            reading.kind,
                            reading.speakers,
                            starts_at=reading.starts_at,
                        )
                        talks[position] = c.check_session(session, number + position)
        announced = " ".join([*lead, self.build.label])
        if not talks or ev.READING_LIST.search(announced):
            return None
        if lead and (kind := ev.kind_alone(ev.plain(lead[-1]).rstrip(": "))):
            for session in talks.values():  # "Lightning talks:" over the list
                session.kind = kind if session.kind == Talk.Kind.TALK else session.kind
        found = [(talks.get(p), lines) for p, (_, lines) in enumerate(items)]
        return [(None, lead), *found] if lead else found

    def titled(self, title: str, names: list[str], number: int) -> ParsedSession:
        kind, rest, _ = kinds.kind_and_rest(title.strip())
        return c.check_session(ParsedSession(rest, kind, names), number)

    def start(self, session: ParsedSession, line: str = "") -> None:
        if self.mode in {"short_notes", "group_session"} and not session.session_label:
            session.session_label = self.label if session.is_open_space else ""
        self.build.start(session, line)
        self.mode = "session"

    def heading(self, line: str, number: int, following: list[str]) -> bool:
        """A line on its own that is not plainly a session."""
        build = self.build
        role = c.heading_role(line)
        is_group, label = kinds.open_spaces_group(line)
        if role is None and len(following) == 1 and (names := _speaker_line(following[0])):
            self.start(self.titled(line, names, number))
            return True
        opens_talk = bool(following) and bool(_TALK_OPENING.match(" ".join(following)[:120]))
        if (
            role is None
            and not is_group
            and self.mode not in {"short_notes", "group_session"}
            and following
            and (ev.is_chrome(following[0]) or opens_talk)
            and not ev.is_chrome(line)
            and not ev.is_section(line)
        ):
            # Every talk followed by "Watch the talk on YouTube": the page's shape says
            # the line above is a session's title.
            reading = ev.read_line(line)
            session = ParsedSession(reading.title, reading.kind, starts_at=reading.starts_at)
            self.start(c.check_session(session, number))
            self.doubts.append((reading.title, number))
            return False
        if role in {"takeaways", "actions"}:
            build.section(f"## {line}")
            self.mode = role
        elif is_group and role is None:
            build.section(f"## {line}")
            self.mode, self.label = "short_notes", label
        elif role == "section" or (role == "subsection" and self.mode != "session"):
            build.section(f"## {line}")
            self.mode = "intro"
        elif programme.day_hint(line) or programme.room_of_section(line):
            # "Tuesday", "Room B": where the sessions after it ran, even after a talk.
            build.section(f"## {line}")
            self.mode = "intro"
        elif self.mode in {"short_notes", "group_session"}:
            session = ParsedSession(line, OPEN_SPACE, session_label=self.label)
            build.start(c.check_session(session, number))
            self.mode = "group_session"
        elif self.mode == "session":
            build.add(f"### {line}")
            build.add("")
        else:
            build.section(f"## {line}")
            self.mode = "intro"
        return False

    def inline_session(self, joined: str, number: int) -> bool:
        """One paragraph, one session, in a group of short notes."""
        if match := _INLINE_KIND.match(joined):
            kind, title = kinds.kind_of(match["kind"]), match["title"]
            speakers, _body = c.split_speakers(match["who"]), match["body"]
        elif (match := _INLINE_BY.match(joined)) and (names := c.names_in(match["who"])):
            kind, title, speakers = kinds.kind_and_rest(match["title"])[0], match[1], names
        elif match := _INLINE_TOPIC.match(joined) or _INLINE_QUESTION.match(joined):
            kind, title, speakers = OPEN_SPACE, match["topic"], []
        else:
            return False
        label = self.label if kind == OPEN_SPACE else ""
        session = ParsedSession(title.strip(), kind, speakers, session_label=label)
        self.build.start(c.check_session(session, number))
        self.build.add(joined.strip())
        self.build.add("")
        return True

    def action_points(self, text: str, paragraph: list[str], number: int) -> None:
        """An "Action Point: …" paragraph, or "Action points:" over a list."""
        build = self.build
        first = _ACTION.match(paragraph[0].strip())
        if first and not first["text"].strip():
            items = _list_items(paragraph[1:])
            for item in items:
                build.action_point(item, number)
            for line in _text_markdown(paragraph):
                build.add_tagged(line)
            if not items:
                self.mode = "actions"
            return
        build.action_point(text, number)
        marker = first["marker"] if first else "Action Point"
        build.add_tagged(f"> **{_capitalised(marker)}:** {text}")
        build.add("")
