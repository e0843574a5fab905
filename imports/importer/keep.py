"""The promise that nothing the author wrote is lost: every non-blank line of the
document (front matter aside, which fills the event's fields) lands somewhere — a
note, a title, a speaker, a takeaway, an action point, the event's own fields."""

import re
import unicodedata

from imports.importer.conventions import strip_tags
from imports.importer.evidence import plain
from imports.importer.model import ParsedEvent

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
            *(f"{s.title} {' '.join(s.speakers)} {s.session_label}" for s in parsed.sessions),
            *parsed.tags,
            *(tag for s in parsed.sessions for tag in s.tags),
        ]
    )
    held = _words(fields) | {"by", "with", "on", "and", "the", "a", "an", "of", "tags"}
    lines = body_lines(text)
    missing = []
    for number, line in lines:
        if number in parsed.meta_lines:
            continue
        line = strip_tags(line)
        squashed = _squash(line)
        if not squashed or squashed in stream or _words(line) <= held:
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
