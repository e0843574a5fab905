"""Collects sessions, notes, takeaways and action points while a parser walks through
a document; the parsers decide what each line is."""

import bisect
import datetime
import re

from imports.importer import conventions as c
from imports.importer import programme
from imports.importer.errors import ImportProblem
from imports.importer.evidence import plain
from imports.importer.model import (
    ParsedActionPoint,
    ParsedEvent,
    ParsedSession,
    ParsedTakeaway,
)


class Builder:
    def __init__(self) -> None:
        self.sessions: list[ParsedSession] = []
        self.takeaways: list[ParsedTakeaway] = []
        self.action_points: list[ParsedActionPoint] = []
        self.event_tags: list[str] = []
        self.current: ParsedSession | None = None
        self._lines: dict[int, list[str]] = {}  # each session's note, by id(session)
        self._intro: list[str] = []
        self._titled: dict[tuple[str, bool], list[tuple[int, ParsedSession]]] = {}
        self._started = 0
        self._blank_until: dict[int, int] = {}  # id of a note's lines -> blank lines opening it
        self._heading = ""  # a section heading of the event's note, not yet written
        self.label = ""  # the section being read ("Day 2"), to tell same-titled sessions apart
        self._labels: dict[int, str] = {}
        # The day and room the sections read so far say, for the sessions under them.
        self.day_hint: programme.DayHint | None = None
        self.room = ""
        self._ordinals: set[int] = set()  # "Day 0" seen: the notes count from 0

    def start(self, session: ParsedSession, line: str = "") -> None:
        """Make ``session`` current; the same title twice in one section continues the
        first one, in another section ("Day 2") it is another session, named with
        the section. ``line`` is the heading it came from: when it says more than
        the title, speakers and kind (a company, a link), it opens the note."""
        self._flush_heading()
        after = -1  # the sessions of that title, in the order they were started
        while seen := self._next_titled(session, after):
            after, seen = seen
            if self._labels.get(id(seen), "") == self.label or not self.label:
                self.current = seen
                return
            session.title = f"{session.title} ({self.label})"
        self.sessions.append(session)
        self._started += 1
        self._titled.setdefault(_title_key(session), []).append((self._started, session))
        self._lines[id(session)] = []
        self._labels[id(session)] = self.label
        session.day_hint = session.day_hint or self.day_hint
        session.room = session.room or self.room
        self.current = session
        if line and leftover(line, session):
            self.add(line)

    def _next_titled(self, session: ParsedSession, after: int) -> tuple[int, ParsedSession] | None:
        """The first session started after ``after`` with ``session``'s title and
        type (a lookup: comparing every session with every new one was quadratic)."""
        titled = self._titled.get(_title_key(session), [])
        position = bisect.bisect_right(titled, after, key=lambda pair: pair[0])
        return titled[position] if position < len(titled) else None

    def _flush_heading(self) -> None:
        """A section heading with nothing under it is still the author's: kept."""
        if self._heading:
            self._intro.extend(["", self._heading, ""])
            self._heading = ""

    def leave_to_section(self) -> None:
        """Text after a list of talks belongs to the section, not the last talk."""
        self.current = None

    def leave(self) -> None:
        self.current = None

    def discard(self, session: ParsedSession) -> None:
        """Undo ``start(session)``: it turned out to head a group. Text already written
        under it moves to the event's note, under its title."""
        lines = self._lines.pop(id(session), [])
        self._blank_until.pop(id(lines), None)
        self.sessions.remove(session)
        titled = self._titled.get(_title_key(session), [])
        titled[:] = [pair for pair in titled if pair[1] is not session]
        if self.current is session:
            self.current = None
        if any(line.strip() for line in lines):
            self._intro.extend(["", f"## {session.title}", "", *lines])

    @property
    def source(self) -> str | None:
        return self.current.title if self.current else None

    def section(self, heading: str) -> None:
        """Start a section of the event's note; its heading is written only once
        something is written under it."""
        self._flush_heading()
        self.current = None
        self._heading = heading
        self.label = re.sub(r"^#+\s*", "", heading).strip()
        self._where(plain(self.label))

    def _where(self, label: str) -> None:
        """A section naming a day starts that day (in no room yet); one naming a room
        or track puts the sessions after it there. Other sections change neither."""
        if hint := programme.day_hint(label):
            self.day_hint, self.room = hint, ""
            if hint.kind == "ordinal":
                self._ordinals.add(hint.value)
        elif room := programme.room_of_section(label):
            self.room = room[: programme.MAX_ROOM]

    def add(self, line: str, *, to_event: bool = False) -> None:
        """Add a line to the current session's note (or the event's). ``Tags: a, b``
        as the first line tags the session (or the event) instead, and ``Room: B``
        there sets the session's room."""
        session = None if to_event else self.current
        lines = self._lines[id(session)] if session else self._intro
        if session is None and self._heading and line.strip():
            lines.extend(["", self._heading, ""])
            self._heading = ""
        at_top = self._all_blank(lines)
        if at_top and (tags := c.tags_line(line)):
            (session.tags if session else self.event_tags).extend(tags)
            return
        if at_top and session and (room := programme.room_line(line)):
            session.room = room[: programme.MAX_ROOM]  # the session's field, like its tags
            return
        lines.append(line)

    def _all_blank(self, lines: list[str]) -> bool:
        """Whether ``lines`` has only blank lines: each line is looked at once, however
        many lines are added (a long run of blank ones would otherwise cost the square)."""
        start = self._blank_until.get(id(lines), 0)
        while start < len(lines) and not lines[start].strip():
            start += 1
        self._blank_until[id(lines)] = start
        return start == len(lines)

    def add_tagged(self, line: str) -> None:
        """Add a line of a takeaway or action point, without its #tags (nor the line,
        when it held nothing else)."""
        stripped = c.strip_tags(line)
        if stripped.strip(" >"):
            self.add(stripped)

    def takeaway(self, text: str, line: int | None) -> None:
        clean = re.sub(r"\s+", " ", c.strip_tags(text)).strip()
        if len(clean) > c.MAX_TAKEAWAY:
            raise ImportProblem(
                f"a takeaway is at most {c.MAX_TAKEAWAY} characters (this one has "
                f"{len(clean)}); split it or move the detail into the note.",
                line=line,
            )
        if not clean:
            return
        tags = c.split_tags(text)
        for seen in self.takeaways:
            # The same takeaway twice (in the note and in a list, as in a report) is one.
            if seen.source == self.source and seen.text == clean:
                seen.tags.extend(tag for tag in tags if tag not in seen.tags)
                return
        self.takeaways.append(ParsedTakeaway(clean, self.source, tags))

    def action_point(self, text: str, line: int | None = None) -> None:
        if not c.plain(c.strip_tags(text)):
            return
        found = c.action_point(text, self.source)
        if len(found.title) > c.MAX_ACTION_TITLE:
            raise ImportProblem(
                f"an action point's title is at most {c.MAX_ACTION_TITLE} characters.", line=line
            )
        for seen in self.action_points:
            if seen.title == found.title:
                # Written twice, as in a report's note and its list: one action point.
                seen.details = seen.details or found.details
                seen.tags.extend(tag for tag in found.tags if tag not in seen.tags)
                return
        self.action_points.append(found)

    def finish(self, event: ParsedEvent) -> ParsedEvent:
        self._flush_heading()
        for session in self.sessions:
            session.body = join(self._lines[id(session)])
        event.intro = join(self._intro)
        # Notes that have a "Day 0" (sprints, tutorials) count their days from it.
        first = 0 if 0 in self._ordinals else 1
        # Notes titled "…, day two" are about that day, unless a section says otherwise.
        whole = programme.day_hint_in_title(event.title) if event.title else None
        for session in self.sessions:
            session.day_hint = session.day_hint or whole
            if session.day_hint and session.day_hint.kind == "ordinal":
                session.day_hint = programme.DayHint("offset", session.day_hint.value - first)
            settle_day(session, event.starts_on, event.ends_on)
        event.tags = event.tags or self.event_tags
        event.sessions, event.takeaways = self.sessions, self.takeaways
        event.action_points = self.action_points
        return check_event(event)


