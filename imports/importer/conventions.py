"""How people write conference notes, as patterns both parsers share: dates, event
names, session headings with their speakers (their kinds are read by
imports.importer.kinds), people's names, tags, and the markers of takeaways and action
points. docs/import-format.md describes them."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Model

from actions.models import ActionPoint
from imports.importer import dates
from imports.importer.errors import ImportProblem
from imports.importer.kinds import kind_and_rest
from imports.importer.model import ParsedActionPoint, ParsedSession
from imports.importer.programme import split_time
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk
from talks.tagging import validate_tag_name


def max_length(model: type[Model], field: str) -> int:
    return model._meta.get_field(field).max_length


# Field limits, read from the models and checked while parsing so that an error can
# say which line (the database would only refuse the whole import).
MAX_TITLE = max_length(Talk, "title")
MAX_TOPIC = max_length(OpenSpace, "topic")
MAX_NAME = max_length(Speaker, "name")
MAX_CONVENOR = max_length(OpenSpace, "convenor")  # an open space's convenors, joined
MAX_LABEL = max_length(OpenSpace, "session_label")
MAX_TAKEAWAY = max_length(Takeaway, "text")
MAX_ACTION_TITLE = max_length(ActionPoint, "title")
MAX_NOTE_TITLE = max_length(Note, "title")
MAX_EVENT_NAME = max_length(Event, "name")
MAX_CITY = max_length(Event, "city")
MAX_COUNTRY = max_length(Event, "country")
MAX_VENUE = max_length(Event, "venue")
MAX_URL = max_length(Event, "website")
# The search index refuses a note much over a megabyte ("string is too long for
# tsvector"); when the model sets no limit of its own, notes stop well short of it.
NOTE_BODY_FALLBACK = 500_000


def note_body_limit() -> int:
    """The longest note body the site accepts: the model field's ``max_length`` or
    its length validators, whatever they are now, else ``NOTE_BODY_FALLBACK``."""
    body = Note._meta.get_field("body")
    limits = [body.max_length] if body.max_length else []
    limits += [
        v.limit_value
        for v in body.validators
        if isinstance(v, MaxLengthValidator) and isinstance(v.limit_value, int)
    ]
    return min(limits) if limits else NOTE_BODY_FALLBACK


def check_url(model: type[Model], field: str, value: str, *, line: int | None) -> None:
    """Run ``value`` through the model field's own validators (so an http/https-only
    rule on the field applies here too); ImportProblem naming the line if refused."""
    if not value:
        return
    try:
        model._meta.get_field(field).run_validators(value)
    except ValidationError as error:
        raise ImportProblem(
            f"{field}: “{value[:200]}” is not an address the site accepts "
            f"({' '.join(error.messages)})",
            line=line,
        ) from None


# Action point titles are the first sentence, shortened to this when it runs on.
ACTION_TITLE_LENGTH = 200

# --- People's names ----------------------------------------------------------------

_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "del", "della", "du", "la", "le"}
_PARTICLES |= {"bin", "al", "ten", "ter", "dos", "das", "y"}
# Capitalised words that start talk titles far more often than they are names.
_NOT_NAME_WORDS = """a an the and or of on in at to for from by with without into about over
    under beyond after before vs versus is are was be not no yes how why what when where who
    which your our
    my their its this that these those we you it they i all any every more less most new old
    good bad big small best worst first last next one two three four five ten hundred day days
    part lessons learned learning lessons notes takeaways introduction summary wrap closing
    opening keynote ignite lightning talk talks panel workshop session sessions open space
    spaces devops devopsdays dev ops sre agile lean cloud data security testing test tests
    monitoring observability platform platforms team teams engineering engineers software
    systems system service services infrastructure code kubernetes docker serverless incident
    incidents culture people process change changes scaling scale building build delivery
    deployment deployments continuous pipeline pipelines production reliability performance
    microservices architecture design product products operations management metrics logs
    logging tracing alerts alerting chaos automation tools tooling git github gitlab aws azure
    google microsoft linux python java go rust javascript ai ml machine api apis web mobile
    open source inner hard easy real world life way ways things stuff road journey story
    stories future past present"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'\u2019.-]*(?:[-'\u2019][^\W\d_]+)*\.?$")
