"""Importing conference notes (Markdown with front matter, or plain text) and
exporting an event's report.

``read`` turns bytes or pasted text into a ``Document`` (size, encoding and format
checks); ``Document.parse`` (or ``parse_markdown`` / ``parse_text``) turns it into a
``ParsedEvent`` without touching the database, never refusing a document for its shape:
front matter read tolerantly, the event's name and dates settled from whatever the
document offers (``head``, ``dates``), each heading, list item and paragraph weighed for
evidence of being a session (``evidence``, ``people``: speakers, kinds, labels, chrome,
siblings), prose searched when nothing else names a session (``prose``), every line
accounted for (``keep``), and every guess listed in ``ParsedEvent.unsure``;
``corrected`` applies the changes a person made on the preview page; ``save_parsed``
writes it all in one transaction;
``event_report`` writes an event back out as Markdown the parsers read.
docs/import-format.md describes the conventions recognised.
"""

from imports.importer.conventions import (
    event_name_from_title,
    without_year,
)
from imports.importer.errors import ImportProblem
from imports.importer.export import event_report
from imports.importer.from_markdown import parse_markdown
from imports.importer.from_text import parse_text
from imports.importer.model import (
    LEAVE_OUT,
    OPEN_SPACE,
    TO_EVENT_NOTE,
    ParsedActionPoint,
    ParsedEvent,
    ParsedSession,
    ParsedTakeaway,
    SessionChange,
    corrected,
    to_json,
)
from imports.importer.read import MAX_BYTES, Document, document, read_path
from imports.importer.save import (
    ImportSummary,
    already_there,
    find_event,
    into_event,
    save_parsed,
)

__all__ = [
    "LEAVE_OUT",
    "MAX_BYTES",
    "OPEN_SPACE",
    "TO_EVENT_NOTE",
    "Document",
    "ImportProblem",
    "ImportSummary",
    "ParsedActionPoint",
    "ParsedEvent",
    "ParsedSession",
    "ParsedTakeaway",
    "SessionChange",
    "already_there",
    "corrected",
    "document",
    "event_name_from_title",
    "event_report",
    "find_event",
    "into_event",
    "parse_markdown",
    "parse_text",
    "read_path",
    "save_parsed",
    "to_json",
    "without_year",
]