def _title_key(session: ParsedSession) -> tuple[str, bool]:
    return session.title.casefold(), session.is_open_space


_CONNECTORS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "of",
        "to",
        "on",
        "in",
        "for",
        "with",
        "at",
        "by",
        "speaker",
        "speakers",
        "session",
        "talk",
        "keynote",
        "ignite",
        "lightning",
        "workshop",
        "panel",
        "open",
        "space",
        "spaces",
        "opening",
        "closing",
    ]
)


def settle_day(
    session: ParsedSession, starts_on: datetime.date | None, ends_on: datetime.date | None
) -> None:
    """Set ``session.day`` from its day hint and the event's dates; a session with a
    start time at a one-day event is on that day. A hint that names no day of the
    event (day 5 of three) leaves the day unset."""
    if session.day_hint is not None:
        session.day = programme.resolve_day(session.day_hint, starts_on=starts_on, ends_on=ends_on)
    elif session.starts_at and starts_on and (ends_on or starts_on) == starts_on:
        session.day = starts_on
    else:
        session.day = None


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", plain(text).casefold()))


def leftover(line: str, session: ParsedSession) -> set[str]:
    """The words of ``line`` that neither the session's title nor its speakers hold."""
    held = words(" ".join([session.title, *session.speakers, session.session_label]))
    untimed = programme.without_time(plain(line))  # the time is the session's field
    return {w for w in words(untimed) - held - _CONNECTORS if len(w) > 1}


