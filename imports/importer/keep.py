"""The promise that nothing the author wrote is lost: every non-blank line of the
document (front matter aside, which fills the event's fields) lands somewhere — a
note, a title, a speaker, a takeaway, an action point, the event's own fields."""

import re
import unicodedata

from imports.importer.conventions import strip_tags
from imports.importer.evidence import plain
from imports.importer.model import ParsedEvent
from imports.importer.programme import without_time

_NOT_WORD = re.compile(r"[\W_]+")
_KIND_WORDS = """talk talks keynote ignite lightning workshop panel open space spaces session
    sessions opening closing"""


def _squash(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", plain(text)).casefold())


def _words(text: str) -> set[str]:
    return {w for w in _NOT_WORD.split(plain(text).casefold()) if len(w) > 1}


def body_lines(text: str) -> list[tuple[int, str]]:
    """(number, line) of each non-blank line after the front matter."""
    lines = text.lstrip("\ufeff").splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        for end, line in enumerate(lines[1:], start=1):
            if line.strip() in {"---", "..."}:
                start = end + 1
                break
    return [(n, line) for n, line in enumerate(lines[start:], start=start + 1) if line.strip()]


def missing_lines(text: str, parsed: ParsedEvent) -> tuple[int, list[tuple[int, str]]]:
    """(number of non-blank lines, those not found anywhere in ``parsed``)."""
    pieces = [parsed.intro, *(s.body for s in parsed.sessions)]
    pieces += [t.text for t in parsed.takeaways]
    pieces += [f"{a.title} {a.details}" for a in parsed.action_points]
    stream = "\n".join(_squash(line) for piece in pieces for line in piece.splitlines())
    fields = " ".join(
        [
            parsed.name,
            parsed.title,
            parsed.city,
            parsed.country,
            _KIND_WORDS,
            *(
                f"{s.title} {' '.join(s.speakers)} {s.session_label} {s.room}"
                for s in parsed.sessions
            ),
            *parsed.tags,
            *(tag for s in parsed.sessions for tag in s.tags),
        ]
    )
    held = _words(fields) | {"by", "with", "on", "and", "the", "a", "an", "of", "tags"}
    held |= {"speaker", "speakers", "presented", "presenter", "presenters"}
    held |= {"room", "track", "location", "where", "stage"}
    lines = body_lines(text)
    missing = []
    for number, line in lines:
        if number in parsed.meta_lines:
            continue
        line = strip_tags(line)
        squashed = _squash(line)
        # A start time before a session's title is the session's field.
        if not squashed or squashed in stream or _words(without_time(plain(line))) <= held:
            continue
        missing.append((number, line))
    return len(lines), missing


def keep_every_line(text: str, parsed: ParsedEvent) -> ParsedEvent:
    """Count the lines kept; any line no reader placed joins the note on the event
    (under its own heading, marked unsure) rather than being lost."""
    total, missing = missing_lines(text, parsed)
    if parsed.from_report:
        # Its notes are several people's and are not imported: nothing to place.
        parsed.kept_lines = (total, total)
        return parsed
    if missing:
        rescued = "\n".join(line for _, line in missing)
        heading = "## Lines the importer could not place"
        parsed.intro = f"{parsed.intro}\n\n{heading}\n\n{rescued}".strip()
        for number, line in missing:
            parsed.doubt(
                "text", line.strip()[:200], "not placed: added to the event's note", number
            )
    parsed.kept_lines = (total - len(missing), total)
    return parsed


# At the start of a line: "Key takeaway was …", "TODO look at …", "I should try …".
_LOOKS_TAKEAWAY = re.compile(
    r"^(?:(?:my|key|main|big|the)\s+)?(?:take-?aways?|lessons?\s+learned)\b", re.I
)
_LOOKS_ACTION = re.compile(
    r"^(?:action\s+(?:points?|items?)|to-?do|follow[\s-]?ups?|things\s+to\s+try"
    r"|(?:i|we)\s+(?:should|need\s+to|must)\s+(?:try|look|read|check|write|ask|start|stop))\b",
    re.I,
)
_MAX_LOOKALIKES = 20


def list_lookalikes(parsed: ParsedEvent) -> ParsedEvent:
    """Mark the lines of the notes that read like a takeaway or an action point but
    were left as text, for the preview to list (at most ``_MAX_LOOKALIKES``)."""
    taken = {_squash(t.text) for t in parsed.takeaways}
    taken |= {_squash(a.title) for a in parsed.action_points}
    taken |= {_squash(s.title) for s in parsed.sessions}
    found = 0
    for body in [parsed.intro, *(s.body for s in parsed.sessions)]:
        for line in body.splitlines():
            flat = plain(line).lstrip(">-*• ").strip()
            if (
                len(flat) < 12
                or len(flat) > 160  # prose, not a point
                or flat.startswith(("#", '"', "\u201c"))  # a heading or a quote
                or flat.endswith(":")  # announces a list, which was read
            ):
                continue
            if re.match(r"^\*\*(?:key\s+)?take-?away|^\*\*action", line.strip(" >"), re.I):
                continue
            what = (
                "a takeaway"
                if _LOOKS_TAKEAWAY.search(flat)
                else "an action point"
                if _LOOKS_ACTION.search(flat)
                else None
            )
            # Looked at last: it compares the line with everything taken.
            squashed = _squash(flat) if what else ""
            if what and any(t and t in squashed for t in taken):
                continue
            if what and found < _MAX_LOOKALIKES:
                parsed.doubt("text", flat[:200], f"reads like {what}; left as text")
                found += 1
    return parsed
