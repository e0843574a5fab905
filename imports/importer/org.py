"""Notes written in Emacs Org mode, read as the Markdown they amount to: ``#+TITLE:``
is the title, ``*`` headings are headings (one level below the title), ``TODO``
headings are action points, a ``:SPEAKER:`` property names the speaker, ``[[url][text]]``
is a link. Line numbers stay as they were; the lines that only configure Org
(``#+OPTIONS:``, drawers) become blank."""

import re
from pathlib import PurePath

_KEYWORD = re.compile(r"^\s*#\+(?P<key>[A-Za-z_]+):\s?(?P<value>.*)$")
_ORG_HINT = re.compile(r"^#\+(?:title|author|date|options|startup|filetags):", re.I | re.M)
_HEADING = re.compile(
    r"^(?P<stars>\*+)\s+(?:(?P<todo>TODO|NEXT|DONE|WAITING)\s+)?(?:\[#[A-C]\]\s+)?(?P<text>.*?)"
    r"(?:\s+:[\w@#%:]+:)?\s*$"  # its tags: Org's filing, not the title
)
_BLOCK = re.compile(r"^\s*#\+(?P<edge>begin|end)_(?P<kind>\w+)", re.I)
_PROPERTY = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
_LINK = re.compile(r"\[\[(?P<url>[^\]]+)\](?:\[(?P<text>[^\]]+)\])?\]")
_TIMESTAMP = re.compile(
    r"[<\[](?P<date>\d{4}-\d\d-\d\d)(?:\s+[A-Za-z]{2,3}\.?)?(?:\s+[\d:]+)?[>\]]"
)
_SPEAKER_KEYS = {"speaker", "speakers", "presenter", "presenters", "by"}


def looks_like_org(name: str, text: str) -> bool:
    """An ``.org`` file, or text whose head has Org's ``#+TITLE:``-style keywords."""
    return PurePath(name).suffix.lower() == ".org" or bool(_ORG_HINT.search(text[:4000]))


def org_to_markdown(text: str) -> str:
    """The Markdown ``text`` amounts to, line for line."""
    out: list[str] = []
    in_drawer = in_quote = in_code = False
    for line in text.splitlines():
        if block := _BLOCK.match(line):
            kind, opening = block["kind"].lower(), block["edge"].lower() == "begin"
            if kind in {"src", "example"}:
                in_code = opening
                out.append("```")
            else:
                in_quote = opening and kind == "quote"
                out.append("")
            continue
        if in_code:
            out.append(line)
            continue
        if in_drawer:
            prop = _PROPERTY.match(line)
            if prop and prop["key"].lower() == "end":
                in_drawer = False
            elif prop and prop["key"].lower() in _SPEAKER_KEYS:
                out.append(f"Speaker: {prop['value'].strip()}")
                continue
            elif prop and prop["key"].lower() in {"room", "location", "track"}:
                out.append(f"Room: {prop['value'].strip()}")
                continue
            out.append("")
            continue
        if re.match(r"^\s*:(?:properties|logbook):\s*$", line, re.I):
            in_drawer = True
            out.append("")
            continue
        if keyword := _KEYWORD.match(line):
            key, value = keyword["key"].lower(), _dates(keyword["value"].strip())
            if key == "title":
                out.append(f"# {value}")
            elif key == "date":
                out.append(f"Date: {value}")
            else:
                out.append("")
            continue
        if re.match(r"^#(?:\s|$)", line):
            out.append("")  # an Org comment
            continue
        if heading := _HEADING.match(line):
            text_ = _links(heading["text"])
            if heading["todo"] in {"TODO", "NEXT", "WAITING"}:
                out.append(f"TODO: {text_}")
            else:
                out.append(f"{'#' * min(len(heading['stars']) + 1, 6)} {text_}")
            continue
        line = _links(_dates(line))
        out.append(f"> {line}" if in_quote and line.strip() else line)
    return "\n".join(out) + "\n"


def _links(text: str) -> str:
    return _LINK.sub(lambda m: f"[{m['text'] or m['url']}]({m['url']})", text)


def _dates(text: str) -> str:
    return _TIMESTAMP.sub(lambda m: m["date"], text)
