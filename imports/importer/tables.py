"""Programmes written as Markdown tables: a header row naming the columns ("Time |
Talk | Speaker"), a ``|---|`` row, then one session a row. The columns are found by
their headers, or, without telling headers, a column of people's names makes the
other text column the titles. Rows that are breaks ("Lunch") are no sessions."""

import datetime
import re
from dataclasses import dataclass, field

from imports.importer import evidence as ev
from imports.importer import kinds, people, programme

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?\s*$")
_COLUMNS = {
    "title": re.compile(
        r"^(?:talks?|titles?|sessions?|topics?|what|presentations?|subject)$", re.I
    ),
    "speakers": re.compile(r"^(?:speakers?|who|presenters?|by|names?|people|hosts?)$", re.I),
    "time": re.compile(r"^(?:time|when|slot|start|hour|starts?\s+at)$", re.I),
    "kind": re.compile(r"^(?:type|kind|format)$", re.I),
    "room": re.compile(r"^(?:room|track|stage|where|location|hall)$", re.I),
}
MAX_ROWS = 500  # a longer table is no programme the notes could mean


@dataclass
class Table:
    """A table's lines (first, last index) and its sessions: row index -> reading."""

    first: int
    last: int
    rows: dict[int, ev.Reading] = field(default_factory=dict)
    rooms: dict[int, str] = field(default_factory=dict)


def cells(line: str) -> list[str]:
    parts = re.split(r"(?<!\\)\|", line.strip())
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return [ev.plain(part) for part in parts]


def find_tables(lines: list[str], skip: set[int]) -> dict[int, Table]:
    """The tables of sessions, by the index of their header row."""
    found: dict[int, Table] = {}
    index = 0
    while index + 1 < len(lines):
        if index in skip or "|" not in lines[index] or not _SEPARATOR.match(lines[index + 1]):
            index += 1
            continue
        last = index + 1
        while last + 1 < len(lines) and "|" in lines[last + 1] and lines[last + 1].strip():
            last += 1
        if (table := _read(lines, index, last)) is not None:
            found[index] = table
        index = last + 1
    return found


def _read(lines: list[str], first: int, last: int) -> Table | None:
    header = cells(lines[first])
    rows = [(i, cells(lines[i])) for i in range(first + 2, min(last, first + MAX_ROWS) + 1)]
    if len(rows) < 1:
        return None
    columns = {}
    for role, pattern in _COLUMNS.items():
        columns[role] = next((n for n, h in enumerate(header) if pattern.match(h.strip())), None)
    if not any(n is not None for n in columns.values()):
        rows.insert(0, (first, header))  # no header names a column: it is a row too
    if columns["speakers"] is None:
        columns["speakers"] = _names_column(rows, columns)
    if columns["time"] is None:
        columns["time"] = _times_column(rows, columns)
    if columns["title"] is None and columns["speakers"] is not None:
        columns["title"] = _text_column(rows, columns)
    if columns["title"] is None or (columns["speakers"] is None and columns["time"] is None):
        return None  # "Tool | Pros | Cons": no programme
    table = Table(first, last)
    for index, row in rows:
        title = _cell(row, columns["title"])
        if not title or ev.is_section(title) or ev.is_chrome(title):
            continue
        reading = ev.read_line(title, split=columns["speakers"] is None)
        who = _cell(row, columns["speakers"])
        if who:
            names = [people.without_company(n)[0] for n in people.split_names(who)]
            reading.speakers, reading.score = [n for n in names if n], 0.9
        if (kind := _cell(row, columns["kind"])) and not reading.kind_marked:
            reading.kind, reading.kind_marked = kinds.kind_of(kind), True
        if when := _cell(row, columns["time"]):
            reading.starts_at = reading.starts_at or clock_in(when)
        table.rows[index] = reading
        if room := _cell(row, columns["room"]):
            table.rooms[index] = room[: programme.MAX_ROOM]
    return table if table.rows else None


def _cell(row: list[str], column: int | None) -> str:
    return row[column].strip() if column is not None and column < len(row) else ""


def _names_column(rows: list[tuple[int, list[str]]], columns: dict) -> int | None:
    """The column where most rows hold people's names, if one does."""
    width = max(len(row) for _, row in rows)
    for column in range(width):
        if column in columns.values():
            continue
        named = sum(1 for _, row in rows if people.names_score(_cell(row, column))[0] >= 0.6)
        if named >= 2 and named * 2 >= len(rows):
            return column
    return None


def _times_column(rows: list[tuple[int, list[str]]], columns: dict) -> int | None:
    """The column where most rows give a time, if one does."""
    width = max(len(row) for _, row in rows)
    for column in range(width):
        if column not in columns.values():
            timed = sum(1 for _, row in rows if clock_in(_cell(row, column)))
            if timed * 2 > len(rows):
                return column
    return None


def _text_column(rows: list[tuple[int, list[str]]], columns: dict) -> int | None:
    """The column of titles: the one with the longest text, times and names aside."""
    width = max(len(row) for _, row in rows)
    best, length = None, 0
    for column in range(width):
        if column in columns.values():
            continue
        texts = [_cell(row, column) for _, row in rows]
        if all(not t or clock_in(t) for t in texts):
            continue
        total = sum(len(t) for t in texts)
        if total > length:
            best, length = column, total
    return best


def clock_in(text: str) -> datetime.time | None:
    """The start time a cell gives ("09:30", "9:30-10:00", "2pm")."""
    return programme.split_time(f"{text.strip()} - x")[0] if text.strip() else None
