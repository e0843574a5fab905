"""From bytes (an uploaded or named file) or pasted text to a parsed document: size,
encoding and format checks shared by the command and the web page."""

from dataclasses import dataclass
from pathlib import Path

from imports.importer.errors import ImportProblem
from imports.importer.from_markdown import parse_markdown
from imports.importer.from_text import parse_text
from imports.importer.keep import keep_every_line, list_lookalikes
from imports.importer.markdown_plan import HEADING, setext_headings
from imports.importer.model import ParsedEvent
from imports.importer.org import looks_like_org, org_to_markdown
from imports.importer.prose import prose_sessions

MAX_BYTES = 2 * 1024 * 1024
MARKDOWN, TEXT, DETECT = "markdown", "text", "detect"
FORMAT_CHOICES = [
    (DETECT, "Detect"),
    (MARKDOWN, "Markdown (front matter optional)"),
    (TEXT, "Plain text"),
]
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
_TEXT_SUFFIXES = {".txt", ".text"}
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@dataclass(frozen=True)
class Document:
    """One document to import: its name (a file name, or "pasted text"), its text,
    and its format (``MARKDOWN`` or ``TEXT``)."""

    name: str
    text: str
    format: str

    def parse(self, *, require_date: bool = True) -> ParsedEvent:
        """Parse with the format's parser; problems name this document."""
        parse = parse_markdown if self.format == MARKDOWN else parse_text
        text = self.text
        if self.format == MARKDOWN and looks_like_org(self.name, text):
            text = org_to_markdown(text)  # line for line, so line numbers still hold
        try:
            parsed = parse(text, require_date=require_date, file_name=self.name)
        except ImportProblem as problem:
            raise problem.in_file(self.name) from None
        if not parsed.sessions and not parsed.from_report:
            prose_sessions(parsed, parsed.intro)
        return list_lookalikes(keep_every_line(text, parsed))


def too_large(size: int, name: str) -> ImportProblem:
    return ImportProblem(
        f"the file is larger than 2 MB ({size / 1024 / 1024:.1f} MB); import it in parts.",
        file=name,
    )


def decode(data: bytes, name: str) -> str:
    """The text in ``data``: UTF-8 (with or without a byte-order mark), or UTF-16 with
    one. Refuses empty, oversized, binary and otherwise encoded data."""
    if len(data) > MAX_BYTES:
        raise too_large(len(data), name)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                break
            return _checked(text, name)
    if b"\x00" in data:
        raise ImportProblem("the file looks like a binary file, not notes.", file=name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportProblem(
            "the file is not UTF-8 text (nor UTF-16 with a byte-order mark); save it as "
            "UTF-8 and try again.",
            file=name,
            line=line,
        ) from None
    return _checked(text, name)


def _checked(text: str, name: str) -> str:
    if "\x00" in text:
        raise ImportProblem("the file looks like a binary file, not notes.", file=name)
    if not text.strip():
        raise ImportProblem("the file is empty: there is nothing to import.", file=name)
    return text


def detect_format(name: str, text: str) -> str:
    """Markdown or plain text: by the file name's extension, else by the text (front
    matter or a ``#`` heading means Markdown)."""
    suffix = Path(name).suffix.lower()
    if suffix in _MARKDOWN_SUFFIXES or looks_like_org(name, text):
        return MARKDOWN
    if suffix in _TEXT_SUFFIXES:
        return TEXT
    lines = text.lstrip("\ufeff").splitlines()
    if lines and lines[0].strip() == "---":
        return MARKDOWN
    if any(HEADING.match(line) for line in lines) or setext_headings(lines):
        return MARKDOWN
    return TEXT


def document(data: bytes | str, name: str, format: str = DETECT) -> Document:
    """A ``Document`` from uploaded bytes or pasted text (checked as above)."""
    if isinstance(data, str):
        size = len(data.encode("utf-8"))
        if size > MAX_BYTES:
            raise too_large(size, name)
        text = _checked(data, name)
    else:
        text = decode(data, name)
    text = text.lstrip("\ufeff")
    return Document(name, text, detect_format(name, text) if format == DETECT else format)


def read_path(path: Path, format: str = DETECT) -> Document:
    """A ``Document`` from a file on disk (its size checked before it is read)."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise too_large(size, name)
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportProblem("no such file.", file=name) from None
    except IsADirectoryError:
        raise ImportProblem("this is a folder, not a file.", file=name) from None
    except PermissionError:
        raise ImportProblem("the file cannot be read (permission denied).", file=name) from None
    return document(data, name, format)
