"""Pathological Markdown: inputs that make naive parsers slow, each built at a given length.

Shared by tests/common/test_markdown_limits.py (which fails when any renders too slowly at a
field's maximum length) and bench/markdown_worst_case.py (which prints the figures).
Most cases are CommonMark's own (cmark's test/pathological_tests.py), written here as
generators so that each fills exactly the length asked for; the rest are the inputs
that took minutes in production, deep nesting of every construct, long runs of the
characters parsers look behind or ahead for, and what the table and footnote
extensions add.
"""

from collections.abc import Callable


def _repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _around(opening: str, middle: str, closing: str, length: int) -> str:
    """``opening`` repeated, ``middle``, then ``closing`` as many times: balanced nesting."""
    count = max((length - len(middle)) // (len(opening) + len(closing)), 0)
    return _repeat(opening * count + middle + closing * count, length)


def _rising_backticks(length: int) -> str:
    # cmark's "backticks": e`, e``, e```... every run length once, none ever closed.
    parts, size, width = [], 0, 1
    while size < length:
        part = "e" + "`" * width
        parts.append(part)
        size += len(part)
        width += 1
    return "".join(parts)[:length]


def _nested_list(length: int) -> str:
    # cmark's "deeply nested lists": each item indented one level deeper.
    lines, size, depth = [], 0, 0
    while size < length:
        line = "  " * depth + "* a\n"
        lines.append(line)
        size += len(line)
        depth += 1
    return "".join(lines)[:length]


def _nested_ordered_list(length: int) -> str:
    lines, size, depth = [], 0, 0
    while size < length:
        line = "   " * depth + "1. a\n"
        lines.append(line)
        size += len(line)
        depth += 1
    return "".join(lines)[:length]


def _references(length: int) -> str:
    # cmark's "many references": definitions, then as many uses.
    half = length // 2
    definitions, size, n = [], 0, 0
    while size < half:
        line = f"[{n}]: u\n"
        definitions.append(line)
        size += len(line)
        n += 1
    uses = "".join(f"[{i}] " for i in range(n))
    return _repeat("".join(definitions) + "\n" + uses + "\n", length)


def _footnotes(length: int) -> str:
    half = length // 2
    definitions, size, n = [], 0, 0
    while size < half:
        line = f"[^{n}]: a\n"
        definitions.append(line)
        size += len(line)
        n += 1
    uses = "".join(f"x[^{i}] " for i in range(n))
    return _repeat(uses + "\n\n" + "".join(definitions), length)


def _table_rows(length: int) -> str:
    return _repeat("| a | b |\n| - | - |\n" + _repeat("| c | d |\n", length), length)


def _table_columns(length: int) -> str:
    columns = max(length // 6, 1)
    table = "|a" * columns + "|\n" + "|-" * columns + "|\n" + "|b" * columns + "|\n"
    return _repeat(table, length)


def _distinct_words(length: int) -> str:
    # Plain prose at its heaviest for the search index: no word repeats.
    words, size, n = [], 0, 0
    while size < length:
        word = f"w{n:x}q "
        words.append(word)
        size += len(word)
        n += 1
    text = "".join(words)[:length]
    # Forms strip trailing spaces: end on a letter so the text saved is the text sent.
    return text[:-1] + "z" if text.endswith(" ") else text


CORPUS: dict[str, Callable[[int], str]] = {
    # The reports that started this: minutes of CPU per request with Python-Markdown.
    "reported: [ x4000 then ]( x2000": lambda n: _repeat("[" * 4000 + "](" * 2000, n),
    "reported: *a repeated": lambda n: _repeat("*a", n),
    # cmark's test/pathological_tests.py.
    "cmark: nested strong emph": lambda n: _around("*a **a ", "b", " a** a*", n),
    "cmark: many emph closers with no openers": lambda n: _repeat("a_ ", n),
    "cmark: many emph openers with no closers": lambda n: _repeat("_a ", n),
    "cmark: many link closers with no openers": lambda n: _repeat("a]", n),
    "cmark: many link openers with no closers": lambda n: _repeat("[a", n),
    "cmark: mismatched openers and closers": lambda n: _repeat("*a_ ", n),
    "cmark: openers and closers multiple of 3": lambda n: ("a**b" + _repeat("c* ", n))[:n],
    "cmark: link openers and emph closers": lambda n: _repeat("[ a_", n),
    "cmark: pattern [ (]( repeated": lambda n: _repeat("[ (](", n),
    "cmark: pattern ![[]() repeated": lambda n: _repeat("![[]()", n),
    "cmark: hard link/emph case": lambda n: _repeat("**x [a*b**c*](d) ", n),
    "cmark: nested brackets": lambda n: _around("[", "a", "]", n),
    "cmark: nested block quotes": lambda n: _repeat("> ", n - 1) + "a",
    "cmark: deeply nested lists": _nested_list,
    "cmark: U+0000 in input": lambda n: _repeat("abc\u0000de\u0000", n),
    "cmark: backticks": _rising_backticks,
    "cmark: unclosed links A": lambda n: _repeat("[a](<b", n),
    "cmark: unclosed links B": lambda n: _repeat("[a](b", n),
    "cmark: unclosed <!--": lambda n: ("</" + _repeat("<!--", n))[:n],
    "cmark: unclosed <?": lambda n: _repeat("a <?", n),
    "cmark: unclosed <!A": lambda n: _repeat("a <!A", n),
    "cmark: unclosed <![CDATA[": lambda n: _repeat("a <![CDATA[", n),
    "cmark: many references": _references,
    # Deep nesting of each construct.
    "nesting: [ then ]": lambda n: _around("[", "x", "]", n),
    "nesting: [ then ](u)": lambda n: _around("[", "x", "](u)", n),
    "nesting: * then *": lambda n: _around("*", "x", "*", n),
    "nesting: _ then _": lambda n: _around("_", "x", "_", n),
    "nesting: ** and __ alternating": lambda n: _around("**__", "x", "__**", n),
    "nesting: backticks, one run": lambda n: _around("`", "x", "`", n),
    "nesting: backtick runs unmatched": lambda n: _repeat("`` ` ``` x ", n),
    "nesting: > without spaces": lambda n: _repeat(">", n - 1) + "a",
    "nesting: > one per line": lambda n: _repeat(">" * 40 + " a\n", n),
    "nesting: - lists": lambda n: _repeat("- ", n - 1) + "a",
    "nesting: 1. lists": _nested_ordered_list,
    "nesting: mixed > - 1.": lambda n: _repeat("> - 1. ", n - 1) + "a",
    # Long runs of the characters a parser scans around.
    "runs: <": lambda n: _repeat("<", n),
    "runs: <a": lambda n: _repeat("<a ", n),
    "runs: <a href=": lambda n: _repeat('<a href="', n),
    "runs: &": lambda n: _repeat("&", n),
    "runs: &#": lambda n: _repeat("&#", n),
    "runs: &amp without ;": lambda n: _repeat("&amp", n),
    "runs: backslashes": lambda n: _repeat("\\", n),
    "runs: backslash-escaped punctuation": lambda n: _repeat("\\*\\[\\_", n),
    "runs: ![": lambda n: _repeat("![", n),
    "runs: ](": lambda n: _repeat("](", n),
    "runs: <http autolinks unclosed": lambda n: _repeat("<http://a", n),
    "runs: quotes for smart quotes": lambda n: _repeat("'\"", n),
    "runs: -- and ... for typography": lambda n: _repeat("--...", n),
    "runs: ~~ strikethrough": lambda n: _repeat("~~a", n),
    "runs: one long line of spaces": lambda n: "a" + " " * (n - 2) + "b",
    "runs: blank lines": lambda n: _repeat("\n", n),
    "runs: setext underlines": lambda n: _repeat("a\n=\n", n),
    "runs: ``` fences unclosed": lambda n: _repeat("```\n", n),
    # The extensions (tables, footnotes, definition lists).
    "extensions: many table rows": _table_rows,
    "extensions: one wide table": _table_columns,
    "extensions: many footnotes": _footnotes,
    "extensions: definition lists": lambda n: _repeat("term\n: definition\n", n),
    # Ordinary prose, the heaviest for the search index.
    "prose: distinct words": _distinct_words,
}