_SPEAKER_SPLIT = re.compile(r"\s*,\s*and\s+|\s*,\s*|\s+and\s+|\s*&\s*")


def looks_like_name(text: str) -> bool:
    """Whether ``text`` reads like one person's name: two to five words, each
    capitalised (initials, "Polton-Simon", "O'Brien", "DeGrandis" and particles
    such as "van" allowed), none of them a word titles are made of."""
    words = text.split()
    names = [w for w in words if w.lower() not in _PARTICLES]
    if not 2 <= len(words) <= 5 or len(names) < 2 or words[0].lower() in _PARTICLES:
        return False
    for word in names:
        letters = re.sub(r"[-'\u2019.]", "", word)
        if (
            not _NAME_WORD.match(word)
            or not word[0].isupper()
            or (len(letters) > 1 and letters.isupper())
            or sum(c.isupper() for c in letters) > 2 + word.count("-")
            or word.lower().rstrip(".") in _NOT_NAMES
        ):
            return False
    return True


def split_speakers(text: str) -> list[str]:
    return [name.strip(" _*") for name in _SPEAKER_SPLIT.split(text.strip()) if name.strip(" _*")]


def names_in(text: str) -> list[str] | None:
    """The names in "Ann Example", "Ann Example and Bo Sample", "A, B & C", when every
    one looks like a person's name; else None."""
    names = split_speakers(text)
    return names if names and all(looks_like_name(n) for n in names) else None


# --- Session headings --------------------------------------------------------------

_ITALIC_SPEAKERS = re.compile(
    r"^(?P<title>.+?)\s*(?P<sep>[:,\u2013\u2014-]|\bby\b)?\s*(?P<mark>[_*])(?P<who>[^_*]+)(?P=mark)\s*$"
)
_DASH_SPEAKERS = re.compile(
    r"^(?P<title>.+?)(?:\s*[\u2014\u2013]\s*|\s+-\s+)(?P<who>[^\u2014\u2013]+)$"
)
_PAREN_SPEAKERS = re.compile(r"^(?P<title>.+?)\s*\((?P<who>[^()]+)\)$")
_ON_TITLE = re.compile(r"^(?P<who>.+?)\s+on\s+(?P<title>[\"\u201c\u2018'A-Z0-9].+)$")


def split_heading(text: str) -> tuple[ParsedSession, bool]:
    """A session from a heading, and whether the heading said it was one (a kind
    marker or speakers were found). The shapes, tried in order: ``Title: _Speaker_``
    (any separator before the italics), ``Title — Speaker`` (em or en dash, or a
    spaced hyphen), ``Title: Speaker Name``, ``Title by Speaker Name``, ``Title
    (Speaker Name)``, ``Speaker Name on Title``; speakers other than in italics must
    look like people's names."""
    kind, rest, marked = kind_and_rest(text)
    title, speakers = rest, []
    match = _ITALIC_SPEAKERS.match(rest)
    if match and (match["sep"] or names_in(match["who"])):
        title, speakers = match["title"].strip(), split_speakers(match["who"])
    else:
        for pattern in (_DASH_SPEAKERS, _PAREN_SPEAKERS):
            if (match := pattern.match(rest)) and (names := names_in(match["who"])):
                title, speakers = match["title"].strip(), names
                break
        else:
            for separator in (":", " by "):
                head, found, tail = rest.rpartition(separator)
                if found and head.strip() and (names := names_in(tail)):
                    title, speakers = head.strip(), names
                    break
            else:
                if (match := _ON_TITLE.match(rest)) and (names := names_in(match["who"])):
                    title, speakers = match["title"].strip(), names
    if speakers and not marked:
        # "Kubernetes Open Session: _Ann_" or "Ignite: Title — Ann" after the split.
        kind, title, marked = kind_and_rest(title)
    title = title.strip().rstrip(":").strip()
    return ParsedSession(title=title, kind=kind, speakers=speakers), marked or bool(speakers)


