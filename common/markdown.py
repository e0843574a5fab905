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
from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

# The longest source each Markdown field accepts, in characters. A note is one
# person's write-up of one session or of a whole event (the longest in the real
# write-ups the importer was built on is about 6,600 characters; 10,000 is some
# 1,500 words); abstracts, event descriptions and action point details are a few
# paragraphs. At these lengths the slowest input known (tests/common/markdown_corpus.py)
# renders in about 60 ms (note body) and 25 ms (the others) of CPU, and ordinary
# prose in a few ms; bench/markdown_worst_case.py prints the figures. Far below what
# the search column can index (PostgreSQL caps a tsvector at 1 MB).
NOTE_BODY_MAX_LENGTH = 10_000
SHORT_MARKDOWN_MAX_LENGTH = 4_000

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

# How deep markup may nest; deeper content is dropped (blocks) or left as literal
# text (inline). Blocks keep CommonMark's preset, 20, which renders lists nine levels
# deep. Inline markup (emphasis in a link in strikethrough...) rarely goes past
# three, and each level costs the slowest inputs, runs of link and image openers,
# another scan: 5 instead of 20 takes about 40% off their time.
_BLOCK_NESTING = 20
_INLINE_NESTING = 5


def _markdown_it(max_nesting: int) -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark", {"html": True, "typographer": True, "maxNesting": max_nesting})
        .enable(["table", "strikethrough", "replacements", "smartquotes"])
        .use(footnote_plugin)
        .use(deflist_plugin)
    )
    # markdown-it leaves a link it deems unsafe (``javascript:``...) as literal text;
    # nh3 decides instead, with the one URL allowlist, and keeps the link's text.
    parser.validateLink = lambda url: True
    return parser


_parser = _markdown_it(_BLOCK_NESTING)
# A second parser, the same but for its nesting limit, parses the inline content:
# markdown-it has one limit for both, and changing it per render would race between
# threads rendering at once.
_inline_parser = _markdown_it(_INLINE_NESTING)


def _parse_inline(state: StateCore) -> None:
    # markdown-it's own core "inline" rule, with the inline parser.
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            _inline_parser.inline.parse(token.content, _inline_parser, state.env, token.children)


_parser.core.ruler.at("inline", _parse_inline)


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


class MarkdownFormField(forms.CharField):
    """A Markdown textarea's field. Browsers count a line break as one character against
    ``maxlength`` but send two (CRLF); they are stored as one, so the limit the page
    enforces is the one the server checks."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class MarkdownField(models.TextField):
    """A Markdown source: its forms (the admin's too) use ``MarkdownFormField``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MarkdownFormField, **kwargs})


def markdown_field(max_length: int, **kwargs) -> MarkdownField:
    """A Markdown source field of at most ``max_length`` characters: forms (the admin's
    too) refuse more with a message giving the limit, ``full_clean`` too, and importers
    read the limit from ``Field.max_length``. No database constraint: rows written before
    the limit keep their text."""
    kwargs.setdefault("help_text", f"Markdown, at most {max_length:,} characters.")
    return MarkdownField(
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
