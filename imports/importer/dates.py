"""Dates as people write them: ISO dates and datetimes, "14-15 October 2025",
"October 14, 2025", "posted at 18-11-2019", month names in a few European languages,
a year alone. python-dateutil does the calendar work; this module finds the dates
in a line of text and says how sure it is."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from dateutil import parser as dateutil_parser

# Month names in the languages notes are most often written in, to English, so that
# dateutil (which knows English only) can read them. Keys are accent-free lower case.
_MONTH_WORDS = {
    # German, Dutch, French, Spanish, Italian, Portuguese
    "januar": "january", "januari": "january", "janvier": "january", "enero": "january",
    "gennaio": "january", "janeiro": "january", "jänner": "january",
    "februar": "february", "februari": "february", "fevrier": "february",
    "febrero": "february", "febbraio": "february", "fevereiro": "february",
    "marz": "march", "maart": "march", "mars": "march", "marzo": "march", "marco": "march",
    "avril": "april", "abril": "april", "aprile": "april",
    "mai": "may", "mei": "may", "mayo": "may", "maggio": "may", "maio": "may",
    "juni": "june", "juin": "june", "junio": "june", "giugno": "june", "junho": "june",
    "juli": "july", "juillet": "july", "julio": "july", "luglio": "july", "julho": "july",
    "augustus": "august", "aout": "august", "agosto": "august",
    "septembre": "september", "septiembre": "september", "settembre": "september",
    "setembro": "september",
    "oktober": "october", "octobre": "october", "octubre": "october", "ottobre": "october",
    "outubro": "october",
    "novembre": "november", "noviembre": "november", "novembro": "november",
    "dezember": "december", "decembre": "december", "diciembre": "december",
    "dicembre": "december", "dezembro": "december",
}  # fmt: skip
_ENGLISH = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH = rf"(?:{_ENGLISH}|{'|'.join(sorted(_MONTH_WORDS, key=len, reverse=True))})\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th|\.)?"
_YEAR = r"(?:19|20)\d\d"
_DASH = r"\s*(?:-|\u2013|\u2014|to|bis|au|al|tot)\s*"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
# Each pattern finds a date or a range of dates; the groups name their parts.
_PATTERNS = [
    # 2016-09-30, 2016-09-30 13:30:00-0600, 2019-10-16T21:55:46+01:00
    re.compile(
        rf"\b(?P<iso>{_YEAR}-\d\d-\d\d)(?P<time>[T ]\d\d:\d\d[\d:.]*(?:Z|[+-]\d\d:?\d\d)?)?"
    ),
    # 18-11-2019, 18/11/2019, 18.11.2019 (day first unless that cannot be)
    re.compile(rf"\b(?P<d>\d{{1,2}})[./-](?P<m>\d{{1,2}})[./-](?P<y>{_YEAR})\b"),
    # 23-25 March 2026, 30 September - 1 October 2025, Thursday 14 October 2025
    re.compile(
        rf"\b{_WEEKDAY}(?P<d1>{_DAY})(?:\s+(?P<m1>{_MONTH}))?(?:{_DASH}{_WEEKDAY}(?P<d2>{_DAY}))?"
        rf"\s+(?:of\s+)?(?P<m2>{_MONTH}),?\s+(?P<y>{_YEAR})\b",
        re.IGNORECASE,
    ),
    # October 14-15, 2025; Oct 30 - Nov 1 2025; July 12, 2013
    re.compile(
        rf"\b{_WEEKDAY}(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:{_DASH}(?:(?P<m2>{_MONTH})\s+)?"
        rf"(?P<d2>{_DAY}))?,?\s+(?P<y>{_YEAR})\b",
        re.IGNORECASE,
    ),
]
_YEAR_ALONE = re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?!\d)")
_SHORT_YEAR = re.compile(r"(?<=[^\W\d_])\s*['\u2019](?P<y>\d\d)\b")
_JEKYLL = re.compile(rf"^(?P<iso>{_YEAR}-\d\d-\d\d)-")


@dataclass(frozen=True)
class Found:
    """Dates found in a text: the first and last day, where in the text (start, end),
    and whether it was a full date (``sure``) or a year alone."""

    starts_on: datetime.date
    ends_on: datetime.date
    span: tuple[int, int]
    sure: bool = True
    with_time: bool = False  # a datetime: a post's timestamp more often than an event's day


def _english(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th|\.)(?=\s|$)", "", text)
    return _MONTH_WORDS.get(text.lower().rstrip("."), text.rstrip("."))


def _day(day: str, month: str, year: str) -> datetime.date | None:
    try:
        return dateutil_parser.parse(
            f"{_english(day)} {_english(month)} {year}", dayfirst=True
        ).date()
    except (ValueError, OverflowError):
        return None


_RANGE_JOIN = re.compile(r"\s*(?:to|until|till|[-\u2013\u2014])\s*", re.IGNORECASE)


def _read(match: re.Match) -> tuple[datetime.date, datetime.date] | None:
    parts = match.groupdict()
    if parts.get("iso"):
        try:
            day = dateutil_parser.isoparse(parts["iso"]).date()
        except ValueError:
            return None
        return day, day
    if parts.get("m") is not None:
        day, month = int(parts["d"]), int(parts["m"])
        if month > 12 >= day:  # 11/18/2019: month first
            day, month = month, day
        try:
            found = datetime.date(int(parts["y"]), month, day)
        except ValueError:
            return None
        return found, found
    year = parts["y"]
    last_month = parts.get("m2") or parts.get("m1")
    first_month = parts.get("m1") or last_month
    if parts.get("d2") and not parts.get("m2"):
        last_month = first_month
    starts = _day(parts["d1"], first_month, year)
    ends = _day(parts["d2"], last_month, year) if parts.get("d2") else starts
    if starts is None or ends is None or ends < starts:
        return None
    return starts, ends


def find(text: str) -> Found | None:
    """The first date or range of dates written in ``text``; two dates joined by "to",
    "until" or a dash ("2025-10-14 to 2025-10-16") are one range."""
    first = _first(text)
    if first is None:
        return None
    joined = _RANGE_JOIN.match(text, first.span[1])
    last = _first(text[joined.end() :]) if joined else None
    if last is None or last.span[0] != 0 or last.ends_on < first.starts_on:
        return first
    span = (first.span[0], joined.end() + last.span[1])
    return Found(first.starts_on, last.ends_on, span, with_time=first.with_time)


def _first(text: str) -> Found | None:
    best: Found | None = None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if best is not None and match.start() >= best.span[0]:
                break
            if dates := _read(match):
                with_time = bool(match.groupdict().get("time"))
                best = Found(*dates, match.span(), with_time=with_time)
                break
    return best


def find_year(text: str) -> Found | None:
    """A year alone: "Harbour Conf 2016", "harbourconf Lisbon '16" (the first of January,
    not sure)."""
    match = _YEAR_ALONE.search(text)
    if match is None and (short := _SHORT_YEAR.search(text)):
        year, span = 2000 + int(short["y"]), short.span()
    elif match is not None:
        year, span = int(match["y"]), match.span()
    else:
        return None
    first = datetime.date(year, 1, 1)
    return Found(first, first, span, sure=False)


def from_file_name(name: str) -> Found | None:
    """A blog's file name "2016-06-01-notes.md" gives a date; "pycon-2016.md" a year."""
    base = re.split(r"[\\/]", name)[-1]
    if match := _JEKYLL.match(base):
        try:
            day = dateutil_parser.isoparse(match["iso"]).date()
        except ValueError:
            return None
        return Found(day, day, match.span(), sure=False)
    return find_year(re.sub(r"\.\w+$", "", base).replace("_", "-"))


def from_value(value) -> Found | None:
    """A front-matter value: a date, a datetime, or text with a date in it."""
    if isinstance(value, datetime.datetime):
        return Found(value.date(), value.date(), (0, 0), with_time=True)
    if isinstance(value, datetime.date):
        return Found(value, value, (0, 0))
    return find(str(value))
