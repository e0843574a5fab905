"""Sessions written only in prose, for notes with no session headings, lists or
lines at all: "a talk by Ann Example on tracing", "the keynote was on open data",
"titled “Title” presented by Ann". Every session found this way is a guess, marked
unsure; the text itself stays in the note on the event."""

import re

from imports.importer import people
from imports.importer.evidence import plain
from imports.importer.model import ParsedEvent, ParsedSession
from talks.models import Talk

_WHO = r"(?P<who>[^\W\d_][^()\n,;:]{1,50}?)"
_TOPIC = r"(?P<topic>[^.;:!?()\n\"\u201c\u201d]{3,160})"
_KIND = r"(?P<kind>keynote|talk|presentation|session)"
_PATTERNS = [
    # "a talk by Ann Example (an aside) on tracing"
    re.compile(rf"\b{_KIND}\s+(?:by|from)\s+{_WHO}\s*(?:\([^)]*\)\s*)?\s+on\s+{_TOPIC}", re.I),
    # "the talk I attended was on tracing by Ann Example"
    re.compile(
        rf"\b{_KIND}\b[^.]{{0,40}}?\bwas\s+on\s+{_TOPIC}\s+by\s+"
        r"(?P<who>[^\W\d_][^()\n,;:]{1,50})(?=\s*[(,;]|\.\s|\.$|$)",
        re.I,
    ),
    # "the final talk was by Ann Example on tracing"
    re.compile(rf"\b{_KIND}\b[^.]{{0,40}}?\bwas\s+by\s+{_WHO}\s+on\s+{_TOPIC}", re.I),
    # "Ann Example, who …, gave a talk on tracing"
    re.compile(
        r"(?P<who>(?-i:[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019-]*){0,2}))\b[^.]{0,70}?\bgave\s+an?\s+"
        rf"{_KIND}\s+on\s+{_TOPIC}",
        re.I,
    ),
    # 'titled "Title" presented by Ann'
    re.compile(
        r"\btitled\s+[\"\u201c](?P<topic>[^\"\u201d]{3,160})[\"\u201d],?\s+(?:presented\s+|given\s+)?"
        rf"by\s+{_WHO}(?=[\s.,;]|$)",
        re.I,
    ),
    # "the keynote on Saturday was on open data"; "the next talk I attended was on X"
    re.compile(rf"\b{_KIND}\b[^.]{{0,40}}?\bwas\s+on\s+{_TOPIC}", re.I),
]
_CUT = re.compile(
    r"\s+(?:and\s+how|and\s+why|and\s+what|which|where|who|that\s+was|as\s+both|by\s+[A-Z])\b"
    r"|,|\s+-\s+",
)
_MAX_WORDS = 12


def _topic(text: str) -> str:
    topic = _CUT.split(text.strip(), maxsplit=1)[0].strip(" '\u2018\u2019")
    words = topic.split()
    return " ".join(words[:_MAX_WORDS])


def _who(text: str | None) -> list[str] | None:
    """The speaker in ``text`` when it reads as a person (a given name alone too)."""
    if text is None:
        return []
    words = text.strip().split()
    # "Joel Collins" in "After the break Joel Collins": the capitalised words at the end.
    while words and not words[0][:1].isupper():
        words.pop(0)
    for start in range(len(words)):
        candidate = " ".join(words[start:])
        score, names = people.names_score(candidate)
        if score >= 0.5:
            return names
    return None


def prose_sessions(event: ParsedEvent, text: str) -> None:
    """Add the sessions named in ``text`` (the note on the event) to ``event``."""
    seen: set[str] = set()
    flat = plain(text)
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(flat):
            if any(a <= match.start() < b for a, b in taken):
                continue
            parts = match.groupdict()
            speakers = _who(parts.get("who"))
            if speakers is None:
                continue
            title = _topic(parts["topic"])
            if len(title) < 3 or title.casefold() in seen:
                continue
            kind = (
                Talk.Kind.KEYNOTE if parts.get("kind", "").lower() == "keynote" else Talk.Kind.TALK
            )
            seen.add(title.casefold())
            taken.append(match.span())
            event.sessions.append(ParsedSession(title, kind, speakers))
            event.doubt("session", title, "named in the prose, not as a heading")
