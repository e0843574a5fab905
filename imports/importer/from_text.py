"""Plain-text notes, as copied from a web page: no markup, so headings are recognised
from the shape of the text (docs/import-format.md)."""

import re

from imports.importer import conventions as c
from imports.importer.builder import Builder
from imports.importer.errors import ImportProblem
from imports.importer.model import OPEN_SPACE, ParsedEvent, ParsedSession

_ACTION = re.compile(r"^action\s+(?:points?|items?)\s*:\s*(?P<text>.*)$", re.IGNORECASE | re.DOTALL)
_TAKEAWAY = re.compile(r"^(?:key\s+)?take-?away\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL)
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


def _paragraphs(lines: list[str], first_line: int) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs, each with the number of its first line."""
    paragraphs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=first_line):
        if line.strip():
            if not current:
                paragraphs.append((number, current))
            current.append(line)
        elif current:
            current = []
    return paragraphs


def _short_line(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= _STANDALONE_LENGTH and not c.BULLET.match(line)


def _is_heading_shaped(lines: list[str]) -> bool:
    """A line on its own: short, not a list item, and not ending like a sentence."""
    return len(lines) == 1 and _short_line(lines[0]) and lines[0].strip()[-1] not in ".,;:!?"


def _session_line(line: str, number: int) -> ParsedSession | None:
    """A line that says it is a session: a kind marker or speakers."""
    line = line.strip()
    if not _short_line(line) or line[-1] in ".,;:":
        return None
    session, signalled = c.split_heading(line)
    return c.check_session(session, number) if signalled else None


def _speaker_line(line: str) -> list[str] | None:
    match = _SPEAKER_LINE.match(line.strip())
    return c.names_in(match["who"]) if match else None


def _text_markdown(lines: list[str]) -> list[str]:
    """A text paragraph as Markdown lines: list items get Markdown markers."""
    out: list[str] = []
    for line in lines:
        if item := c.BULLET.match(line):
            marker = item["marker"] if item["marker"][0].isdigit() else "-"
            if out and not c.BULLET.match(out[-1]):
                out.append("")  # Markdown needs a blank line before a list
            out.append(f"{marker} {item['text'].strip()}")
        else:
            out.append(line.strip())
    return [*out, ""]


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


def _head(lines: list[str], require_date: bool) -> tuple[ParsedEvent, int]:
    """The event from the first lines: a title and a date line (either order; the date
    may instead be in the title), the date line optionally with "· City, Country".
    Returns the event and the index of the first line after them."""
    heads = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()][:3]
    if not heads:
        raise ImportProblem("there is no text to import.")
    dated = next(((i, found) for i, line in heads[:2] if (found := c.date_line(line))), None)
    titled = next(((i, line) for i, line in heads if not dated or i != dated[0]), None)
    if titled is None:
        raise ImportProblem("expected the title of the notes.", line=heads[0][0] + 1)
    title_index, title = titled
    if dated:
        (starts_on, ends_on), place = dated[1]
    else:
        starts_on = ends_on = c.find_date(title)
        place = ""
        if starts_on is None and require_date:
            raise ImportProblem(
                "expected a date such as “October 31, 2019” or “14-15 October 2025” on "
                f"the first lines, not “{heads[0][1]}”.",
                line=heads[0][0] + 1,
            )
    city, country = c.city_and_country(place)
    name = c.event_name_from_title(title)
    if not name:
        raise ImportProblem("expected the title of the notes.", line=title_index + 1)
    name = c.without_year(name, starts_on.year) if starts_on else name
    event = ParsedEvent(
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        city=city or c.city_from_name(name),
        country=country,
        title=title,
    )
    return event, max(title_index, dated[0] if dated else -1) + 1


def parse_text(text: str, *, require_date: bool = True) -> ParsedEvent:
    """Read plain-text notes (conventions: docs/import-format.md)."""
    lines = text.lstrip("\ufeff").splitlines()
    event, body_start = _head(lines, require_date)
    return _Reader(_paragraphs(lines[body_start:], body_start + 1)).read(event)


class _Reader:
    def __init__(self, paragraphs: list[tuple[int, list[str]]]) -> None:
        self.paragraphs = paragraphs
        self.build = Builder()
        # intro | session | takeaways | actions | short_notes (a group of open spaces,
        # one paragraph each) | group_session (an open space of that group, under a
        # line of its own: the paragraphs that follow are its note)
        self.mode = "intro"
        self.label = ""  # the label of a group of open spaces

    def read(self, event: ParsedEvent) -> ParsedEvent:
        index = 0
        while index < len(self.paragraphs):
            number, paragraph = self.paragraphs[index]
            following = self.paragraphs[index + 1][1] if index + 1 < len(self.paragraphs) else []
            if self.paragraph(number, paragraph, following):
                index += 1  # the next paragraph was read with this one
            index += 1
        return self.build.finish(event)

    def paragraph(self, number: int, paragraph: list[str], following: list[str]) -> bool:
        """Read one paragraph; True when it also used the ``following`` one."""
        build = self.build
        joined = " ".join(line.strip() for line in paragraph)
        if len(paragraph) == 1 and c.tags_line(joined):
            build.add(joined)  # tags the session (or event) when first under its heading
        elif match := _ACTION.match(joined):
            self.action_points(match["text"], paragraph, number)
        elif match := _TAKEAWAY.match(joined):
            build.takeaway(match["text"], number)
            build.add_tagged(f"**Takeaway:** {match['text']}")
            build.add("")
        elif len(paragraph) == 1 and (session := _session_line(joined, number)):
            self.start(session)
        elif (
            len(paragraph) == 2
            and _is_heading_shaped(paragraph[:1])
            and (names := _speaker_line(paragraph[1]))
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
        return False

    def titled(self, title: str, names: list[str], number: int) -> ParsedSession:
        kind, rest, _ = c.kind_and_rest(title.strip())
        return c.check_session(ParsedSession(rest, kind, names), number)

    def start(self, session: ParsedSession) -> None:
        if self.mode in {"short_notes", "group_session"} and not session.session_label:
            session.session_label = self.label if session.is_open_space else ""
        self.build.start(session)
        self.mode = "session"

    def heading(self, line: str, number: int, following: list[str]) -> bool:
        """A line on its own that is not plainly a session."""
        build = self.build
        role = c.heading_role(line)
        is_group, label = c.open_spaces_group(line)
        if role is None and len(following) == 1 and (names := _speaker_line(following[0])):
            self.start(self.titled(line, names, number))
            return True
        if role in {"takeaways", "actions"}:
            build.section(f"## {line}")
            self.mode = role
        elif is_group and role is None:
            build.section(f"## {line}")
            self.mode, self.label = "short_notes", label
        elif role == "section" or (role == "subsection" and self.mode != "session"):
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
            kind, title = c.kind_of(match["kind"]), match["title"]
            speakers, body = c.split_speakers(match["who"]), match["body"]
        elif (match := _INLINE_BY.match(joined)) and (names := c.names_in(match["who"])):
            kind, title, speakers, body = (
                c.kind_and_rest(match["title"])[0],
                match[1],
                names,
                match[3],
            )
        elif match := _INLINE_TOPIC.match(joined) or _INLINE_QUESTION.match(joined):
            kind, title, speakers, body = OPEN_SPACE, match["topic"], [], match["body"]
        else:
            return False
        label = self.label if kind == OPEN_SPACE else ""
        session = ParsedSession(title.strip(), kind, speakers, session_label=label)
        self.build.start(c.check_session(session, number))
        self.build.add(_capitalised(body.strip()))
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
        build.add_tagged(f"> **Action Point:** {text}")
        build.add("")
