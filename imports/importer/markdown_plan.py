"""Planning a Markdown body before it is read: which headings, list items and
paragraphs open sessions, decided from their own evidence (speakers, kinds, a
"speaker:" line under them) and their siblings' (a list where most items read as
"Title by Speaker", headings at the level most sessions are at). Also the line syntax
the reader and the planners share: headings, code fences and indents."""

import re
from dataclasses import dataclass

from imports.importer import conventions as c
from imports.importer import evidence as ev
from imports.importer import kinds
from imports.importer.programme import split_time

HEADING = re.compile(r"^(?P<hashes>#{1,6})(?:\s+|(?<=##)(?=[^\W\d_]))(?P<text>.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
_LINK_ITEM = re.compile(
    r"^(?:\*\*|__)?\[(?P<title>[^\]]+)\](?P<target>\([^)]*\)|\[[^\]]*\])(?:\*\*|__)?\s*(?P<rest>.*)$"
)
_BOLD_ITEM = re.compile(r"^(?:\*\*|__)(?P<title>[^*_\s](?:[^*]*?[^*_\s])?)(?:\*\*|__)(?P<rest>.*)$")
# Where a description starts after the speakers: "(Ann) - …", "Ann: …", "Ann. …".
_DESCRIPTION = re.compile(r"\s*[:;]\s+|\s+[-\u2013\u2014]+\s+|\s*[\u2013\u2014]\s*|\.\s+")
_SPAN = re.compile(
    r"^\s*(?:\*\*|__|~~)?\[?[^\s].*?(?:\]\([^)]*\)|\]\[[^\]]*\])?(?:\*\*|__|~~)?\s*$"
)
_RELATIVE = re.compile(r"^\((?!\w+:|#|/)[^)\s]+\)$")


_SETEXT = re.compile(r"^ {0,3}(?P<mark>={3,}|-{3,})\s*$")


def setext_headings(lines: list[str]) -> dict[int, int]:
    """The lines underlined with ``===`` or ``---`` (Setext headings): index of the
    text -> level (1 or 2). Only a line standing alone above its underline counts, so
    a rule under a paragraph stays a rule."""
    found: dict[int, int] = {}
    fenced = False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or index == 0 or not (match := _SETEXT.match(line)):
            continue
        above = lines[index - 1]
        before = lines[index - 2] if index >= 2 else ""
        if (
            above.strip()
            and indent_of(above) < 4
            and not HEADING.match(above)
            and not FENCE.match(above)
            and not c.BULLET.match(above)
            and not _SETEXT.match(above)
            and not above.lstrip().startswith((">", "|"))
            and (not before.strip() or HEADING.match(before) or index - 3 in found)
        ):
            found[index - 1] = 1 if match["mark"][0] == "=" else 2
    return found


def with_atx_headings(lines: list[str]) -> list[str]:
    """``lines`` with each Setext heading written as ``#`` / ``##`` and its underline
    blank, line numbers unchanged."""
    levels = setext_headings(lines)
    if not levels:
        return lines
    out = list(lines)
    for index, level in levels.items():
        out[index] = f"{'#' * level} {lines[index].strip()}"
        out[index + 1] = ""
    return out


def find_headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(index, level, text) of each heading outside code blocks."""
    found, fenced = [], False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            found.append((index, len(heading["hashes"]), heading["text"]))
    return found


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def item_reading(text: str, *, loose: bool) -> tuple[ev.Reading, bool]:
    """A list item read as a session: "[Title](url) by Ann", "[Ann - Title](url)",
    "**Title** (Ann) - what it was about", "Title by Ann." (and whether the item is
    only a link to a relative path)."""
    text = text.strip()
    link = _LINK_ITEM.match(text)
    if match := link or _BOLD_ITEM.match(text):
        rest = match["rest"].strip()
        if rest:
            title = ev.plain(match["title"])
            for who in _who_first(rest):
                reading = ev.read_line(f"{title} by {who}", loose=loose)
                if reading.speakers:
                    return reading, False
        elif link:
            return ev.read_line(match["title"], loose=loose), bool(_RELATIVE.match(match["target"]))
    return ev.read_line(text, loose=loose), False


def _who_first(rest: str) -> list[str]:
    """What may name the speakers after a title in bold or a link: all of ``rest``,
    the brackets it opens with, or what comes before a description ("(Ann) - …",
    "by Ann: …")."""
    rest = re.sub(r"^(?:by|with|[-\u2013\u2014,:])\s*", "", rest, flags=re.I)
    found = [rest]
    if match := re.match(r"^[(\[](?P<who>[^()\[\]]{2,120})[)\]]", rest):
        found.append(match["who"])
    cut = _DESCRIPTION.split(rest, maxsplit=1)[0]
    if cut != rest:
        found.append(cut.strip("()[] "))
    return found


def plan_items(lines: list[str], skip: set[int]) -> dict[int, tuple[ev.Reading, bool, int]]:
    """The list items that are sessions: a list where at least two items read as
    "Title by Speaker" (or "Speaker - Title") and most do, or a list of links to
    pages of the same notes. index -> (reading, unsure, index of its last line)."""
    items: list[tuple[int, int, str, int]] = []  # (index, indent, text, last line)
    fenced = False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
        if fenced or index in skip:
            continue
        if not (bullet := c.BULLET.match(line)):
            if _timed(line):
                # "09:30 Title - Ann" lines of a programme: items of their own kind.
                items.append((index, _TIMED, line.strip().rstrip("\\").strip(), index))
            continue
        text, last = bullet["text"], index
        following = index + 1
        while (
            following < len(lines)
            and lines[following].strip()
            and not c.BULLET.match(lines[following])
            and not HEADING.match(lines[following])
        ):
            if following == index + 1 and re.match(r"^\s*by\s", lines[following], re.I):
                text = f"{text} {lines[following].strip()}"
            last = following
            following += 1
        items.append((index, indent_of(line), text, last))
    plan: dict[int, tuple[ev.Reading, bool, int]] = {}
    groups: list[list[tuple[int, int, str, int]]] = []
    # Only the latest list at an indent can go on: an older one was ended by what
    # ended it before the latest began. (Looking at every list was quadratic.)
    latest: dict[int, list[tuple[int, int, str, int]]] = {}
    for item in items:
        indent = item[1]
        group = latest.get(indent)
        between = lines[group[-1][3] + 1 : item[0]] if group else []
        if group and all(
            not b.strip() or indent_of(b) > indent or c.BULLET.match(b) for b in between
        ):
            group.append(item)
        else:
            latest[indent] = [item]
            groups.append(latest[indent])
    for group in groups:
        if len(group) < 2 or _under_reading_list(lines, group[0][0]):
            continue
        strict = [item_reading(text, loose=False) for _, _, text, _ in group]
        named = sum(1 for reading, _ in strict if reading.score >= 0.5)
        linked = all(relative for _, relative in strict)
        loose = [item_reading(text, loose=True)[0] for _, _, text, _ in group]
        with_speakers = sum(1 for reading in loose if reading.speakers)
        if named >= 2 and with_speakers * 2 >= len(group):
            if kind := _announced_kind(lines, group[0][0]):
                for reading in loose:
                    if not reading.kind_marked:
                        reading.kind, reading.kind_marked = kind, True
            for (index, _, _, last), reading in zip(group, loose, strict=True):
                if reading.speakers and not ev.looks_like_sentence(reading.title):
                    plan[index] = (reading, reading.score < 0.5, last)
        elif linked and not any(ev.looks_like_sentence(r.title) for r, _ in strict):
            for (index, _, _, last), (reading, _) in zip(group, strict, strict=True):
                plan[index] = (reading, True, last)
    return plan


_TIMED = -1  # the indent that groups timed lines apart from list items


def _timed(line: str) -> bool:
    return (
        line[:1].isdigit()
        and len(line) <= 200
        and not HEADING.match(line)
        and split_time(line.strip())[0] is not None
    )


def _announced_kind(lines: list[str], index: int) -> str | None:
    """The kind a line right above a list of talks names: "Lightning talks:"."""
    for line in reversed(lines[max(0, index - 3) : index]):
        if line.strip():
            if c.BULLET.match(line) or HEADING.match(line):
                return None
            return ev.kind_alone(ev.plain(line).rstrip(": "))
    return None


def _under_reading_list(lines: list[str], index: int) -> bool:
    """Whether the list starting at ``index`` is announced (by the nearest heading or
    the line above it) as books, links or things to read: "Title by Author" there
    names authors, not speakers."""
    for line in reversed(lines[:index]):
        if not line.strip() or c.BULLET.match(line):
            continue
        if ev.READING_LIST.search(ev.plain(line)):
            return True
        if HEADING.match(line):
            return False
    return False


def plan_paragraphs(lines: list[str], skip: set[int]) -> dict[int, tuple[ev.Reading, int, bool]]:
    """Paragraphs that open a session: a title line with a name on the next line
    ("[Title](url)" then "Ann Example"), a name then a title in one link or span,
    or a line that is only a link or bold text reading as "Speaker - Title".
    index -> (reading, lines that make the heading, unsure)."""
    plan: dict[int, tuple[ev.Reading, int, bool]] = {}
    spans: list[tuple[int, ev.Reading]] = []
    fenced, previous = False, ""
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
        starts = line.strip() and (not previous.strip() or HEADING.match(previous))
        previous = line
        if fenced or not starts or index in skip or HEADING.match(line) or c.BULLET.match(line):
            continue
        if line.startswith(">") or c.ACTION_MARKER.match(line) or c.TAKEAWAY_MARKER.match(line):
            continue
        if ev.speaker_label(line):
            continue  # "**Speaker:** Ann" names the speaker of the heading above
        para = []
        for following in lines[index:]:
            if not following.strip() or HEADING.match(following):
                break
            para.append(following)
        first = ev.plain(para[0])
        second = ev.plain(para[1]) if len(para) > 1 else ""
        short = 0 < len(first) <= 150 and not ev.looks_like_sentence(para[0])
        if not short or (first.endswith((".", ",", ";")) and not second):
            continue
        if second and (names := ev.is_name_line(para[1])) and not ev.is_name_line(para[0]):
            reading = ev.read_line(para[0])
            if not reading.speakers:
                reading.speakers, reading.score = names, 0.8
            plan[index] = (reading, 2, False)
        elif (
            len(para) == 2
            and (names := ev.is_name_line(para[0]))
            and 0 < len(second) <= 150
            and not ev.looks_like_sentence(para[1])
            and _SPAN.match(" ".join(p.strip() for p in para))
            and re.match(r"^\s*(?:\*\*|__|~~|\[)", para[0])
        ):
            reading = ev.read_line(para[1])
            reading.speakers, reading.score = names, 0.8
            plan[index] = (reading, 2, False)
        elif (
            len(para) == 1
            and re.match(r"^\s*(?:(?:\*\*|__|~~)?\[|\*\*|__)", para[0])
            and re.search(r"(?:\*\*|__|~~|\)|\])\s*$", para[0])
            and _SPAN.match(para[0])
        ):
            spans.append((index, ev.read_line(para[0])))
        elif (
            _BOLD_ITEM.match(para[0].strip())
            and (reading := item_reading(para[0], loose=False)[0]).score >= 0.6
        ):
            # "**Title** by Ann", "**Ann** - Title", the notes on the lines under it.
            plan[index] = (reading, 1, False)
    named = [index for index, reading in spans if reading.score >= 0.6]
    sessions_near = len(named) + len(plan)
    for index, reading in spans:
        if reading.score >= 0.6:
            plan[index] = (reading, 1, False)
        elif sessions_near >= 3 and len(named) * 2 >= len(spans):
            plan[index] = (reading, 1, True)
    return plan


@dataclass
class Decision:
    what: str  # "session", "section", "sub" (text of the section or session above), "group"
    level: int
    text: str
    reading: ev.Reading | None = None
    below: list[str] | None = None  # names on a "speaker:" line under the heading
    unsure: bool = False
    why: str = ""


_TALK_WORDS = re.compile(
    r"\b(?:(?:this|the|her|his|their|a|my\s+favou?rite)\s+(?:talk|keynote|presentation|workshop)"
    r"|(?:the\s+)?speakers?\b(?!\s*:)|(?:her|his|their)\s+slides|presented\s+by|(?:she|he|they)\s+"
    r"(?:talked|spoke|presented|showed|explained))\b",
    re.I,
)


def _first_below(lines: list[str], index: int) -> str:
    for line in lines[index + 1 : index + 4]:
        if line.strip():
            return "" if HEADING.match(line) else line
    return ""


def _speakers_below(lines: list[str], index: int) -> list[str] | None:
    seen = 0
    for line in lines[index + 1 :]:
        if HEADING.match(line):
            return None
        if not line.strip():
            continue
        seen += 1
        if names := ev.speaker_label(line):
            return names
        if seen == 1 and not c.BULLET.match(line) and (names := ev.is_name_line(line)):
            return names
        if seen == 3:
            return None
    return None


def plan_headings(lines, headings, items, paragraphs) -> dict[int, Decision]:
    """What each heading is. A heading is a session when it names speakers or a
    kind, or a "speaker:" line follows it; the level most such headings are at is
    the session level, where a heading without evidence is a session too when its
    siblings are (most of them, or lettered like them). Sections ("Day 2",
    "Sprints"), page chrome and sentences never are."""
    infos = []
    for position, (index, level, text) in enumerate(headings):
        flat = ev.plain(text)
        role = c.heading_role(flat)
        negative = bool(
            role in {"takeaways", "actions", "section"}
            or ev.is_chrome(flat)
            or ev.is_section(flat)
            or not flat
        )
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        holds_sessions = any(index < i < end for i in [*items, *paragraphs])
        reading = ev.read_line(text)
        negative = negative or (ev.looks_like_sentence(flat) and not reading.speakers)
        negative = negative or len(reading.title) > c.MAX_TITLE
        below = _speakers_below(lines, index)
        if below and reading.score < 0.9:
            # A "speaker:" line says who: the heading is all title.
            reading = ev.read_line(text, split=False)
        evidence = max(reading.evidence, 0.8 if below else 0.0)
        chrome_below = _first_below(lines, index)
        if chrome_below and ev.is_chrome(chrome_below) and not negative:
            evidence = max(evidence, 0.5)  # a title above "Watch the talk on YouTube"
        if _TALK_WORDS.search(" ".join(lines[index + 1 : min(end, index + 6)])[:400]):
            evidence = max(evidence, 0.5)  # "In this talk …", "her slides", "the speaker"
        if not reading.speakers and ev.READING_LIST.search(flat):
            below_line = _first_below(lines, index)
            # "Books mentioned", "People I met" over their list: no talk.
            negative = negative or bool(below_line and c.BULLET.match(below_line))
        if holds_sessions and not reading.speakers:
            negative = True  # "Ignite talks" over a list of talks: a section, kind for them
        group = kinds.open_spaces_group(flat)[0] and role is None
        infos.append([index, level, text, negative, reading, below, evidence, group, role])
    counts: dict[int, int] = {}
    for _, level, _, negative, _, _, evidence, group, _ in infos:
        if not negative and (evidence >= 0.5 or group):
            counts[level] = counts.get(level, 0) + 1
    session_level = min(counts, key=lambda lvl: (-counts[lvl], lvl)) if counts else None
    plan: dict[int, Decision] = {}
    eligible = [i for i in infos if i[1] == session_level and not i[3]]
    lettered = any(i[4].enumerated and i[6] >= 0.5 for i in eligible)
    share = counts.get(session_level, 0) / len(eligible) if eligible else 0
    for index, level, text, negative, reading, below, evidence, group, role in infos:
        decision = Decision("sub", level, text, reading, below)
        if group and not negative and (session_level is None or level <= session_level):
            decision.what = "group"
        elif session_level is None or level < session_level:
            decision.what = "section"
        elif level == session_level:
            if negative:
                decision.what = "section"
            elif evidence >= 0.5:
                decision.what = "session"
                if reading.evidence < 0.5 and not below:
                    decision.unsure = True
                    decision.why = "no speaker: the text under it speaks of a talk"
            elif (lettered and reading.enumerated) or share >= 0.5:
                decision.what, decision.unsure = "session", True
                decision.why = "a heading like its siblings, without a speaker"
            else:
                decision.what = "section"
        elif role in {"takeaways", "actions"} and level > session_level:
            decision.what = "sub"
        plan[index] = decision
    return plan