def check_session(session: ParsedSession, line: int | None) -> ParsedSession:
    session.line = session.line or line
    if session.starts_at is None:
        # Titles not read by ``evidence.read_line`` ("Title" over "Speaker: Ann").
        session.starts_at, session.title = split_time(session.title)
    if not session.title:
        raise ImportProblem("a session heading needs a title.", line=line)
    limit = MAX_TOPIC if session.is_open_space else MAX_TITLE
    if len(session.title) > limit:
        raise ImportProblem(f"a session title is at most {limit} characters.", line=line)
    names = [", ".join(session.speakers)] if session.is_open_space else session.speakers
    limit = MAX_CONVENOR if session.is_open_space else MAX_NAME
    if any(len(name) > limit for name in names):
        raise ImportProblem(f"a speaker's name is at most {limit} characters.", line=line)
    if len(session.session_label) > MAX_LABEL:
        raise ImportProblem(
            f"an open space's session label is at most {MAX_LABEL} characters.", line=line
        )
    return session


# Headings of the event's note rather than sessions: "Introduction", "Day Two", …
_SECTION = re.compile(
    r"^(?:intro(?:duction)?|summary|overview|conclusions?|wrap[\s-]?up|tl;?dr|overall|in\s+short"
    r"|(?:final|closing|some|my|other|general)\s+thoughts|day\s+\S+|(?:first|second|third|last)\s+day"
    r"|about\s+the\s+(?:event|conference)|(?:the\s+)?venue)\s*[.:!]?$",
    re.IGNORECASE,
)
# … and headings that are sections of the event's note in Markdown (where levels
# tell), but in plain text more likely a sub-heading of the session above.
_SOFT_SECTION = re.compile(
    r"^(?:(?:other\s+|more\s+|my\s+)?notes|links|resources|references|background|misc(?:ellaneous)?"
    r"|see\s+also|updates?|thoughts|general)\s*[.:!]?$",
    re.IGNORECASE,
)
_TAKEAWAYS = re.compile(r"\btake-?aways?\b", re.IGNORECASE)
_ACTIONS_HEADING = re.compile(
    r"^(?:my\s+|our\s+|the\s+)?(?:action\s+(?:points?|items?)|follow[\s-]?ups?|to-?dos?"
    r"|things\s+to\s+try|next\s+steps)\s*:?$",
    re.IGNORECASE,
)


def heading_role(text: str) -> str | None:
    """What a heading that is not a session starts: "takeaways", "actions",
    "section" (of the event's note), "subsection" (of the event's note in Markdown, a
    session's sub-heading in plain text), or None when it may be a session."""
    if _TAKEAWAYS.search(text):
        return "takeaways"
    if _ACTIONS_HEADING.match(text):
        return "actions"
    if _SECTION.match(text):
        return "section"
    if _SOFT_SECTION.match(text):
        return "subsection"
    return None


# --- Takeaways and action points ----------------------------------------------------

