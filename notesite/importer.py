"""A first, simple import of conference notes: one attendee's write-up of one event,
as Markdown with YAML front matter or as plain text copied from a web page, into
events, talks, open spaces, notes, takeaways and action points.

``parse_markdown`` and ``parse_text`` turn a document into a ``ParsedEvent`` without
touching the database; ``save_parsed`` writes it. docs/demo-format.md shows both
shapes with examples. The conventions recognised:

Markdown (``parse_markdown``)
    Front matter: ``title``; ``event`` (else the event name is the title without
    "Notes from …", "…, day two", "… conference notes"; either way without a trailing
    start year, which the site shows next to the name); ``starts_on`` and ``ends_on``
    (else ``date``, else the first date written in the description or the title);
    ``city``, ``country``, ``venue``, ``website``, ``description``, ``tags``.
    Each ``#`` or ``##`` heading starts a session, written ``Title: _Speaker and
    Other Speaker_``. A ``Keynote:``, ``Ignite:`` (or ``Ignite Session:``,
    ``Lightning:``), ``Workshop:``, ``Panel:`` or ``Open Space:`` prefix sets its kind,
    and so does a trailing "Open Session" / "Open Space"; the "speaker" of an open
    space is its convenor. Deeper headings stay in the session's note.

Plain text (``parse_text``)
    The first line is a date or a range ("October 31, 2019", "14-15 October 2025",
    "2025-10-14 to 2025-10-15"), optionally followed by ``· City, Country``; the next
    line is the title, from which the event name comes as above. A line on its own
    written ``Title—Speaker`` (an em dash) starts a session, with the same kind
    prefixes; ``Open space: Topic`` on its own starts an open space with no convenor.
    Under a line on its own that mentions open spaces ("Short notes from the open
    spaces"), each paragraph ``Topic: notes`` is an open space, and ``Title by
    Speaker, an Ignite talk …: notes`` a talk of that kind. Any other short line on
    its own (no final punctuation) is a sub-heading. Lines starting with ``•``, ``-``,
    ``*`` or ``1.`` are list items.

Both shapes
    - A heading (or, in text, a line on its own) mentioning takeaways starts the
      event's takeaways: each list item under it is a takeaway of the event. Under a
      session, ``### Takeaways`` does the same for that session, and so does, in
      text, a ``Takeaway: …`` paragraph.
    - ``> **Action Point:** …`` (Markdown) or an ``Action Point: …`` paragraph
      (text) is an action point of the session it is under, or of the event. Its
      first sentence is the title; when there is more, the whole text is the details.
    - ``#tag`` words at the end of a takeaway or an action point are its tags.
    - ``Tags: a, b`` as the first line under a session heading tags the session; as
      the first line after a text title, it tags the event.
    - Text before the first session, and the event's takeaways section, make the
      author's note on the event as a whole; the text under a session, their note on
      that session.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

import yaml
from django.db import transaction

from actions.models import ActionPoint, ActionPointChange
from actions.services import save_action_point
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk

OPEN_SPACE = "open_space"

# Field limits, checked while parsing so that an error can say which line.
MAX_TITLE = 300
MAX_NAME = 200
MAX_TAKEAWAY = 500
# Action point titles are the first sentence, shortened to this when it runs on.
ACTION_TITLE_LENGTH = 200


class ParseError(ValueError):
    """A document the parser cannot read; the message says what and where."""


@dataclass
class ParsedSession:
    """A talk (``kind`` one of ``Talk.Kind``) or an open space (``kind == OPEN_SPACE``,
    ``speakers`` then being its convenors)."""

    title: str
    kind: str = Talk.Kind.TALK
    speakers: list[str] = field(default_factory=list)
    body: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def is_open_space(self) -> bool:
        return self.kind == OPEN_SPACE


@dataclass
class ParsedTakeaway:
    text: str
    source: str | None = None  # the session's title; None for the event as a whole
    tags: list[str] = field(default_factory=list)


@dataclass
class ParsedActionPoint:
    title: str
    details: str = ""
    source: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class ParsedEvent:
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    city: str = ""
    country: str = ""
    venue: str = ""
    website: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    title: str = ""  # the document's title: the title of the note on the whole event
    intro: str = ""  # that note's Markdown
    sessions: list[ParsedSession] = field(default_factory=list)
    takeaways: list[ParsedTakeaway] = field(default_factory=list)
    action_points: list[ParsedActionPoint] = field(default_factory=list)


# --- Shared patterns -------------------------------------------------------------

_KIND_PREFIX = re.compile(
    r"^(?P<marker>keynote|ignite(?:\s+(?:session|talk))?|lightning(?:\s+talk)?|workshop|panel"
    r"|open\s+(?:space|session))\s*:\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_OPEN_SPACE_SUFFIX = re.compile(r"^(?P<rest>.+?)[\s:\u2013\u2014-]+open\s+(?:space|session)$", re.I)
_SPEAKER_SPLIT = re.compile(r"\s*,\s*and\s+|\s*,\s*|\s+and\s+|\s*&\s*")
_TAKEAWAYS = re.compile(r"\btake-?aways?\b", re.IGNORECASE)
_OPEN_SPACES = re.compile(r"\bopen[\s-]+spaces?\b", re.IGNORECASE)
_TAGS_LINE = re.compile(r"^tags:\s*(?P<tags>.+)$", re.IGNORECASE)
_HASHTAGS = re.compile(r"(?:\s+#[^\W\d_][\w-]*)+\s*$")
_BULLET = re.compile(r"^\s*(?P<marker>[-*+•]|\d+[.)])\s+(?P<text>.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“'(\[])")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`|(?<!\w)[*_]|[*_](?!\w))")
_TITLE_PREFIX = re.compile(
    r"^(?:my\s+)?(?:notes|takeaways|thoughts)\s+(?:from|on|about)\s+", re.IGNORECASE
)
_TITLE_SUFFIX = re.compile(
    r"(?:[\s,:\u2013\u2014-]+(?:day\s+(?:one|two|three|four|five|\d+)|(?:conference\s+)?notes|recap))+$",
    re.IGNORECASE,
)
_KINDS = {
    "keynote": Talk.Kind.KEYNOTE,
    "ignite": Talk.Kind.IGNITE,
    "lightning": Talk.Kind.IGNITE,
    "workshop": Talk.Kind.WORKSHOP,
    "panel": Talk.Kind.PANEL,
    "open": OPEN_SPACE,
}

# --- Dates -------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y")
_DATE_IN_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}|\b\d{1,2}\s+[A-Z][a-z]+\.?,?\s+\d{4}|\b[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}"
)
_DAYS_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*-\s*(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAYS_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})\s*-\s*(\d{1,2}),?\s+(\d{4})$")


def parse_date(text: str) -> datetime.date | None:
    """A date written as 2025-10-14, 14 October 2025, 14 Oct 2025 or October 14, 2025."""
    text = re.sub(r"\s+", " ", text.strip().rstrip(".")).replace(".", "")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_date_range(text: str) -> tuple[datetime.date, datetime.date] | None:
    """One date, or a range: "14-15 October 2025", "October 14-15, 2025",
    "2025-10-14 to 2025-10-15", "30 September - 1 October 2025" (en dashes too)."""
    text = re.sub(r"\s*[\u2013\u2014]\s*", " - ", text.strip()).replace(" to ", " - ")
    if single := parse_date(text):
        return single, single
    for pattern, order in ((_DAYS_MONTH_YEAR, (0, 1, 2, 3)), (_MONTH_DAYS_YEAR, (1, 2, 0, 3))):
        if match := pattern.match(text):
            first, last, month, year = (match.groups()[i] for i in order)
            starts, ends = (
                parse_date(f"{first} {month} {year}"),
                parse_date(f"{last} {month} {year}"),
            )
            if starts and ends:
                return starts, ends
    if " - " in text:
        first, _, last = text.partition(" - ")
        ends = parse_date(last)
        starts = parse_date(first) or (ends and parse_date(f"{first} {ends.year}"))
        if starts and ends:
            return starts, ends
    return None


def find_date(text: str) -> datetime.date | None:
    """The first date written anywhere in ``text``."""
    for match in _DATE_IN_TEXT.finditer(text):
        if found := parse_date(match.group()):
            return found
    return None


def _to_date(value, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if found := parse_date(str(value)):
        return found
    raise ParseError(f"{where}: “{value}” is not a date (write it as 2026-04-16).")


# --- Small text helpers ------------------------------------------------------------


def event_name_from_title(title: str) -> str:
    """ "My notes from DevOpsDays Oslo, Day Two" -> "DevOpsDays Oslo"."""
    name = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", title.strip()))
    name = re.sub(rf"[\s,:\u2013\u2014-]+(?:{_DATE_IN_TEXT.pattern})$", "", name)
    return name.strip(" ,:-\u2013\u2014")


def without_year(name: str, year: int) -> str:
    """The event name without a trailing start year: the site shows the year next to
    the name (and puts it in the slug), and staff enter names without it."""
    return re.sub(rf"[\s,]+{year}$", "", name.strip()) or name


def split_tags(text: str) -> list[str]:
    """The trailing ``#tag`` words: ["a", "b"] from "Some text. #a #b"."""
    match = _HASHTAGS.search(text)
    if not match:
        return []
    return [word.lstrip("#") for word in match.group().split()]


