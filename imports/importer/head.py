"""The event a document is about: its name, dates and city, from whatever the
document offers (front matter, a title, the first lines, the file's name), never
refusing \u2014 what cannot be read becomes a guess marked unsure."""

import datetime
import re
from pathlib import PurePath

from django.utils import timezone

from imports.importer import dates
from imports.importer.conventions import date_line
from imports.importer.evidence import is_chrome, plain
from imports.importer.model import ParsedEvent

_PREFIX = re.compile(
    r"^(?:(?:my|some|our|a|the)\s+)?(?:(?:short|quick|brief|conference|personal)\s+)?"
    r"(?:notes|takeaways|thoughts|highlights|report|recap|review|summary|impressions|lessons)"
    r"\s+(?:from|on|about|of)\s+(?:the\s+)?|^(?:a\s+)?(?:recap|review|summary)\s+of\s+(?:the\s+)?"
    r"|^(?:post|after)[\s-]+(?=\w)|^(?:at|attending)\s+"
    r"|^(?:my|a|our)\s+(?:(?:first|second|third|last|busy|great|long)\s+)?(?:week|days?|time|trip|visit)"
    r"\s+(?:at|to|in)\s+(?:the\s+)?|^(?:back\s+from|what\s+i\s+learn(?:ed|t)\s+at)\s+(?:the\s+)?",
    re.I,
)
_SUFFIX = re.compile(
    r"(?:[\s,:\u2013\u2014-]+(?:(?:day|part)\s+(?:one|two|three|four|five|\d+)"
    r"|(?:my\s+)?(?:conference\s+)?(?:notes|recap|report|takeaways|highlights|review|summary)"
    r"|talks|sessions|ignites?|keynotes|lightning\s+talks|workshops|in\s+a\s+nutshell|edition"
    r"|write-?up))+\s*$",
    re.I,
)
_YEARS = re.compile(r"\s*(?:\b(?:19|20)\d\d\b|['\u2019]\d\d\b)")
_GENERIC = frozenset(
    [
        "ignite",
        "ignites",
        "sessions",
        "session",
        "notes",
        "talks",
        "talk",
        "keynotes",
        "keynote",
        "lightning",
        "workshop",
        "workshops",
        "day",
        "one",
        "two",
        "three",
        "my",
        "conference",
        "post",
        "recap",
        "report",
        "highlights",
        "takeaways",
        "panel",
        "open",
        "spaces",
        "space",
    ]
)
# Cities that host conferences, to recognise a place named in the first lines of
# notes (composed list; a city missing here is simply not found). Cities that are
# also common first names or words ("Sofia", "Nice") are left out.
_CITIES = """Amsterdam Antwerp Athens Atlanta Auckland Baltimore Bangalore Bangkok
    Barcelona Beijing Belfast Belgrade Bengaluru Berlin Bern Bilbao Birmingham Bogota Bologna
    Bordeaux Boston Bratislava Brighton Brisbane Bristol Brno Brussels Bucharest Budapest
    Buenos-Aires Cambridge Cape-Town Cardiff Chennai Chicago Cleveland Cluj Cologne
    Copenhagen Cork Dallas Delhi Denver Detroit Dresden Dubai Dublin Dusseldorf Edinburgh
    Eindhoven Frankfurt Geneva Genoa Ghent Glasgow Gothenburg Guadalajara Hamburg
    Hannover Helsinki Hong-Kong Houston Hyderabad Istanbul Jakarta Johannesburg Karlsruhe
    Kiev Kyiv Krakow Kuala-Lumpur Lagos Las-Vegas Leeds Leipzig Lille Lima Lisbon Ljubljana
    London Los-Angeles Louisville Luxembourg Lyon Madrid Malaga Malmo Manchester Manila
    Marseille Medellin Melbourne Mexico-City Miami Milan Minneapolis Montreal Moscow Mumbai
    Munich Nairobi Nantes Naples Newcastle New-York Nottingham Nuremberg Oslo Ottawa
    Oxford Paris Perth Philadelphia Phoenix Pittsburgh Porto Portland Poznan Prague Pune
    Raleigh Reykjavik Riga Rome Rotterdam Salt-Lake-City San-Diego San-Francisco San-Jose
    Santiago Sao-Paulo Seattle Seoul Seville Shanghai Sheffield Singapore Stockholm
    Stuttgart Sydney Taipei Tallinn Tel-Aviv Tokyo Toronto Toulouse Turin Utrecht Valencia
    Vancouver Venice Vienna Vilnius Warsaw Washington Wellington Wroclaw Zagreb Zurich"""
_CITY = re.compile(
    r"\b(?P<city>" + "|".join(c.replace("-", r"\s") for c in _CITIES.split()) + r")\b"
)
_CITY_NAMED = re.compile(r"^dev\s*ops\s*days\s+(?P<city>[^\W\d_][\w .'-]*?)$", re.I)
_MONTH_FOLD = {"montreal": "Montreal"}


def clean_name(text: str) -> str:
    """An event's name from a title: without "Notes from", "A recap of", "in a
    nutshell", dates, years or "Day One"; "" when nothing but such words is left."""
    name = plain(text)
    if found := dates.find(name):
        name = name[: found.span[0]] + name[found.span[1] :]
    name = _YEARS.sub(" ", name)
    for _ in range(2):
        name = _SUFFIX.sub("", _PREFIX.sub("", name.strip(" ,:;-\u2013\u2014()[]")))
    name = re.sub(r"\s+", " ", name).strip(" ,:;-\u2013\u2014()[]|")
    words = [w.lower().strip(".,:") for w in name.split()]
    if not words or all(w in _GENERIC for w in words) or len(words) > 8 or len(name) > 80:
        return ""
    return name


