"""Where a session sits in the event's programme, when the notes say it plainly:
a start time before its title ("10:30 Title — Speaker", "09:00\u201309:30 Title"), the day
of the section it is in ("Day 2", "Second day", "Tuesday"), the room or track of that
section ("Room A", "Track 1"), or a "Room: …" line under its title. Anything less
clear is left unset: a session without a time is imported as before."""

import datetime
import re
from dataclasses import dataclass

_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d(?:\s?[ap]\.?m\.?)?|(?:1[0-2]|0?[1-9])\s?[ap]\.?m\.?"
# A time (or a range; its end is not kept) opening a line, then the title after a
# separator or a space. Bold or brackets around the time are allowed: "**10:30** Title".
_LEADING_TIME = re.compile(
    rf"^\s*(?:\*\*|__)?\[?(?P<start>{_CLOCK})(?:\s*(?:-|\u2013|\u2014|to)\s*(?:{_CLOCK}))?\]?(?:\*\*|__)?"
    r"(?P<separator>\s*[-\u2013\u2014|:·,]\s*|\s+)(?P<rest>\S.*)$",
    re.I,
)
_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_NUMBER = re.compile(r"^day\s+(?P<n>\d{1,2}|[a-z]+)\b", re.I)
_NTH_DAY = re.compile(
    r"^(?:the\s+)?(?P<n>first|second|third|fourth|fifth|last|final)\s+day\b", re.I
)
# A weekday alone, or with its date ("Tuesday, 10 March", "Tuesday March 10th 2026").
_WEEKDAY = re.compile(
    rf"^(?P<day>{'|'.join(_WEEKDAYS)})[\s,]*(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+[^\W\d_]+"
    r"|[^\W\d_]+\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s*\d{4})?\s*[.:]?$",
    re.I,
)
_ROOM_SECTION = re.compile(r"^(?P<room>(?:room|track|hall|stage)\s+\S.{0,60}?)\s*[.:]?$", re.I)
_ROOM_LINE = re.compile(
    r"^\s*(?:[-*+•]\s+)?(?:\*\*|__)?(?:room|track|location|where|stage)\s*:(?:\*\*|__)?\s*"
    r"(?P<room>[^\s:][^:]{0,99}?)\s*$",
    re.I,
)
MAX_ROOM = 100


@dataclass(frozen=True)
class DayHint:
    """What a section heading says about its day: ``ordinal`` (the n-th day, as
    written: notes count from "Day 0" or "Day 1"), ``offset`` (days after the first,
    once the document's counting is known), ``last`` or ``weekday`` (0 Monday)."""

    kind: str
    value: int = 0


def split_time(text: str) -> tuple[datetime.time | None, str]:
    """A start time opening ``text`` and the rest; (None, text) when there is none."""
    match = _LEADING_TIME.match(text)
    # "9am standups" could be a title: an hour without minutes needs a separator.
    if not match or (":" not in match["start"] and not match["separator"].strip()):
        return None, text
    return _clock(match["start"]), match["rest"]


_LINE_MARK = re.compile(r"^\s*(?:#{1,6}|[-*+\u2022]|\d{1,3}[.)])\s+")


def without_time(line: str) -> str:
    """A heading's or list item's text without the start time opening it."""
    return split_time(_LINE_MARK.sub("", line))[1]


def _clock(text: str) -> datetime.time:
    flat = re.sub(r"[\s.]", "", text.lower())
    meridiem = flat[-2:] if flat.endswith(("am", "pm")) else ""
    hour_text, _, minute = flat.removesuffix(meridiem).partition(":")
    hour = int(hour_text)
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    return datetime.time(hour, int(minute or 0))


def day_hint(label: str) -> DayHint | None:
    """The day a section heading ("Day 2", "Second day", "Tuesday") names, if any."""
    if match := _DAY_NUMBER.match(label):
        n = match["n"].lower()
        number = int(n) if n.isdigit() else _NUMBERS.get(n)
        return DayHint("ordinal", number) if number is not None else None
    if match := _NTH_DAY.match(label):
        n = match["n"].lower()
        return DayHint("last") if n in {"last", "final"} else DayHint("ordinal", _NUMBERS[n])
    if match := _WEEKDAY.match(label):
        return DayHint("weekday", _WEEKDAYS.index(match["day"].lower()))
    return None


_DAY_IN_TITLE = re.compile(
    r"\b(?:day\s+(?:\d{1,2}|zero|one|two|three|four|five|six|seven)"
    r"|(?:first|second|third|fourth|fifth|last|final)\s+day)\b",
    re.I,
)


def day_hint_in_title(title: str) -> DayHint | None:
    """The day a document's title says it covers: "Notes from X, day two"."""
    match = _DAY_IN_TITLE.search(title)
    return day_hint(match.group(0)) if match else None


def room_of_section(label: str) -> str:
    """The room or track a section heading ("Room A", "Track 1") names, else ""."""
    match = _ROOM_SECTION.match(label)
    return match["room"].strip() if match else ""


def room_line(line: str) -> str:
    """The room on a "Room: Auditorium 2" line, else ""."""
    match = _ROOM_LINE.match(line)
    return match["room"].strip() if match else ""


def resolve_day(
    hint: DayHint | None,
    *,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> datetime.date | None:
    """The date ``hint`` means at an event running ``starts_on`` to ``ends_on``, or
    None when it is not one of those days or is not clear (an ``ordinal`` counts
    from Day 1)."""
    if hint is None or starts_on is None:
        return None
    ends_on = ends_on or starts_on
    if hint.kind == "last":
        return ends_on
    if hint.kind in {"ordinal", "offset"}:
        offset = hint.value - 1 if hint.kind == "ordinal" else hint.value
        day = starts_on + datetime.timedelta(days=offset)
        return day if offset >= 0 and day <= ends_on else None
    days = [
        starts_on + datetime.timedelta(days=n)
        for n in range((ends_on - starts_on).days + 1)
        if (starts_on + datetime.timedelta(days=n)).weekday() == hint.value
    ]
    return days[0] if len(days) == 1 else None
