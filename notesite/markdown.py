"""Markdown to sanitised HTML, run once when a model is saved (never per request).

The parser is markdown-it-py (CommonMark, plus tables, strikethrough, footnotes,
definition lists and typographic quotes and dashes), whose time grows linearly with
the input: Python-Markdown, used before, took minutes of CPU on a few kilobytes of
brackets or asterisks. Linear is not enough on its own, since a pure-Python parser
still costs several microseconds per character of dense punctuation, so every
Markdown field also has a maximum length (below): at those lengths the worst input
known renders in well under 100 ms.

Raw HTML in the source is parsed as HTML (people paste ``<kbd>``, ``<sup>`` or a
table from elsewhere) and everything produced goes through nh3 with an allowlist, as
the last step: no script, style or iframe, no event-handler attributes, no
``javascript:`` or ``data:`` URLs; links get ``rel="noopener nofollow"``. Escaping
raw HTML instead would not make the output safer (nh3 is the guarantee either way)
but would show tags as text in notes written for Python-Markdown.
"""

import nh3
from django.core.validators import MaxLengthValidator
from django.db import models
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

# The longest source each Markdown field accepts, in characters. A note is one
# person's write-up of one session (the longest real ones seen are about 4,000
# characters); abstracts, event descriptions and action point details are a few
# paragraphs. At these lengths the slowest input known (tests/markdown_corpus.py)
# renders in about 50 ms (note body) and 25 ms (the others) of CPU, and ordinary
# prose in well under 1 ms; bench/markdown_worst_case.py prints the figures. Far below
# what the search column can index (PostgreSQL caps a tsvector at 1 MB).
NOTE_BODY_MAX_LENGTH = 6_000
SHORT_MARKDOWN_MAX_LENGTH = 3_000

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with their content, not just unwrapped.
STRIPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}

# How deep blocks and inline markup may nest; content nested deeper is dropped.
# CommonMark's preset says 20; 10 still renders lists four levels deep (in a quote
# too) and takes about a third off the slowest inputs, nested link and image openers.
_MAX_NESTING = 10

_parser = (
    MarkdownIt("commonmark", {"html": True, "typographer": True, "maxNesting": _MAX_NESTING})
    .enable(["table", "strikethrough", "replacements", "smartquotes"])
    .use(footnote_plugin)
    .use(deflist_plugin)
)
# markdown-it leaves a link it deems unsafe (``javascript:``...) as literal text; nh3
# decides instead, with the one URL allowlist, and keeps the link's text without it.
_parser.validateLink = lambda url: True


def render_markdown(source: str) -> str:
    """Return sanitised HTML for Markdown ``source`` (safe to mark_safe in templates).

    Takes time linear in ``len(source)``; callers bound the length (``markdown_field``).
    """
    if not source.strip():
        return ""
    return sanitise_html(_parser.render(source).rstrip("\n"))


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=STRIPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def markdown_field(max_length: int, **kwargs) -> models.TextField:
    """A Markdown source field of at most ``max_length`` characters: forms (the admin's
    too) refuse more with a message giving the limit, ``full_clean`` too, and importers
    read the limit from ``Field.max_length``. No database constraint: rows written before
    the limit keep their text."""
    kwargs.setdefault("help_text", f"Markdown, at most {max_length:,} characters.")
    return models.TextField(
        max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


class RendersMarkdown:
    """Model mixin: ``markdown_fields`` maps each Markdown source field to the field
    that stores its sanitised HTML. Saving renders a source only when it differs from
    the one last rendered or loaded, so a save that changes something else (an action
    point marked done, in bulk) renders nothing again."""

    markdown_fields: dict[str, str] = {}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Deferred sources are left out: rendering them again is the safe side.
        instance._rendered_sources = {
            source: instance.__dict__[source]
            for source in cls.markdown_fields
            if source in instance.__dict__
        }
        return instance

    def save(self, *args, **kwargs) -> None:
        rendered = self.__dict__.setdefault("_rendered_sources", {})
        for source, html in self.markdown_fields.items():
            text = getattr(self, source)
            if source not in rendered or rendered[source] != text:
                setattr(self, html, render_markdown(text))
                rendered[source] = text
        super().save(*args, **kwargs)
