"""What a line of notes is, from its features: a session's title (with speakers and a
kind), a section heading, page chrome, or text.

``read_line`` tries every common way of writing a session on one line ("Title \u2014
Speaker", "Speaker - Company - Title", "Title by Speaker.", "Title with Speaker",
"Speaker on Title", "Title: _Speaker_", "Title (Speaker)", "Keynote - Title") and
keeps the reading whose speaker side looks most like people's names
(``people.names_score``): position alone never decides which side of a dash is the
person. The readers add what a single line cannot show \u2014 a speaker line under it,
siblings written the same way \u2014 and decide."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from imports.importer import people
from imports.importer.kinds import kind_of
from imports.importer.programme import split_time
from talks.models import Talk

_MD_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_MD_MARK = re.compile(r"\*\*|__|~~|`|(?<!\w)[*_]|[*_](?!\w)")
_LINK_TAIL = re.compile(r"\]\([^)\s]*\)")
_HTML = re.compile(r"</?[a-zA-Z][^>]*>")
# "B. Title", "3) Title", "iv. Title", and numbered like "Talk 3: Title", "Session #2 - Title".
_ENUMERATION = re.compile(
    r"^(?:(?:[A-Z]|\d{1,2}|[ivxIVX]{1,4})[.)]\s+"
    r"|(?:talk|session|presentation)\s*(?:#|no\.?\s*)?\d{1,2}\s*(?:[:.)\u2013\u2014]|\s-)\s*)(?=\S)",
    re.I,
)
_KIND = (
    r"(?:(?:opening|closing)\s+)?keynote|ignite(?:\s+(?:session|talk))?|lightning(?:\s+talk)?"
    r"|workshop|tutorial|panel(?:\s+discussion)?|bof|talk|open\s+(?:space|session)"
)
_KIND_PREFIX = re.compile(rf"^(?P<kind>{_KIND})\s*(?:[:\u2013\u2014]|\s-\s)\s*(?P<rest>.+)$", re.I)
_KIND_ALONE = re.compile(
    rf"^(?:(?:opening|closing|morning|afternoon|day\s+\w+)\s+)?(?P<kind>{_KIND})s?(?:\s+(?:talks?|sessions?))?$",
    re.I,
)
# "Title, a keynote by Ann", "Title (keynote)", "Title BoF", "Title Open Session"
_KIND_SUFFIX = re.compile(
    rf"^(?P<rest>.+?)(?:,\s+an?\s+(?P<kind>{_KIND})\b(?P<tail>.*)|\s+\((?P<kind2>{_KIND})\)"
    rf"|\s+(?P<kind3>bof|open\s+(?:space|session)))$",
    re.I,
)
_ITALIC_WHO = re.compile(
    r"^(?P<title>.+?)\s*(?:[:,\u2013\u2014-]|\bby\b)?\s*(?P<mark>[_*])(?P<who>[^_*]+)(?P=mark)\s*$"
)
_DASHES = re.compile(r"\s+[-\u2013\u2014]+\s+|\s*[\u2013\u2014]\s*|\s+[|\u00b7\u2022]\s+")
# Links after a title to the talk's slides, video or code ("([slides](…), [video](…))",
# "[slides](…) | [video](…)", or once reduced to text "(slides, video)"): not the speaker.
_RESOURCE = (
    r"(?:the\s+)?(?:slides?|slide\s+deck|deck|video|recording|youtube|vimeo|code|repo(?:sitory)?"
    r"|github|gitlab|paper|pdf|abstract|transcript|demo|website|talk\s+page|write-?up|blog(?:\s+post)?)"
)
_RESOURCE_LINK = re.compile(
    r"[\s,;|/\u00b7\u2022(\[]{0,6}\[(?P<text>[^\[\]]{1,60})\]\([^()\s]*\)[\s,;|/\u00b7\u2022)\]]{0,6}$"
)
_RESOURCES = rf"{_RESOURCE}(?:\s{{0,3}}(?:[,;&/|]|and)\s{{0,3}}{_RESOURCE}){{0,5}}"
_RESOURCE_WORDS = re.compile(rf"^{_RESOURCES}$", re.I)
_RESOURCE_TEXT = re.compile(rf"[(\[]\s{{0,3}}{_RESOURCES}\s{{0,3}}[)\]]$", re.I)
_QUOTES = {
    '"': '"',
    "'": "'",
    "\u201c": "\u201d",
    "\u201e": "\u201c",
    "\u00ab": "\u00bb",
    "\u2018": "\u2019",
}
# Symbols that decorate a line (emoji and their joiners and variation selectors).
_SYMBOLS = frozenset(["So", "Sk", "Cf", "Mn", "Co"])
_SPEAKER_LABEL = re.compile(
    r"^\s*(?:[-*+•]\s+)?(?:\*\*|__)?(?:speakers?|presenters?|presented\s+by|by)\s*:?(?:\*\*|__)?"
    r"\s*:?\s*(?P<who>.+)$",
    re.I,
)
# A heading or line that is the page's furniture, not the author's notes.
_CHROME = re.compile(
    r"^(?:back\s+to\b|featured\s+image|(?:watch|see|view)\s+(?:the\s+)?(?:talk|video|slides|recording)"
    r"|table\s+of\s+contents|contents$|(?:read|see)\s+more|share\s+(?:this|on)|leave\s+a\s+"
    r"(?:reply|comment)|comments?$|subscribe|related\s+posts?"
    r"|filed\s+under|skip\s+to\s+content)",
    re.I,
)
# Headings of the event's note rather than sessions.
_SECTION = re.compile(
    r"^(?:intro(?:duction)?|summary|overview|conclusions?|wrap[\s-]?up|tl;?dr|overall|in\s+short"
    r"|(?:final|closing|some|my|other|general|random|last)\s+(?:thoughts|notes|words|remarks)"
    r"|(?:day|track|room)\s+\S+(?:\s*[+&,]\s*\S+)*|(?:first|second|third|fourth|last|final)\s+day"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|about\s+(?:the\s+)?(?:event|conference|me)"
    r"|(?:the\s+)?venue|pre-?(?:show|conference)|post-?conference|sprints?|sprint\s+days?"
    r"|things\s+to\s+(?:google|read|look\s+up|check\s+out|watch)(?:\s*/\s*\w+)*|sketch-?notes"
    r"|everything\s+else|misc(?:ellaneous)?|conference\s+days?|(?:the\s+)?schedule"
    r"|(?:speakers?['\u2019]?\s+)?dinner|(?:the\s+)?(?:party|social|hallway\s+track|expo|sponsors)"
    r"|travel|thanks|acknowledge?ments|(?:useful\s+)?links|resources|references|reading\s+list"
    r"|(?:all\s+)?talks|(?:the\s+)?talks\s+i\s+(?:saw|attended)|general\s+notes"
    r"|lunch|breakfast|coffee(?:\s+break)?|break|registration|welcome|networking|after-?party"
    r"|closing\s+remarks|opening\s+remarks"
    # How write-ups open and close around the talks.
    r"|wrapping\s+(?:it\s+)?up|looking\s+(?:back|ahead|forward)|in\s+(?:closing|conclusion|summary)"
    r"|to\s+(?:sum\s+up|conclude)|that['\u2019]?s\s+(?:a\s+wrap|all(?:\s+folks)?)|epilogue|afterword"
    r"|until\s+next\s+(?:time|year)|see\s+you\s+next\s+year|next\s+year|what['\u2019]?s\s+next"
    r"|(?:parting|last|closing)\s+(?:thoughts|words)|(?:overall\s+|first\s+)?impressions|verdict"
    r"|recap|(?:the\s+)?highlights|(?:my\s+)?favou?rite\s+(?:talks|sessions|quotes|moments|bits)"
    r"|honou?rable\s+mentions|(?:what|things)\s+i\s+learn(?:ed|t)|lessons\s+learn(?:ed|t)|credits"
    r"|disclaimer|about\s+the\s+author|photos|pictures|swag|food|logistics|getting\s+there"
    r"|accommodation|(?:the\s+)?(?:people|organi[sz]ers|organi[sz]ation|crowd)|updates?|edit"
    r"|(?:morning|afternoon|evening)(?:\s+(?:sessions?|talks|track))?"
    r"|(?:main\s+)?(?:stage|hall)(?:\s+\S+)?)\s*[.:!]?$",
    re.I,
)
# A heading that only names a day: "Day 1 — Tuesday 12 May", "Wednesday, 13 May", "14 May".
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"
_DATE = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?)(?:,?\s+\d{{4}})?"
    r"|\d{4}-\d\d-\d\d"
)
_JOINED = re.compile(r"\s*(?:,|&|\+|/|\band\b)\s*", re.I)
_DAY_HEADING = re.compile(
    rf"^(?:day\s+(?:\d{{1,2}}|zero|one|two|three|four|five)|(?:first|second|third|fourth|last|final)"
    rf"\s+day|{_WEEKDAY}|{_DATE})(?:\s*[:,\u2013\u2014(-]?\s*(?:{_WEEKDAY}|{_DATE}|morning|afternoon"
    r"|evening)\)?){0,3}\s*[.:!]?$",
    re.I,
)
# A list of books, links or things to read: "Title by Author" names no speaker there.
READING_LIST = re.compile(
    r"\b(?:books?|reading|to\s+read|resources|links|podcasts?|articles|papers|references"
    r"|further|bibliography|recommended|things\s+to\s+(?:google|look\s+up|check)"
    # … or of people met: "Name - Company" there names no talk.
    r"|people\s+i\s+(?:met|talked\s+to|saw)|(?:who|folks)\s+i\s+(?:met|talked\s+to)"
    r"|new\s+(?:friends|faces|contacts)|shout-?outs?|thank\s+you\s+to|thanks\s+to)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!]\s*$")


def plain(markdown: str) -> str:
    """Markdown (or HTML) reduced to its text, for titles and names."""
    text = _MD_LINK.sub(r"\1", _HTML.sub("", markdown))
    text = _LINK_TAIL.sub("", text)  # a link whose text started on the line above
    text = re.sub(r"\s+", " ", _MD_MARK.sub("", text)).strip().strip("[]").strip()
    return without_symbols(text)


def without_symbols(text: str) -> str:
    """``text`` without the emoji (or other symbols) it opens or ends with: "🎤 Title"."""
    start, end = 0, len(text)
    while start < end and _decoration(text[start]):
        start += 1
    while end > start and _decoration(text[end - 1]):
        end -= 1
    return text[start:end]


def _decoration(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _SYMBOLS


def without_resources(markdown: str) -> str:
    """A title line without the links to slides, video or code it ends with."""
    markdown = markdown.rstrip()
    if len(markdown) > 1000 or not markdown.endswith((")", "]")):
        return markdown  # no title is this long; and only brackets end a link
    while (match := _RESOURCE_LINK.search(markdown)) and _RESOURCE_WORDS.match(
        without_symbols(match["text"].strip(" *_"))
    ):
        markdown = markdown[: match.start()]
    return _RESOURCE_TEXT.sub("", markdown.rstrip()).rstrip(" ,;|/\u00b7\u2022([")


def unquoted(title: str) -> str:
    """A title without the quotation marks around it: \u201cTitle\u201d, "Title"."""
    title = title.strip()
    if len(title) > 2 and _QUOTES.get(title[0]) == title[-1] and title[-1] not in title[1:-1]:
        return title[1:-1].strip()
    return title


def untimed(text: str) -> str:
    """``text`` without a start time before it ("12:30 Lunch" is a section too)."""
    return split_time(plain(text))[1]


def is_chrome(text: str) -> bool:
    return bool(_CHROME.match(untimed(text)))


def is_section(text: str) -> bool:
    flat = untimed(text)
    if _SECTION.match(flat) or _DAY_HEADING.match(flat):
        return True
    # "Food and logistics", "Travel & venue": sections joined.
    parts = _JOINED.split(flat) if len(flat) <= 80 else []
    return len(parts) > 1 and all(_SECTION.match(p) or _DAY_HEADING.match(p) for p in parts)


def kind_alone(text: str) -> str | None:
    """The kind a heading names when it is only a kind: "Lightning talks", "Keynote"."""
    match = _KIND_ALONE.match(untimed(text))
    return kind_of(match["kind"]) if match else None


def speaker_label(line: str) -> list[str] | None:
    """The names on a "speaker: Ann Example" / "* speakers: A, B" line."""
    match = _SPEAKER_LABEL.match(line)
    if not match or (match.group(0).lstrip(" -*+•").lower().startswith("by") and ":" not in line):
        return None
    who = plain(match["who"]).strip(" .")
    names = [people.without_company(n)[0] for n in people.split_names(who)]
    if any(len(n) > 100 for n in names):
        return None  # a sentence after "Speaker:", not names
    return [n for n in names if n] or None


def looks_like_sentence(text: str) -> bool:
    """Prose rather than a title: long, or several words ending with a full stop."""
    flat = plain(text)
    words = flat.split()
    return len(flat) > 160 or (len(words) > 10 and bool(_SENTENCE_END.search(flat)))


@dataclass
class Reading:
    """One way of reading a line as a session."""

    title: str
    speakers: list[str] = field(default_factory=list)
    kind: str = Talk.Kind.TALK
    score: float = 0.0  # how much the speaker side looks like people (0 without speakers)
    kind_marked: bool = False
    enumerated: bool = False
    company: str = ""
    starts_at: datetime.time | None = None  # "10:30 Title — Ann"

    @property
    def evidence(self) -> float:
        """How much this line says, by itself, that it is a session."""
        return max(self.score, 0.7 if self.kind_marked else 0.0)


def _strip_kind(text: str) -> tuple[str, str | None]:
    if match := _KIND_PREFIX.match(text):
        return match["rest"].strip(), kind_of(match["kind"])
    if match := _KIND_SUFFIX.match(text):
        kind = match["kind"] or match["kind2"] or match["kind3"]
        rest = match["rest"].strip()
        if match["tail"]:
            rest = f"{rest}{match['tail']}"  # ", a keynote by Ann" keeps "by Ann"
        return rest, kind_of(kind)
    return text, None


def _candidates(text: str, loose: bool) -> list[tuple[str, str, float]]:
    """(title, who, bonus) pairs for every split of ``text`` a convention allows."""
    found: list[tuple[str, str, float]] = []
    parts = [p for p in _DASHES.split(text) if p.strip()]
    if len(parts) >= 2:
        found.append((" - ".join(parts[:-1]), parts[-1], 0.0))
        found.append((" - ".join(parts[1:]), parts[0], 0.0))
        if len(parts) >= 3 and len(parts[1].split()) <= 2:
            # "Speaker - Company - Title"
            found.append((" - ".join(parts[2:]), f"{parts[0]} ({parts[1]})", 0.05))
    head, sep, tail = text.rpartition(" by ")
    if sep and head.strip():
        found.append((head, tail.rstrip(". "), 0.1))
    head, sep, tail = text.rpartition(" with ")
    if sep and head.strip():
        found.append((head, tail.rstrip(". "), 0.0 if loose else -0.05))
    head, sep, tail = text.partition(" on ")
    if sep and tail.strip():
        found.append((tail, head, -0.05))
    head, sep, tail = text.rpartition(":")
    if sep and head.strip():
        found.append((head, tail, -0.05))
    head, sep, tail = text.partition(":")
    if sep and tail.strip():
        found.append((tail, head, -0.1))  # "Speaker: Title"
    if match := re.match(r"^(?P<title>.+?)\s*\((?P<who>[^()]+)\)$", text):
        found.append((match["title"], match["who"], 0.0))
    return found


def read_line(text: str, *, loose: bool = False, split: bool = True) -> Reading:
    """The best reading of ``text`` (Markdown allowed) as a session heading.

    ``loose``: siblings already say this is a list of sessions, so a speaker may be a
    single capitalised word ("by Zed"). ``split=False``: the speakers are known from
    elsewhere (a "speaker:" line), so the whole line is the title. A start time
    before it ("10:30 Title — Ann") is the reading's ``starts_at``, not the title's."""
    starts_at, raw = split_time(text.strip())
    reading = _read_line(raw, loose=loose, split=split)
    reading.starts_at = starts_at
    return reading


def _read_line(raw: str, *, loose: bool, split: bool) -> Reading:
    reading = _best_reading(without_resources(raw), loose=loose, split=split)
    reading.title = unquoted(reading.title)
    return reading


def _best_reading(raw: str, *, loose: bool, split: bool) -> Reading:
    italic = _ITALIC_WHO.match(plain_keep_italics(raw))
    flat = plain(raw)
    enumerated = bool(_ENUMERATION.match(flat))
    if enumerated:
        flat = _ENUMERATION.sub("", flat, count=1)
    rest, kind = _strip_kind(flat)
    reading = Reading(
        flat, kind=kind or Talk.Kind.TALK, kind_marked=bool(kind), enumerated=enumerated
    )
    if alone := kind_alone(flat):
        reading.kind, reading.kind_marked = alone, True
        return reading
    reading.title = rest
    if not split:
        return reading
    if italic and italic["title"].strip():
        score, names = people.names_score(italic["who"])
        title, kind2 = _strip_kind(_ENUMERATION.sub("", plain(italic["title"]), count=1))
        reading = Reading(
            title.strip(" :,-"),
            names,
            kind2 or reading.kind,
            max(score, 0.8),
            bool(kind or kind2),
            enumerated,
        )
        return reading
    best: tuple[float, str, list[str], str] | None = None
    for title, who, bonus in _candidates(rest, loose):
        title = title.strip(" :,-\u2013\u2014")
        who = who.strip(" :,.-\u2013\u2014")
        if not title or not who:
            continue
        score, names = people.names_score(who)
        if loose and not score and names and all(_single_name(n) for n in names):
            score = 0.45
        if not score:
            continue
        # The title side must not look like a person more; as much, it weakens.
        as_name = people.name_score(title)
        if as_name > score:
            continue
        if as_name == score:
            single = len(names) == 1
            bonus -= 0.1 * (single and len(who.split()) > len(title.split()))
        company = ", ".join(
            c for n in people.split_names(who) if (c := people.without_company(n)[1])
        )
        if best is None or score + bonus > best[0]:
            best = (score + bonus, title, names, company)
    if best is not None:
        score, title, names, company = best
        title, kind2 = _strip_kind(title)
        reading.title, reading.speakers, reading.score = title.strip(), names, min(score, 1.0)
        reading.company = company
        if kind2:
            reading.kind, reading.kind_marked = kind2, True
    return reading


def _single_name(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and len(name) <= 40


def plain_keep_italics(markdown: str) -> str:
    """Links reduced to their text, other marks kept (``_Speaker_`` is evidence)."""
    return _MD_LINK.sub(r"\1", _HTML.sub("", markdown)).strip()


def is_name_line(line: str) -> list[str] | None:
    """A line that is only people's names ("Ann Example", "by Ann Example")."""
    text = plain(line).strip(" []*_~")
    text = re.sub(r"^(?:by|with|presented\s+by|[-\u2013\u2014])\s+", "", text, flags=re.I)
    score, names = people.names_score(text)
    return names if score >= 0.6 else None
