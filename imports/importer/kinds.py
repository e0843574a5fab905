"""Session kinds as notes mark them: a "Keynote:" or "Workshop -" prefix, an "open
space" suffix, and the headings that gather open spaces ("Open Spaces: Session One").
The session-heading conventions and both parsers ask this module what kind a session
is and whether a heading opens a group of open spaces."""

import re

from imports.importer.model import OPEN_SPACE
from talks.models import Talk

_KIND_PREFIX = re.compile(
    r"^(?P<marker>(?:opening\s+|closing\s+)?keynote|ignite(?:\s+(?:session|talk))?"
    r"|lightning(?:\s+talk)?|workshop|panel(?:\s+discussion)?|talk"
    r"|open\s+(?:space|session))\s*[:\u2013\u2014]\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_OPEN_SPACE_SUFFIX = re.compile(r"^(?P<rest>.+?)[\s:\u2013\u2014-]+open\s+(?:space|session)$", re.I)
# The one table from a kind's word to the kind, for every reader of kind markers.
KIND_WORDS = {
    "keynote": Talk.Kind.KEYNOTE,
    "keynotes": Talk.Kind.KEYNOTE,
    "opening": Talk.Kind.KEYNOTE,
    "closing": Talk.Kind.KEYNOTE,
    "ignite": Talk.Kind.IGNITE,
    "ignites": Talk.Kind.IGNITE,
    "lightning": Talk.Kind.IGNITE,
    "workshop": Talk.Kind.WORKSHOP,
    "workshops": Talk.Kind.WORKSHOP,
    "tutorial": Talk.Kind.WORKSHOP,
    "panel": Talk.Kind.PANEL,
    "bof": Talk.Kind.TALK,
    "talk": Talk.Kind.TALK,
    "open": OPEN_SPACE,
}
# "Open Spaces", "Open Spaces: Session One", "Short notes from the open spaces": a
# group whose sessions are open spaces (the text after the colon is their label).
_OPEN_SPACES = re.compile(r"\bopen[\s-]+spaces\b", re.IGNORECASE)
_OPEN_SPACES_LABEL = re.compile(
    r"^open[\s-]+spaces?\s*(?:[:\u2013\u2014-]\s*(?P<label>.+))?$", re.IGNORECASE
)


def kind_of(words: str) -> str:
    """The kind the first kind word of ``words`` names ("Opening keynote": keynote);
    a talk when none does."""
    for word in words.lower().split():
        if word in KIND_WORDS:
            return KIND_WORDS[word]
    return Talk.Kind.TALK


def kind_and_rest(text: str) -> tuple[str, str, bool]:
    """(kind, text without the marker, whether a marker was found)."""
    if match := _KIND_PREFIX.match(text):
        return kind_of(match["marker"]), match["rest"].strip(), True
    if match := _OPEN_SPACE_SUFFIX.match(text):
        return OPEN_SPACE, match["rest"].strip(), True
    return Talk.Kind.TALK, text.strip(), False


def open_spaces_group(text: str) -> tuple[bool, str]:
    """(whether ``text`` heads a group of open spaces, the group's label)."""
    if match := _OPEN_SPACES_LABEL.match(text):
        label = (match["label"] or "").strip()
        plural = bool(_OPEN_SPACES.search(text))
        # "Open Space: Topic" (singular, with a topic) is one open space, not a group.
        return (plural or not label), label if plural else ""
    return bool(_OPEN_SPACES.search(text)), ""