def join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()


# A longer note is saved as consecutive parts; past this many, the file is refused.
MAX_NOTE_PARTS = 10


def note_parts(body: str, limit: int) -> list[str]:
    """``body`` cut into pieces of at most ``limit`` characters, at paragraph breaks
    where it can, else at line breaks, else at a space: every character kept, in order."""
    if len(body) <= limit:
        return [body]
    parts: list[str] = []
    current = ""
    for piece in _pieces(body, limit):
        joined = f"{current}\n\n{piece}" if current else piece
        if len(joined) <= limit:
            current = joined
        else:
            parts.append(current)
            current = piece
    return [*parts, current] if current else parts


def _pieces(body: str, limit: int) -> list[str]:
    """Paragraphs of ``body``, each cut further (lines, then words) to fit ``limit``."""
    pieces = []
    for paragraph in re.split(r"\n{2,}", body.strip()):
        if len(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            while len(line) > limit:
                cut = line.rfind(" ", 0, limit) + 1 or limit
                pieces.append(line[:cut].rstrip())
                line = line[cut:]
            pieces.append(line)
    return pieces


def check_event(event: ParsedEvent) -> ParsedEvent:
    if not event.name:
        raise ImportProblem("no event name: give the notes a title.")
    for label, value, limit in (
        ("event name", event.name, c.MAX_EVENT_NAME),
        ("title", event.title, c.MAX_NOTE_TITLE),
        ("city", event.city, c.MAX_CITY),
        ("country", event.country, c.MAX_COUNTRY),
        ("venue", event.venue, c.MAX_VENUE),
        ("website", event.website, c.MAX_URL),
    ):
        if len(value) > limit:
            raise ImportProblem(f"the {label} is at most {limit} characters.")
    limit = c.note_body_limit()
    long_notes = [
        (f"the note on “{s.title[:100]}”", s.title, s.body, s.line) for s in event.sessions
    ]
    long_notes.append(
        (
            f"the note on the event (“{(event.title or event.name)[:100]}”)",
            event.title or event.name,
            event.intro,
            None,
        )
    )
    for label, title, body, line in long_notes:
        if len(body) <= limit:
            continue
        parts = len(note_parts(body, limit))
        if parts > MAX_NOTE_PARTS:
            raise ImportProblem(
                f"{label} is {len(body):,} characters; a note is at most {limit:,}, and "
                f"notes longer than {MAX_NOTE_PARTS * limit:,} characters are not split: "
                "split the file.",
                line=line,
            )
        event.doubt(
            "note",
            title,
            f"{len(body):,} characters, more than a note holds ({limit:,}): saved as "
            f"{parts} notes, “part 2 of {parts}” and on",
            line,
        )
    for item in [event, *event.sessions, *event.takeaways, *event.action_points]:
        c.check_tags(item.tags)
    if event.starts_on and event.ends_on and event.ends_on < event.starts_on:
        raise ImportProblem(
            f"the event ends ({event.ends_on}) before it starts ({event.starts_on})."
        )
    return event