def strip_tags(text: str) -> str:
    return _HASHTAGS.sub("", text).rstrip()


def split_speakers(text: str) -> list[str]:
    return [name.strip(" _*") for name in _SPEAKER_SPLIT.split(text.strip()) if name.strip(" _*")]


def _comma_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    text = str(value)
    return [item.strip() for item in re.split(r"," if "," in text else r"\s+", text) if item]


def _plain(markdown: str) -> str:
    """Markdown reduced to plain text, for titles: links become their text."""
    return re.sub(r"\s+", " ", _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", markdown))).strip()


def _action_point(text: str, source: str | None) -> ParsedActionPoint:
    """Title from the first sentence; the whole text as details when there is more."""
    body = strip_tags(text)
    plain = _plain(body)
    title = _SENTENCE_END.split(plain, maxsplit=1)[0].rstrip(".")
    if len(title) > ACTION_TITLE_LENGTH:
        title = title[:ACTION_TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    # Kept when there is more than the title, links included.
    details = "" if body.rstrip(".") == title else body
    return ParsedActionPoint(title=title, details=details, source=source, tags=split_tags(text))


def _kind_and_rest(text: str) -> tuple[str, str, bool]:
    """(kind, text without the marker, whether a marker was found)."""
    if match := _KIND_PREFIX.match(text):
        marker = match["marker"].split()[0].lower()
        return _KINDS[marker], match["rest"].strip(), True
    if match := _OPEN_SPACE_SUFFIX.match(text):
        return OPEN_SPACE, match["rest"].strip(), True
    return Talk.Kind.TALK, text.strip(), False


def _check_session(session: ParsedSession, line: int) -> ParsedSession:
    if not session.title:
        raise ParseError(f"line {line}: a session heading needs a title.")
    if len(session.title) > MAX_TITLE:
        raise ParseError(f"line {line}: a session title is at most {MAX_TITLE} characters.")
    names = [", ".join(session.speakers)] if session.is_open_space else session.speakers
    if any(len(name) > MAX_NAME for name in names):
        raise ParseError(f"line {line}: a speaker's name is at most {MAX_NAME} characters.")
    return session


class _Builder:
    """Collects sessions, notes, takeaways and action points while a parser walks
    through a document; the parsers decide what each line is."""

    def __init__(self) -> None:
        self.sessions: list[ParsedSession] = []
        self.takeaways: list[ParsedTakeaway] = []
        self.action_points: list[ParsedActionPoint] = []
        self.event_tags: list[str] = []
        self.current: ParsedSession | None = None
        self._lines: dict[int, list[str]] = {}  # each session's note, by id(session)
        self._intro: list[str] = []
        self._heading = ""  # a section heading of the event's note, not yet written

    def start(self, session: ParsedSession) -> None:
        """Make ``session`` current; the same title twice continues the first one."""
        for seen in self.sessions:
            if seen.title.casefold() == session.title.casefold() and (
                seen.is_open_space == session.is_open_space
            ):
                self.current = seen
                return
        self.sessions.append(session)
        self._lines[id(session)] = []
        self.current = session

    def leave(self) -> None:
        self.current = None

    @property
    def source(self) -> str | None:
        return self.current.title if self.current else None

    def section(self, heading: str) -> None:
        """Start a section of the event's note; its heading is written only once
        something is written under it."""
        self._heading = heading

    def add(self, line: str, *, to_event: bool = False) -> None:
        """Add a line to the current session's note (or the event's)."""
        session = None if to_event else self.current
        lines = self._lines[id(session)] if session else self._intro
        if session is None and self._heading and line.strip():
            lines.extend(["", self._heading, ""])
            self._heading = ""
        if not any(existing.strip() for existing in lines) and (match := _TAGS_LINE.match(line)):
            tags = [tag.strip() for tag in match["tags"].split(",") if tag.strip()]
            (session.tags if session else self.event_tags).extend(tags)
            return
        lines.append(line)

    def add_tagged(self, line: str) -> None:
        """Add a line of a takeaway or action point, without its #tags (nor the line,
        when it held nothing else)."""
        stripped = strip_tags(line)
        if stripped.strip(" >"):
            self.add(stripped)

    def takeaway(self, text: str, line: int) -> None:
        clean = re.sub(r"\s+", " ", strip_tags(text)).strip()
        if len(clean) > MAX_TAKEAWAY:
            raise ParseError(
                f"line {line}: a takeaway is at most {MAX_TAKEAWAY} characters "
                f"(this one has {len(clean)}); split it or move the detail into the note."
            )
        if clean:
            self.takeaways.append(ParsedTakeaway(clean, self.source, split_tags(text)))

    def action_point(self, text: str) -> None:
        if _plain(strip_tags(text)):
            self.action_points.append(_action_point(text, self.source))

    def finish(self, event: ParsedEvent) -> ParsedEvent:
        for session in self.sessions:
            session.body = _join(self._lines[id(session)])
        event.intro = _join(self._intro)
        event.tags = event.tags or self.event_tags
        event.sessions, event.takeaways = self.sessions, self.takeaways
        event.action_points = self.action_points
        return event


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()


def _check_event(event: ParsedEvent) -> ParsedEvent:
    if len(event.name) > MAX_NAME:
        raise ParseError(f"The event name is at most {MAX_NAME} characters.")
    if len(event.title) > MAX_TITLE:
        raise ParseError(f"The title is at most {MAX_TITLE} characters.")
    for label, value, limit in (("city", event.city, 100), ("country", event.country, 100)):
        if len(value) > limit:
            raise ParseError(f"The {label} is at most {limit} characters.")
    if len(event.venue) > MAX_NAME:
        raise ParseError(f"The venue is at most {MAX_NAME} characters.")
    if event.ends_on < event.starts_on:
        raise ParseError(f"The event ends ({event.ends_on}) before it starts ({event.starts_on}).")
    return event


# --- Markdown ----------------------------------------------------------------------

_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_MD_SPEAKERS = re.compile(r"^(?P<title>.+?)\s*:\s*(?P<mark>[_*])(?P<who>[^_*]+)(?P=mark)\s*$")
_MD_ACTION = re.compile(r"^>\s*\*\*action\s+points?:?\*\*:?\s*(?P<text>.*)$", re.IGNORECASE)


def _front_matter(text: str) -> tuple[dict, list[str], int]:
    """(front matter, the lines after it, line number of the first of them)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, lines, 1
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in {"---", "..."}:
            try:
                meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as error:
                raise ParseError(f"The front matter is not valid YAML: {error}") from None
            if not isinstance(meta, dict):
                raise ParseError("The front matter must be a set of `key: value` lines.")
            return meta, lines[end + 1 :], end + 2
    raise ParseError("line 1: the front matter starts with --- but never ends with ---.")


def _markdown_session(heading: str, line: int) -> ParsedSession:
    kind, rest, _ = _kind_and_rest(heading)
    speakers: list[str] = []
    if match := _MD_SPEAKERS.match(rest):
        rest, speakers = match["title"].strip(), split_speakers(match["who"])
        if kind == Talk.Kind.TALK:
            kind, rest, _ = _kind_and_rest(rest)
    return _check_session(ParsedSession(title=rest, kind=kind, speakers=speakers), line)


def parse_markdown(text: str) -> ParsedEvent:
    """Read Markdown notes with YAML front matter (conventions: module docstring)."""
    meta, lines, first_line = _front_matter(text)
    title = str(meta.get("title") or "").strip()
    if not meta:
        # No front matter: a leading "# Title" is the document's title.
        for index, line in enumerate(lines):
            if line.strip():
                if (heading := _HEADING.match(line)) and heading["hashes"] == "#":
                    title, lines = heading["text"], lines[index + 1 :]
                    first_line += index + 1
                break
    name = str(meta.get("event") or "").strip() or event_name_from_title(title)
    if not name:
        raise ParseError("No event name: add `event:` or `title:` to the front matter.")
    description = str(meta.get("description") or "").strip()
    starts_on = (
        _to_date(meta.get("starts_on"), "starts_on")
        or _to_date(meta.get("date"), "date")
        or find_date(f"{description} {title}")
    )
    if starts_on is None:
        raise ParseError("No date: add `date:` (or `starts_on:`) to the front matter.")
    event = ParsedEvent(
        name=without_year(name, starts_on.year),
        starts_on=starts_on,
        ends_on=_to_date(meta.get("ends_on"), "ends_on") or starts_on,
        city=str(meta.get("city") or "").strip(),
        country=str(meta.get("country") or "").strip(),
        venue=str(meta.get("venue") or "").strip(),
        website=str(meta.get("website") or "").strip(),
        description=description,
        tags=_comma_list(meta.get("tags")),
        title=title,
    )

    build = _Builder()
    in_takeaways = False  # under a takeaways heading: list items are takeaways
    index = 0
    while index < len(lines):
        line, number = lines[index], first_line + index
        index += 1
        if (heading := _HEADING.match(line)) and heading["text"] != title:
            level, heading_text = len(heading["hashes"]), heading["text"]
            if level <= 2 and not _TAKEAWAYS.search(heading_text):
                build.start(_markdown_session(heading_text, number))
                in_takeaways = False
                continue
            if _TAKEAWAYS.search(heading_text):
                if level <= 2:
                    build.leave()
                in_takeaways = True
            elif build.current:
                in_takeaways = False
            build.add(line)
        elif match := _MD_ACTION.match(line):
            parts = [match["text"]]
            build.add_tagged(line)
            while index < len(lines) and lines[index].startswith(">"):
                if _MD_ACTION.match(lines[index]):
                    break
                parts.append(lines[index].lstrip(">").strip())
                build.add_tagged(lines[index])
                index += 1
            build.action_point(" ".join(part for part in parts if part))
        elif in_takeaways and (item := _BULLET.match(line)):
            parts = [item["text"]]
            build.add_tagged(line)
            while index < len(lines) and _continues_item(lines[index]):
                parts.append(lines[index].strip())
                build.add_tagged(lines[index])
                index += 1
            build.takeaway(" ".join(parts), number)
        else:
            build.add(line)
    return _check_event(build.finish(event))


def _continues_item(line: str) -> bool:
    """A wrapped line of the list item above (Markdown allows it unindented too)."""
    return bool(
        line.strip()
        and not _BULLET.match(line)
        and not _HEADING.match(line)
        and not line.startswith(">")
    )


# --- Plain text --------------------------------------------------------------------

_TEXT_SESSION = re.compile(r"^(?P<title>.+)—(?P<who>[^—]+)$")
_TEXT_ACTION = re.compile(r"^action\s+points?\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL)
_TEXT_TAKEAWAY = re.compile(r"^take-?away\s*:\s*(?P<text>.+)$", re.IGNORECASE | re.DOTALL)
_INLINE_TALK = re.compile(
    r"^(?P<title>.+?)\s+by\s+(?P<who>[^,:]+),\s+an?\s+(?P<kind>ignite|lightning|keynote|workshop"
    r"|panel)\b[^:]*:\s*(?P<body>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_INLINE_TOPIC = re.compile(r"^(?P<topic>[^:\n]{3,80}):\s+(?P<body>.+)$", re.DOTALL)
_DATE_LINE = re.compile(r"^(?P<when>.+?)(?:\s+[·|]\s+(?P<place>.+))?$")
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


def _is_standalone(lines: list[str]) -> bool:
    """A heading-like line: alone in its paragraph, short, not a list item, and not
    ending like a sentence."""
    line = lines[0].strip()
    return (
        len(lines) == 1
        and len(line) <= _STANDALONE_LENGTH
        and not _BULLET.match(line)
        and line[-1] not in ".,;:!?"
    )


def _text_session(line: str, number: int) -> ParsedSession | None:
    kind, rest, marked = _kind_and_rest(line)
    if match := _TEXT_SESSION.match(rest):
        title, speakers = match["title"].strip(), split_speakers(match["who"])
        if title and speakers:
            return _check_session(ParsedSession(title, kind, speakers), number)
    if marked and kind == OPEN_SPACE:
        return _check_session(ParsedSession(rest, kind), number)
    return None


def _text_markdown(lines: list[str]) -> list[str]:
    """A text paragraph as Markdown lines: list items get Markdown markers."""
    out: list[str] = []
    for line in lines:
        if item := _BULLET.match(line):
            marker = item["marker"] if item["marker"][0].isdigit() else "-"
            if out and not _BULLET.match(out[-1]):
                out.append("")  # Markdown needs a blank line before a list
            out.append(f"{marker} {item['text'].strip()}")
        else:
            out.append(line.strip())
    return [*out, ""]


def _list_items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if item := _BULLET.match(line):
            items.append(item["text"].strip())
        elif items:
            items[-1] += " " + line.strip()
    return items


def _section_kind(line: str) -> str | None:
    """What a line on its own outside the sessions starts, if anything special."""
    if _TAKEAWAYS.search(line):
        return "takeaways"
    if _OPEN_SPACES.search(line):
        return "short_notes"
    return None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def parse_text(text: str) -> ParsedEvent:
    """Read plain-text notes copied from a web page (conventions: module docstring)."""
    lines = text.lstrip("\ufeff").splitlines()
    heads = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]
    if len(heads) < 2:
        raise ParseError("Expected a date on the first line and a title on the next.")
    (date_line, date_text), (title_line, title) = heads[0], heads[1]
    date_and_place = _DATE_LINE.match(date_text)
    when, place = date_and_place["when"], date_and_place["place"] or ""
    dates = parse_date_range(when)
    if dates is None:
        raise ParseError(
            f"line {date_line}: expected a date such as “October 31, 2019” or "
            f"“14-15 October 2025”, not “{when}”."
        )
    city, _, country = place.rpartition(",") if "," in place else (place, "", "")
    event = ParsedEvent(
        name=without_year(event_name_from_title(title), dates[0].year),
        starts_on=dates[0],
        ends_on=dates[1],
        city=city.strip(),
        country=country.strip(),
        title=title,
    )
    if not event.name:
        raise ParseError(f"line {title_line}: expected the title of the notes.")

    build = _Builder()
    mode = "intro"  # intro | session | takeaways | short_notes
    for number, paragraph in _paragraphs(lines[title_line:], title_line + 1):
        joined = " ".join(line.strip() for line in paragraph)
        if len(paragraph) == 1 and _TAGS_LINE.match(joined):
            build.add(joined)  # tags the session (or event) when first under its heading
        elif match := _TEXT_ACTION.match(joined):
            build.action_point(match["text"])
            build.add_tagged(f"> **Action Point:** {match['text']}")
            build.add("")
        elif match := _TEXT_TAKEAWAY.match(joined):
            build.takeaway(match["text"], number)
            build.add_tagged(f"**Takeaway:** {match['text']}")
            build.add("")
        elif _is_standalone(paragraph):
            if session := _text_session(joined, number):
                build.start(session)
                mode = "session"
            elif mode == "session" and not _section_kind(joined):
                build.add(f"### {joined}")
                build.add("")
            else:
                build.leave()
                mode = _section_kind(joined) or "intro"
                build.section(f"## {joined}")
        elif mode == "short_notes" and (match := _INLINE_TALK.match(joined)):
            kind = _KINDS[match["kind"].lower()]
            speakers = split_speakers(match["who"])
            build.start(_check_session(ParsedSession(match["title"], kind, speakers), number))
            build.add(_capitalised(match["body"]))
            build.add("")
        elif mode == "short_notes" and (match := _INLINE_TOPIC.match(joined)):
            build.start(_check_session(ParsedSession(match["topic"].strip(), OPEN_SPACE), number))
            build.add(_capitalised(match["body"]))
            build.add("")
        elif mode == "takeaways" and _BULLET.match(paragraph[0]):
            for item in _list_items(paragraph):
                build.takeaway(item, number)
            for line in _text_markdown(paragraph):
                build.add_tagged(line)
            build.add("")
        else:
            for line in _text_markdown(paragraph):
                build.add(line, to_event=mode == "short_notes")
    return _check_event(build.finish(event))


# --- Saving ------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What ``save_parsed`` did: the event, rows created, and rows found already there."""

    event: Event | None = None
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        parts = [f"{count} {kind}" for kind, count in self.created.items() if count]
        return (
            f"created {', '.join(parts) or 'nothing'}; {sum(self.existing.values())} already there"
        )


def _get_or_create(model, summary: ImportSummary, label: str, lookup: dict, defaults: dict):
    found = model._default_manager.filter(**lookup).order_by("pk").first()
    if found is not None:
        summary.existing[label] += 1
        return found, False
    summary.created[label] += 1
    return model._default_manager.create(**defaults), True


@transaction.atomic
def save_parsed(
    parsed: ParsedEvent,
    *,
    author,
    note_status: str = Note.Status.PUBLISHED,
    via: str = ActionPointChange.Via.IMPORT,
) -> ImportSummary:
    """Write ``parsed`` as ``author``'s notes, all or nothing.

    Rows that are already there are matched and left as they are, so importing the
    same document twice adds nothing: the event by name (any case) and start date;
    a talk by title and an open space by topic within the event; a speaker by name;
    a note by author and session (for the note on the whole event, also its title,
    since one author may import day one and day two separately); a takeaway by text
    and an action point by title within the event.

    Side effects: creates the missing rows with their tags; each new action point,
    raised by ``author``, is saved through ``actions.services.save_action_point``
    and so gets its first history entry (``via``).
    """
    summary = ImportSummary()
    event, created = _get_or_create(
        Event,
        summary,
        "events",
        {"name__iexact": parsed.name, "starts_on": parsed.starts_on},
        {
            "name": parsed.name,
            "starts_on": parsed.starts_on,
            "ends_on": parsed.ends_on,
            "city": parsed.city,
            "country": parsed.country,
            "venue": parsed.venue,
            "website": parsed.website,
            "description": parsed.description,
        },
    )
    if created and parsed.tags:
        event.tags.set(parsed.tags)
    summary.event = event

    sessions: dict[str, Talk | OpenSpace] = {}
    for session in parsed.sessions:
        sessions[session.title.casefold()] = obj = _save_session(event, session, summary)
        if session.body:
            _save_note(event, obj, author, "", session.body, note_status, summary)
    if parsed.intro:
        _save_note(event, None, author, parsed.title, parsed.intro, note_status, summary)

    for takeaway in parsed.takeaways:
        source = _source(sessions, takeaway.source)
        obj, created = _get_or_create(
            Takeaway,
            summary,
            "takeaways",
            {"event": event, "text": takeaway.text},
            {"event": event, **source, "text": takeaway.text, "author": author},
        )
        if created and takeaway.tags:
            obj.tags.set(takeaway.tags)

    for parsed_action in parsed.action_points:
        if ActionPoint.objects.filter(event=event, title=parsed_action.title).exists():
            summary.existing["action points"] += 1
            continue
        action_point = ActionPoint(
            event=event,
            **_source(sessions, parsed_action.source),
            title=parsed_action.title,
            details=parsed_action.details,
            raised_by=author,
        )
        save_action_point(action_point, by=author, via=via)
        if parsed_action.tags:
            action_point.tags.set(parsed_action.tags)
        summary.created["action points"] += 1
    return summary


def _save_session(event: Event, session: ParsedSession, summary: ImportSummary):
    if session.is_open_space:
        obj, created = _get_or_create(
            OpenSpace,
            summary,
            "open spaces",
            {"event": event, "topic__iexact": session.title},
            {"event": event, "topic": session.title, "convenor": ", ".join(session.speakers)},
        )
    else:
        obj, created = _get_or_create(
            Talk,
            summary,
            "talks",
            {"event": event, "title__iexact": session.title},
            {"event": event, "title": session.title, "kind": session.kind},
        )
        if created:
            speakers = [
                _get_or_create(Speaker, summary, "speakers", {"name__iexact": n}, {"name": n})[0]
                for n in session.speakers
            ]
            obj.speakers.set(speakers)
    if created and session.tags:
        obj.tags.set(session.tags)
    return obj


def _save_note(event, session, author, title, body, status, summary) -> None:
    talk = session if isinstance(session, Talk) else None
    open_space = session if isinstance(session, OpenSpace) else None
    lookup = {"author": author, "event": event, "talk": talk, "open_space": open_space}
    if session is None:
        lookup["title"] = title
    _get_or_create(
        Note,
        summary,
        "notes",
        lookup,
        {**lookup, "title": title, "body": body, "status": status},
    )


def _source(sessions: dict[str, Talk | OpenSpace], title: str | None) -> dict:
    if title is None:
        return {}
    session = sessions.get(title.casefold())
    if session is None:
        raise ParseError(f"“{title}” is not one of the document's sessions.")
    return {"talk": session} if isinstance(session, Talk) else {"open_space": session}
