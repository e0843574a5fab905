"""Random text for the demo data set: Zipf-weighted words filling sentence templates,
and a pool of Markdown blocks, each rendered once, that bodies are assembled from."""

import bisect
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from common.markdown import render_markdown
from demo.vocabulary import (
    ADJECTIVES,
    BULLETS,
    CODE,
    HEADINGS,
    NOUNS,
    PEOPLE,
    SENTENCES,
    TOOLS,
    VERBS,
)

# --- Random words --------------------------------------------------------------------

_TOKEN = re.compile(r"\{(\w)\}")


class Zipf:
    """Draws items with weight 1/(rank+1)^s: a few often, most rarely."""

    def __init__(self, items: Sequence, s: float = 1.0) -> None:
        self.items = items
        total, cumulative = 0.0, []
        for rank in range(len(items)):
            total += 1.0 / (rank + 1) ** s
            cumulative.append(total)
        self.cumulative, self.total = cumulative, total

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]

    def distinct(self, rng: random.Random, k: int) -> list:
        """Up to ``k`` different items (fewer when there are fewer)."""
        chosen: list = []
        for _ in range(k * 4):
            if len(chosen) == min(k, len(self.items)):
                break
            item = self(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


class Words:
    """Fills sentence templates: {N} noun, {A} adjective, {V}/{Vs}/{Vd} verb forms (as
    V, S and D), {T} tool, {P} person, {n} {m} numbers, {s} a slug."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.noun = Zipf(NOUNS, 1.0)
        self.adjective = Zipf(ADJECTIVES, 0.9)
        self.verb = Zipf(VERBS, 0.9)
        self.tool = Zipf(TOOLS, 1.0)
        self.person = Zipf(PEOPLE, 0.7)
        self._compiled: dict[str, list] = {}

    def _parts(self, template: str) -> list:
        parts = self._compiled.get(template)
        if parts is None:
            # "{Vs}" and "{Vd}" are written as {S} and {D} internally.
            parts = _TOKEN.split(template.replace("{Vs}", "{S}").replace("{Vd}", "{D}"))
            self._compiled[template] = parts
        return parts

    def fill(self, template: str) -> str:
        rng = self.rng
        out = []
        for i, part in enumerate(self._parts(template)):
            if i % 2 == 0:
                out.append(part)
            elif part == "N":
                out.append(self.noun(rng))
            elif part == "A":
                out.append(self.adjective(rng))
            elif part in "VSD":
                out.append(self.verb(rng)["VSD".index(part)])
            elif part == "T":
                out.append(self.tool(rng))
            elif part == "P":
                out.append(self.person(rng))
            elif part == "n":
                out.append(str(rng.randint(2, 12)))
            elif part == "m":
                out.append(str(rng.randint(1, 9)))
            elif part == "s":
                out.append(self.noun(rng))
        text = "".join(out)
        return text[0].upper() + text[1:]

    def sentence(self, templates: Sequence[str] = SENTENCES) -> str:
        return self.fill(self.rng.choice(templates))

    def sentences(self, low: int, high: int) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))


# --- Markdown blocks, each rendered once ---------------------------------------------


@dataclass
class Block:
    kind: str
    markdown: str
    html: str


class BlockPool:
    """Markdown blocks of several kinds with their rendered HTML. A body is several
    blocks joined by blank lines; its HTML is their HTML joined by newlines, which is
    what Markdown itself produces (it renders top-level blocks independently). Lists
    and other non-paragraph blocks never follow one of their own kind, or two lists
    would merge into one."""

    KIND_WEIGHTS = {"p": 60, "ul": 14, "ol": 5, "h": 10, "quote": 6, "code": 5}

    def __init__(self, words: Words, size: int) -> None:
        self.rng = words.rng
        self.by_kind: dict[str, list[Block]] = defaultdict(list)
        kinds, weights = zip(*self.KIND_WEIGHTS.items(), strict=True)
        for kind in self.rng.choices(kinds, weights=weights, k=size):
            markdown = self._markdown(words, kind)
            self.by_kind[kind].append(Block(kind, markdown, render_markdown(markdown)))
        for kind in kinds:  # at least one of each
            if not self.by_kind[kind]:
                markdown = self._markdown(words, kind)
                self.by_kind[kind].append(Block(kind, markdown, render_markdown(markdown)))
        self.kinds, self.weights = kinds, weights

    def _markdown(self, words: Words, kind: str) -> str:
        rng = self.rng
        if kind == "p":
            text = words.sentences(2, 6)
            if rng.random() < 0.15:
                word = words.noun(rng)
                url = f"https://slides.example.com/{word}-{rng.randint(1, 999)}"
                text += f" Slides: [{word} notes]({url})."
            if rng.random() < 0.2:
                text = f"**{words.sentence()}** {text}"
            return text
        if kind in ("ul", "ol"):
            items = [
                words.fill(rng.choice(BULLETS))
                if rng.random() < 0.6
                else words.sentence().rstrip(".")
                for _ in range(rng.randint(3, 7))
            ]
            marker = (lambda i: "-") if kind == "ul" else (lambda i: f"{i + 1}.")
            return "\n".join(f"{marker(i)} {item}" for i, item in enumerate(items))
        if kind == "h":
            return f"{rng.choice(['##', '###'])} {words.fill(rng.choice(HEADINGS))}"
        if kind == "quote":
            return f"> {words.sentence()}"
        lines = [words.fill(rng.choice(CODE)) for _ in range(rng.randint(1, 4))]
        lines = [line[0].lower() + line[1:] for line in lines]
        return "```\n" + "\n".join(lines) + "\n```"

    def block(self, kind: str) -> Block:
        return self.rng.choice(self.by_kind[kind])

    def body(self, length: int) -> tuple[str, str]:
        """Markdown of about ``length`` characters and its HTML."""
        rng = self.rng
        blocks = [self.block("p")]
        size = len(blocks[0].markdown)
        while size < length:
            kind = rng.choices(self.kinds, weights=self.weights)[0]
            if kind != "p" and (blocks[-1].kind == kind or {kind, blocks[-1].kind} <= {"ul", "ol"}):
                kind = "p"
            block = self.block(kind)
            blocks.append(block)
            size += len(block.markdown) + 2
        return join_blocks(blocks)

    def paragraphs(self, count: int) -> tuple[str, str]:
        return join_blocks([self.block("p") for _ in range(count)])


def join_blocks(blocks: Iterable[Block]) -> tuple[str, str]:
    blocks = list(blocks)
    return "\n\n".join(b.markdown for b in blocks), "\n".join(b.html for b in blocks)