_TAGS_LINE = re.compile(r"^tags:\s*(?P<tags>.+)$", re.IGNORECASE)
_HASHTAGS = re.compile(r"(?:\s+#[^\W\d_][\w-]*)+\s*$")
BULLET = re.compile(r"^\s*(?P<marker>[-*+•‣◦▪]|\d+[.)])\s+(?P<text>.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“'(\[])")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`|(?<!\w)[*_]|[*_](?!\w))")
_LEADING_BOLD = re.compile(r"^(?:\*\*|__)(?P<title>.+?)(?:\*\*|__)\s*(?P<rest>.*)$", re.DOTALL)


def tags_line(line: str) -> list[str] | None:
    if match := _TAGS_LINE.match(line.strip()):
        return [tag.strip() for tag in match["tags"].split(",") if tag.strip()]
    return None


def check_tags(tags: list[str], *, line: int | None = None) -> None:
    """ImportProblem for the first tag the site refuses (``validate_tag_name``)."""
    for tag in tags:
        try:
            validate_tag_name(tag)
        except ValidationError as error:
            message = error.messages[0]
            # After "notes.md, line 3: " the sentence goes on in lower case.
            raise ImportProblem(message[:1].lower() + message[1:], line=line) from None


def split_tags(text: str) -> list[str]:
    """The trailing ``#tag`` words: ["a", "b"] from "Some text. #a #b"."""
    match = _HASHTAGS.search(text)
    if not match:
        return []
    return [word.lstrip("#") for word in match.group().split()]


def strip_tags(text: str) -> str:
    return _HASHTAGS.sub("", text).rstrip()


def plain(markdown: str) -> str:
    """Markdown reduced to plain text, for titles: links become their text."""
    return re.sub(r"\s+", " ", _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", markdown))).strip()


def action_point(text: str, source: str | None) -> ParsedActionPoint:
    """An action point from the text after "Action Point:". A leading bold span is
    the title and the rest the details; otherwise the title is the first sentence,
    and the whole text is the details when there is more."""
    tags = split_tags(text)
    body = strip_tags(text).strip()
    if match := _LEADING_BOLD.match(body):
        title = plain(match["title"]).rstrip(".")
        return ParsedActionPoint(title, match["rest"].strip(), source, tags)
    body = re.sub(r"\s*\n\s*", " ", body)
    flat = plain(body)
    title = _SENTENCE_END.split(flat, maxsplit=1)[0].rstrip(".")
    if len(title) > ACTION_TITLE_LENGTH:
        title = title[:ACTION_TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    # Kept when there is more than the title, links included.
    details = "" if body.rstrip(".") == title else body
    return ParsedActionPoint(title=title, details=details, source=source, tags=tags)


# "Action Point: …", "**Action Point:** …", "**Action item**: …", in a blockquote or not.
ACTION_MARKER = re.compile(
    r"^(?P<quote>>\s*)?(?:\*\*|__)?(?:action\s+(?:points?|items?)|to-?do)"
    r"(?::(?:\*\*|__)|(?:\*\*|__):|:)\s*(?P<text>.*)$",
    re.IGNORECASE,
)
TAKEAWAY_MARKER = re.compile(
    r"^(?P<quote>>\s*)?(?:\*\*|__)?(?:key\s+)?take-?away"
    r"(?::(?:\*\*|__)|(?:\*\*|__):|:)\s*(?P<text>.+)$",
    re.IGNORECASE,
)
# The line an exported report adds under an action point; ignored on import.
STATUS_LINE = re.compile(r"^\*Status:[^*]*\*$")


# --- Dates -------------------------------------------------------------------------

DATE_IN_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}|\b\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\.?,?\s+\d{4}"
    r"|\b[A-Z][a-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
)


_DATE_LINE = re.compile(
    r"^(?:(?:date|dates|when)\s*:\s*)?(?P<when>.+?)(?:\s+[·|•]\s+(?P<place>.+))?$", re.I
)


def date_line(line: str) -> tuple[tuple[datetime.date, datetime.date], str] | None:
    """((start, end), place) from a line such as "14-15 October 2025 · Oslo, Norway",
    "_October 31, 2019_" or "Date: 2019-10-31"; None when it is not one."""
    match = _DATE_LINE.match(plain(line))
    if match is None or (found := dates.find(when := match["when"])) is None:
        return None
    # The whole "when" must be the date: "October 31, 2019" is a date line, "Talk on
    # October 31, 2019" is not.
    if re.search(r"[^\W_]", when[: found.span[0]] + when[found.span[1] :]):
        return None
    return (found.starts_on, found.ends_on), (match["place"] or "").strip()


def city_and_country(place: str) -> tuple[str, str]:
    city, _, country = place.rpartition(",") if "," in place else (place, "", "")
    return city.strip(), country.strip()


# --- Event names -------------------------------------------------------------------

_TITLE_PREFIX = re.compile(
    r"^(?:my\s+|some\s+)?(?:notes|takeaways|thoughts|highlights|report)\s+(?:from|on|about)\s+",
    re.IGNORECASE,
)
_TITLE_SUFFIX = re.compile(
    r"(?:[\s,:\u2013\u2014-]+(?:day\s+(?:one|two|three|four|five|\d+)|(?:my\s+)?(?:conference\s+)?notes"
    r"|recap|report|takeaways|highlights))+$",
    re.IGNORECASE,
)


def event_name_from_title(title: str) -> str:
    """ "My notes from DevOpsDays Oslo, Day Two" -> "DevOpsDays Oslo"."""
    name = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", title.strip()))
    name = re.sub(rf"[\s,:\u2013\u2014-]+(?:{DATE_IN_TEXT.pattern})$", "", name)
    return name.strip(" ,:-\u2013\u2014")


def without_year(name: str, year: int) -> str:
    """The event name without a trailing start year: the site shows the year next to
    the name (and puts it in the slug), and staff enter names without it."""
    return re.sub(rf"[\s,]+{year}$", "", name.strip()) or name


def comma_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    text = str(value)
    return [item.strip() for item in re.split(r"," if "," in text else r"\s+", text) if item]
