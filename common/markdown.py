"""Markdown to sanitised HTML, run once when a model is saved (never per request).

Python-Markdown passes raw HTML through, so everything it produces goes through
nh3 with an allowlist: no script, style or iframe, no event-handler attributes, no
``javascript:`` or ``data:`` URLs; links get ``rel="noopener nofollow"``.
"""

import markdown
import nh3

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

_EXTENSIONS = ["extra", "sane_lists", "smarty"]


def render_markdown(source: str) -> str:
    """Return sanitised HTML for Markdown ``source`` (safe to mark_safe in templates)."""
    if not source.strip():
        return ""
    html = markdown.markdown(source, extensions=_EXTENSIONS, output_format="html")
    return sanitise_html(html)


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
