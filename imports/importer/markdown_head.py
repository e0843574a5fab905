"""The front matter and the head of a Markdown document: the YAML (or loose
``key: value``) block at the top, the event fields read from it and the line each came
from, and a leading "# Title" with the subtitle under it. ``parse_markdown`` settles the
event from what this module finds before the body is read."""

import re

import yaml

from imports.importer import conventions as c
from imports.importer import evidence as ev
from imports.importer.markdown_plan import HEADING

_KEYS = {
    "name": ("event", "conference", "name"),
    "starts_on": ("starts_on", "start_date", "start", "date"),
    "ends_on": ("ends_on", "end_date", "end"),
    "place": ("location", "place"),
}


def front_matter(text: str) -> tuple[dict, list[str], int, list[str]]:
    """(front matter, the lines after it, line number of the first of them, the front
    matter's own lines). YAML that does not parse is read as ``key: value`` lines; a
    block that never closes is not front matter."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, lines, 1, []
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in {"---", "..."}:
            own = lines[1:end]
            try:
                meta = yaml.safe_load("\n".join(own)) or {}
            except yaml.YAMLError:
                meta = loose_meta(own)
            if not isinstance(meta, dict):
                meta = loose_meta(own)
            return meta, lines[end + 1 :], end + 2, own
    return {}, lines, 1, []


def loose_meta(lines: list[str]) -> dict:
    """``key: value`` lines, for front matter that is not valid YAML."""
    meta = {}
    for line in lines:
        if match := re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line):
            meta[match[1]] = match[2].strip().strip("\"'")
    return meta


def meta_value(meta: dict, field: str):
    for key in _KEYS.get(field, (field,)):
        if meta.get(key) not in (None, ""):
            return key, meta[key]
    return None, None


def meta_line(meta_lines: list[str], key: str) -> int | None:
    """The line number of the front matter's ``key:``."""
    return next(
        (n for n, text in enumerate(meta_lines, start=2) if text.startswith(f"{key}:")), None
    )


def tags(meta: dict, meta_lines: list[str]) -> list[str]:
    tags = c.comma_list(meta.get("tags"))
    c.check_tags(tags, line=meta_line(meta_lines, "tags"))
    return tags


def head(lines: list[str], first_line: int) -> tuple[str, int | None, str, int | None]:
    """A leading "# Title" (or a first line that reads as a title) and the line
    right under it when that reads as its subtitle: (title, its line number,
    subtitle, its line number)."""
    useful = [(i, line) for i, line in enumerate(lines) if line.strip() and not ev.is_chrome(line)][
        :2
    ]
    if not useful:
        return "", None, "", None
    index, line = useful[0]
    heading = HEADING.match(line)
    if not (heading and heading["hashes"] == "#"):
        return "", None, "", None
    title, subtitle, sub_line = heading["text"], "", None
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if (
        following.strip()
        and not HEADING.match(following)
        and not ev.looks_like_sentence(following)
        and len(ev.plain(following)) <= 80
        and not c.BULLET.match(following)
    ):
        subtitle, sub_line = following, first_line + index + 1
    return title, first_line + index, subtitle, sub_line


def fuller(subtitle: str, title: str) -> bool:
    """Whether ``subtitle`` names the event more fully than ``title`` (it holds the
    title's first word and more)."""
    squash = lambda s: re.sub(r"[^a-z]", "", s.lower())  # noqa: E731
    first = squash(ev.plain(title).split()[0]) if ev.plain(title) else ""
    return (
        bool(first)
        and first in squash(ev.plain(subtitle))
        and len(ev.plain(subtitle)) > len(ev.plain(title))
    )