def name_from_file(file_name: str) -> str:
    """ "07-harbour-conf-2024-lightning-talks.md" -> "Harbour Conf"."""
    stem = PurePath(file_name.replace("\\", "/")).stem
    stem = re.sub(r"^\d{4}-\d\d-\d\d-|^\d{1,3}[-_. ]+", "", stem)
    words = " ".join(re.split(r"[-_.\s]+", stem))
    name = clean_name(words)
    return " ".join(w[:1].upper() + w[1:] for w in name.split())


# In prose, a capitalised word before a city that still leaves it a place ("In Lisbon",
# "Welcome to DevOpsDays Lisbon" is camel-cased): any other ("Ana Lima", "Tom Paris")
# makes the city a person's surname. An event's own name ("Agile Lima") is not prose.
_BEFORE_PLACE = frozenset(
    ("in", "at", "from", "to", "near", "around", "for", "of", "and", "or", "the", "this",
     "last", "next", "welcome", "visiting", "back", "greetings", "hello", "arrived",
     "landed", "leaving")
)  # fmt: skip
_NAME_WORD = re.compile(r"\b([A-Z][a-z]+)\s+$")


def city_in(text: str, *, prose: bool = False) -> str:
    """A city named in ``text`` ("" if none): "DevOpsDays Kyiv", "we met in Lisbon", and
    in ``prose`` not the surname of "Ana Lima"."""
    if match := _CITY_NAMED.match(text.strip()):
        return match["city"].strip()
    text = plain(text)
    for match in _CITY.finditer(text):
        before = _NAME_WORD.search(text[max(0, match.start() - 40) : match.start()])
        if not prose or before is None or before[1].lower() in _BEFORE_PLACE:
            return match["city"]
    return ""


def settle(
    event: ParsedEvent,
    *,
    file_name: str,
    name_sources: list[tuple[str, int | None]],
    date_sources: list[tuple[object, int | None, str]],
    first_lines: list[tuple[int, str]],
    prose: str,
) -> None:
    """Fill in the event's name, dates and city (those not given), marking guesses.

    ``name_sources``: candidate titles, best first, with their line numbers;
    ``date_sources``: front-matter values (value, line, key); ``first_lines``: the
    first lines of text, searched for a date (a line that is only a date, or a
    date and a place, is the event's, not text); ``prose``: the start of the text,
    searched for a city."""
    if not event.name:
        for text, line in name_sources:
            if name := clean_name(text):
                event.name = name
                if line:
                    event.meta_lines.add(line)
                break
        else:
            event.name = name_from_file(file_name) or "Imported notes"
            event.doubt("name", event.name, "no title names the event: named after the file")
    if event.starts_on is None:
        _settle_dates(event, file_name, name_sources, date_sources, first_lines)
    if not event.city:
        event.city = city_in(event.name)
        if not event.city and (city := city_in(prose, prose=True)):
            event.city = city
            event.doubt("city", city, "a city named near the start of the notes")
    event.name = re.sub(rf"[\s,]+{event.starts_on.year}$", "", event.name) or event.name


def _settle_dates(event, file_name, name_sources, date_sources, first_lines) -> None:
    for value, line, key in date_sources:
        if found := dates.from_value(value):
            event.starts_on, event.ends_on = found.starts_on, found.ends_on
            if found.with_time:
                event.doubt(
                    "date",
                    str(found.starts_on),
                    f"the post's {key} (a timestamp): the event may have been on other days",
                    line,
                )
            return
    for line, text in first_lines:
        if (dated := date_line(text)) is not None:
            (event.starts_on, event.ends_on), place = dated
            event.meta_lines.add(line)
            if place:
                city, _, country = place.rpartition(",") if "," in place else (place, "", "")
                event.city = event.city or city.strip()
                event.country = event.country or country.strip()
            return
        if found := dates.find(plain(text)):
            event.starts_on, event.ends_on = found.starts_on, found.ends_on
            rest = plain(text)[: found.span[0]] + plain(text)[found.span[1] :]
            if not re.sub(r"(?i)\b(?:date|dates|when|posted|published|on|at|by)\b|[\W_]", "", rest):
                event.meta_lines.add(line)
            elif len(rest) > 60:
                event.doubt("date", str(found.starts_on), "a date in the first lines", line)
            return
    for text, line in [*name_sources, (PurePath(file_name).name, None)]:
        found = (
            dates.from_file_name(text)
            if line is None and text == PurePath(file_name).name
            else dates.find(plain(text)) or dates.find_year(plain(text))
        )
        if found:
            event.starts_on = event.ends_on = found.starts_on
            if not found.sure:
                event.doubt("date", str(found.starts_on.year), "only the year is known", line)
            return
    event.starts_on = event.ends_on = timezone.localdate()
    event.doubt("date", str(event.starts_on), "no date in the notes: today stands in")


def useful_lines(lines: list[str], first_line: int, limit: int = 8) -> list[tuple[int, str]]:
    """The first ``limit`` non-blank lines (line number, text), page chrome left out."""
    found = []
    for number, line in enumerate(lines, start=first_line):
        if line.strip() and not is_chrome(line):
            found.append((number, line.strip()))
            if len(found) == limit:
                break
    return found


def today() -> datetime.date:
    return timezone.localdate()
