"""Markdown is rendered once at save, and whatever anyone typed comes out harmless."""

from html.parser import HTMLParser

import pytest

from common.markdown import render_markdown
from tests.factories import ActionPointFactory, EventFactory, NoteFactory, TalkFactory

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1))",
    "![img](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)" onmouseover="alert(1)">hover</p>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name="q"></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    '<a href="vbscript:msgbox(1)">x</a>',
]

FORBIDDEN = [
    "<script",
    "<iframe",
    "<style",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<meta",
    "<base",
    "<svg",
    "<math",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "style=",
    "javascript:",
    "vbscript:",
    "data:",
    "&#106;",
]


class _Markup(HTMLParser):
    """The tags, attributes and comments of some HTML, without its text: a payload that
    comes out as escaped text (``&lt;svg/onload=…&gt;``) is harmless words."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.parts.append(f"<{tag} " + " ".join(f"{k}={v}" for k, v in attrs))

    def handle_comment(self, data):
        self.parts.append(f"<!--{data}-->")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_rendered_harmless(payload):
    html = render_markdown(f"Before\n\n{payload}\n\nAfter")
    markup = "\n".join(_Markup(html).parts).lower()
    assert [bad for bad in FORBIDDEN if bad in markup] == []


def test_links_get_noopener_nofollow():
    html = render_markdown("See [the slides](https://example.com/slides).")
    assert html == (
        '<p>See <a href="https://example.com/slides" rel="noopener nofollow">the slides</a>.</p>'
    )


def test_ordinary_markdown_survives():
    html = render_markdown("## Takeaways\n\n* **Measure** first\n* `code` and _emphasis_")
    assert html == (
        "<h2>Takeaways</h2>\n<ul>\n<li><strong>Measure</strong> first</li>\n"
        "<li><code>code</code> and <em>emphasis</em></li>\n</ul>"
    )


def test_blank_source_renders_to_nothing():
    assert render_markdown("  \n ") == ""


@pytest.mark.django_db
def test_models_store_sanitised_html_when_saved():
    note = NoteFactory(body="Hello <script>alert(1)</script>**world**")
    talk = TalkFactory(abstract="[x](javascript:alert(1))")
    event = EventFactory(description="<img src=x onerror=alert(1)>")
    action_point = ActionPointFactory(details="*soon*")
    assert note.body_html == "<p>Hello <strong>world</strong></p>"
    assert talk.abstract_html == '<p><a rel="noopener nofollow">x</a></p>'
    # A tag alone on its line is an HTML block in CommonMark: no paragraph around it.
    assert event.description_html == '<img src="x">'
    assert action_point.details_html == "<p><em>soon</em></p>"


@pytest.mark.django_db
def test_pages_show_the_stored_html_not_the_source(attendee_client):
    note = NoteFactory(body="<script>alert('owned')</script>Plain words")
    response = attendee_client.get(note.talk.get_absolute_url())
    assert response.status_code == 200
    assert b"alert('owned')" not in response.content
    assert b"Plain words" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory, source, html",
    [
        (EventFactory, "description", "description_html"),
        (TalkFactory, "abstract", "abstract_html"),
        (NoteFactory, "body", "body_html"),
        (ActionPointFactory, "details", "details_html"),
    ],
)
def test_a_row_loaded_and_edited_is_rendered_again(factory, source, html):
    row = type(factory()).objects.get()
    setattr(row, source, "Now **bold**")
    row.save()
    row = type(row).objects.get()
    assert getattr(row, html) == "<p>Now <strong>bold</strong></p>"
