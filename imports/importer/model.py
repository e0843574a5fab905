"""What a parser detected in one document, before anything is written: plain
dataclasses, their JSON form (``to_json``) and the corrections a person makes on the
preview page (``corrected``)."""

import dataclasses
import datetime
from dataclasses import dataclass, field

from imports.importer.programme import DayHint
from talks.models import Talk

OPEN_SPACE = "open_space"
# What a session can be turned into on the preview page besides a kind.
TO_EVENT_NOTE = "event"  # not a session: its text joins the note on the event
LEAVE_OUT = "drop"  # not imported at all, with its note, takeaways and action points

KIND_LABELS = {**dict(Talk.Kind.choices), OPEN_SPACE: "Open space"}


@dataclass
class ParsedSession:
    """A talk (``kind`` one of ``Talk.Kind``) or an open space (``kind == OPEN_SPACE``,
    ``speakers`` then being its convenors)."""

    title: str
    kind: str = Talk.Kind.TALK
    speakers: list[str] = field(default_factory=list)
    body: str = ""
    tags: list[str] = field(default_factory=list)
    session_label: str = ""  # open spaces: "Session One", from an "Open Spaces: …" heading
    line: int | None = None  # where it starts in the document, for messages
    # Its place in the programme, when the notes say it (``programme``): the day is
    # settled from ``day_hint`` and the event's dates when the document is finished.
    day: datetime.date | None = None
    starts_at: datetime.time | None = None
    room: str = ""
    day_hint: DayHint | None = None

    @property
    def is_open_space(self) -> bool:
        return self.kind == OPEN_SPACE

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


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
class Doubt:
    """A guess the importer is not sure of, for the preview to mark: ``what`` is
    "date", "name", "city", "session", "speakers", "kind", "takeaway", "action point"
    or "text" (a line that looks like a takeaway or action point, left as text)."""

    what: str
    text: str
    why: str
    line: int | None = None

    def as_json(self) -> dict:
        return {"what": self.what, "text": self.text, "why": self.why, "line": self.line}


@dataclass
class ParsedEvent:
    name: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    city: str = ""
    country: str = ""
    venue: str = ""
    website: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    title: str = ""  # the document's title: the title of the note on the whole event
    # A report exported from Notesite: its notes are several people's, not the importer's.
    from_report: bool = False
    intro: str = ""  # that note's Markdown
    sessions: list[ParsedSession] = field(default_factory=list)
    takeaways: list[ParsedTakeaway] = field(default_factory=list)
    action_points: list[ParsedActionPoint] = field(default_factory=list)
    unsure: list[Doubt] = field(default_factory=list)
    # Line numbers read as the event's own fields (a date line, the title), not text.
    meta_lines: set[int] = field(default_factory=set)
    kept_lines: tuple[int, int] | None = None  # (kept, non-blank), set by the reader

    def doubt(self, what: str, text: str, why: str, line: int | None = None) -> None:
        self.unsure.append(Doubt(what, text, why, line))

    def doubts_about(self, what: str, text: str | None = None) -> list[Doubt]:
        return [d for d in self.unsure if d.what == what and (text is None or d.text == text)]

    @property
    def talks(self) -> list[ParsedSession]:
        return [s for s in self.sessions if not s.is_open_space]

    @property
    def open_spaces(self) -> list[ParsedSession]:
        return [s for s in self.sessions if s.is_open_space]

    def takeaways_of(self, source: str | None) -> list[ParsedTakeaway]:
        return [t for t in self.takeaways if t.source == source]

    def action_points_of(self, source: str | None) -> list[ParsedActionPoint]:
        return [a for a in self.action_points if a.source == source]


def to_json(parsed: ParsedEvent) -> dict:
    """The detected structure, in the shape ``import_notes --dry-run --json`` prints."""
    notes = [{"source": None, "chars": len(parsed.intro)}] if parsed.intro else []
    notes += [{"source": s.title, "chars": len(s.body)} for s in parsed.sessions if s.body]
    return {
        "event": {
            "name": parsed.name,
            "starts_on": parsed.starts_on.isoformat() if parsed.starts_on else None,
            "ends_on": parsed.ends_on.isoformat() if parsed.ends_on else None,
            "city": parsed.city,
            "tags": list(parsed.tags),
        },
        "talks": [
            {"title": s.title, "speakers": list(s.speakers), "kind": s.kind, **_when(s)}
            for s in parsed.talks
        ],
        "open_spaces": [{"title": s.title, **_when(s)} for s in parsed.open_spaces],
        "takeaways": [{"text": t.text, "source": t.source} for t in parsed.takeaways],
        "action_points": [
            {"title": a.title, "details": a.details, "source": a.source}
            for a in parsed.action_points
        ],
        "notes": notes,
        "unsure": [doubt.as_json() for doubt in parsed.unsure],
        "kept_lines": (
            {"kept": parsed.kept_lines[0], "of": parsed.kept_lines[1]}
            if parsed.kept_lines
            else None
        ),
    }


def _when(session: ParsedSession) -> dict:
    """The session's day, start time and room, each only when the notes give it."""
    when = {
        "day": session.day.isoformat() if session.day else None,
        "starts_at": f"{session.starts_at:%H:%M}" if session.starts_at else None,
        "room": session.room,
    }
    return {key: value for key, value in when.items() if value}


@dataclass(frozen=True)
class SessionChange:
    """A person's correction of one detected session, by its position: a new title,
    kind (or ``TO_EVENT_NOTE`` / ``LEAVE_OUT``) and speakers."""

    title: str
    kind: str
    speakers: tuple[str, ...] = ()


def corrected(parsed: ParsedEvent, *, sessions: list[SessionChange], **event_fields) -> ParsedEvent:
    """A copy of ``parsed`` with the event's fields replaced by ``event_fields`` and
    session ``i`` changed as ``sessions[i]`` says. A renamed session keeps its
    takeaways and action points; a session turned into text of the event note moves
    them to the event; a left-out session takes them with it."""
    if len(sessions) != len(parsed.sessions):
        raise ValueError("One change per detected session is needed.")
    result = dataclasses.replace(parsed, **event_fields)
    kept: list[ParsedSession] = []
    renamed: dict[str, str | None] = {}
    dropped: set[str] = set()
    intro = [parsed.intro] if parsed.intro else []
    for session, change in zip(parsed.sessions, sessions, strict=True):
        if change.kind == LEAVE_OUT:
            dropped.add(session.title)
        elif change.kind == TO_EVENT_NOTE:
            renamed[session.title] = None
            if session.body:
                intro.append(f"## {change.title or session.title}\n\n{session.body}")
        else:
            renamed[session.title] = change.title
            kept.append(
                dataclasses.replace(
                    session,
                    title=change.title,
                    kind=change.kind,
                    speakers=list(change.speakers),
                )
            )
    result.sessions = kept
    result.intro = "\n\n".join(intro)
    result.takeaways = [
        dataclasses.replace(t, source=renamed.get(t.source, t.source))
        for t in parsed.takeaways
        if t.source not in dropped
    ]
    result.action_points = [
        dataclasses.replace(a, source=renamed.get(a.source, a.source))
        for a in parsed.action_points
        if a.source not in dropped
    ]
    return result
