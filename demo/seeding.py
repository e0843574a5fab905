"""A realistic synthetic data set at any scale, for benchmarks and query-count tests.

``manage.py seed_demo --scale N`` calls ``seed()``. Scale 100 is a company of 5,000
engineers that has sent people to conferences for ten years; scale 1 is small enough
for tests. Every count is proportional to the scale (``Plan.for_scale``), with a floor
so that a tiny scale still has something of every kind:

| kind | per unit of scale | scale 1 | scale 100 |
| --- | --- | --- | --- |
| events | 50 | 50 | 5,000 |
| talks | 1,000 | 1,000 | 100,000 |
| open spaces | 100 | 100 | 10,000 |
| notes | 2,000 | 2,000 | 200,000 |
| takeaways | 2,000 | 2,000 | 200,000 |
| action points | 2,000 | 2,000 | 200,000 |
| tags | 30 | 30 | 3,000 |
| users | 50 | 50 | 5,000 |
| speakers | 400 | 400 | 40,000 |

How it is realistic (figures from scale 100, seed 1):

- Words: sentences come from templates whose slots draw from ranked vocabularies with
  Zipf-like weights (rank r weighs 1/(r+1)), so a few words are everywhere and most are
  rare. ``COMMON_WORD`` (the eleventh noun) is in about half of the notes (103,034),
  a fifth of the talks and a seventh of the action points; ``RARE_PHRASE`` is in no
  vocabulary and is planted in 10 notes, 4 takeaways and one talk. The benchmark
  searches for both.
- Tags: 1/(r+1)^1.1 weights over the tag vocabulary, and takeaways and action points
  mostly take their talk's tags: the top tag is on 57,667 takeaways, the second on
  29,576, the median tag on 22.
- Events spread over the last ten years with log-normal sizes (median 17 talks, the
  biggest 120); about a third hold open spaces. Keynotes and first talks draw more
  notes (the busiest talk has 33). Authors, speakers and assignees are long-tailed.
- Notes are Markdown of 250 to 6,000 characters (median 1,350): paragraphs, lists,
  headings, quotes, a little code; 5% are drafts. Action points on events more than
  six months old are mostly done: 76% done, 10% dropped, 14% open or in progress, of
  which most (22,628) are overdue.
- Every user's password is ``DEMO_PASSWORD``, hashed once. ``HEAVY_USERNAME`` (an
  attendee) has many open follow-ups (421), ``MANAGER_USERNAME`` is a manager and
  ``STAFF_USERNAME`` is staff with admin access; the others are mostly attendees, some
  managers and staff, a few inactive (leavers).

Rendering: the ``*_html`` columns are filled here, since COPY bypasses ``save()``.
Rendering 200,000 notes at ~1.4 ms/KB would take minutes, so note bodies, abstracts,
descriptions and details are assembled from a pool of Markdown blocks each rendered
once. Markdown renders block by block, so the joined HTML is exactly what
``render_markdown`` gives for the joined Markdown (a test checks it). Every note is a
different combination of blocks, but blocks repeat across notes: the text is more
repetitive than people's, which a search index does not mind.

Rows go in with PostgreSQL ``COPY`` (psycopg's ``cursor.copy()``) inside one
transaction with explicit ids; generated columns (the search vectors) are computed by
PostgreSQL as rows arrive. The same seed gives the same rows; dates are relative to the
day of seeding, so "overdue" stays meaningful.
"""

import bisect
import datetime
import itertools
import json
import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urlencode

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Exists, Model, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange, TaggedActionPoint
from common.markdown import render_markdown
from demo.vocabulary import (
    ACTION_POINTS,
    ADJECTIVES,
    BASE_TAGS,
    BULLETS,
    CITIES,
    CODE,
    FIRST_NAMES,
    HEADINGS,
    LAST_NAMES,
    NOUNS,
    PEOPLE,
    QUESTIONS,
    SENTENCES,
    SERIES,
    TAG_QUALIFIERS,
    TAKEAWAYS,
    TITLES,
    TOOLS,
    VENUES,
    VERBS,
)
from talks.models import (
    Event,
    Note,
    OpenSpace,
    Speaker,
    TaggedEvent,
    TaggedOpenSpace,
    TaggedTakeaway,
    TaggedTalk,
    Takeaway,
    Talk,
)

DEMO_PASSWORD = "notesite-demo"  # noqa: S105 - a published demo password
HEAVY_USERNAME = "heavy"
MANAGER_USERNAME = "manager"
STAFF_USERNAME = "staffer"
# What the benchmark searches for (see the module docstring).
COMMON_WORD = "deployment"
RARE_PHRASE = '"pager archaeology"'
_RARE_WORDS = "pager archaeology"
RARE_SENTENCE = (
    f"The speaker called it {_RARE_WORDS}: reading old alerts to find the ones nobody acts on."
)
KINDS = ["talk", "ignite", "workshop", "panel", "keynote"]
KIND_WEIGHTS = [70, 15, 6, 5, 4]

UTC = datetime.UTC


class AlreadySeeded(Exception):
    """The database already has users, events or tags: seeding refuses to mix in."""


# --- How much of everything ----------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    scale: float
    events: int
    talks: int
    open_spaces: int
    notes: int
    takeaways: int
    action_points: int
    tags: int
    users: int
    speakers: int
    # The heavy user's open or in-progress follow-ups, and their finished ones.
    heavy_active: int
    heavy_finished: int

    PER_UNIT = {
        "events": (50, 3),
        "talks": (1000, 20),
        "open_spaces": (100, 4),
        "notes": (2000, 40),
        "takeaways": (2000, 40),
        "action_points": (2000, 40),
        "tags": (30, 20),
        "users": (50, 12),
        "speakers": (400, 10),
        "heavy_active": (4, 30),
        "heavy_finished": (8, 10),
    }

    @classmethod
    def for_scale(cls, scale: float) -> "Plan":
        """Counts proportional to ``scale`` (each at least its floor)."""
        if scale <= 0:
            raise ValueError("The scale must be positive.")
        counts = {
            name: max(floor, round(per_unit * scale))
            for name, (per_unit, floor) in cls.PER_UNIT.items()
        }
        return cls(scale=scale, **counts)


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


# --- Writing rows --------------------------------------------------------------------


def _columns(model: type[Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


def copy_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (tuples in the order of ``fields``) into ``model``'s table."""
    columns = ", ".join(connection.ops.quote_name(c) for c in _columns(model, fields))
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return cursor.fetchone()[0]


def _unique(base: str, taken: set[str], limit: int = 200) -> str:
    base = (base[:limit].strip("-")) or "untitled"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment on ``day``."""
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59)), UTC
    )


def _spread(
    total: int, weights: Sequence[float], rng: random.Random, minimum: int = 0
) -> list[int]:
    """``total`` split over len(weights) buckets in proportion to the weights, each
    bucket getting at least ``minimum`` while the total allows."""
    counts = [0] * len(weights)
    if not weights:
        return counts
    base = min(minimum, total // len(weights))
    counts = [base] * len(weights)
    for index in rng.choices(range(len(weights)), weights=weights, k=total - base * len(weights)):
        counts[index] += 1
    return counts


# --- The data set --------------------------------------------------------------------


@dataclass
class EventPlan:
    id: int
    starts_on: datetime.date
    ends_on: datetime.date
    weight: float
    holds_open_spaces: bool
    talk_ids: list[int] = field(default_factory=list)
    talk_weights: list[float] = field(default_factory=list)
    open_space_ids: list[int] = field(default_factory=list)


@dataclass
class SeedReport:
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


class Seeder:
    def __init__(self, plan: Plan, seed: int, progress: Callable[[str], None] | None) -> None:
        self.plan = plan
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.report = SeedReport(plan)
        self.progress = progress or (lambda message: None)

    def step(self, name: str, function: Callable[[], dict[str, int]]) -> None:
        started = time.perf_counter()
        counts = function()
        self.report.timings[name] = time.perf_counter() - started
        self.report.counts.update(counts)
        summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
        self.progress(
            f"{name}: {summary + ' in ' if summary else ''}{self.report.timings[name]:.1f} s"
        )

    def run(self) -> SeedReport:
        pool_size = max(300, min(6000, self.plan.notes // 40))
        self.step("markdown", lambda: self.make_pool(pool_size))
        self.step("tags", self.make_tags)
        self.step("users", self.make_users)
        self.step("speakers", self.make_speakers)
        self.step("events", self.make_events)
        self.step("talks", self.make_talks)
        self.step("open spaces", self.make_open_spaces)
        self.step("notes", self.make_notes)
        self.step("takeaways", self.make_takeaways)
        self.step("action points", self.make_action_points)
        self.step("sequences", self.reset_sequences)
        return self.report

    # Markdown and vocabulary

    def make_pool(self, size: int) -> dict[str, int]:
        self.pool = BlockPool(self.words, size)
        return {"markdown blocks rendered": sum(len(v) for v in self.pool.by_kind.values())}

    def make_tags(self) -> dict[str, int]:
        names = list(BASE_TAGS)
        combos = [f"{base}-{q}" for base in BASE_TAGS for q in TAG_QUALIFIERS]
        self.rng.shuffle(combos)
        names += combos
        names = names[: self.plan.tags]
        for n in itertools.count(1):
            if len(names) >= self.plan.tags:
                break
            names.append(f"topic-{n}")
        first = _next_id(Tag)
        self.tag_ids = list(range(first, first + len(names)))
        self.tag = Zipf(self.tag_ids, 1.1)
        copy_rows(
            Tag,
            ["id", "name", "slug"],
            ((i, n, n) for i, n in zip(self.tag_ids, names, strict=True)),
        )
        return {"tags": len(names)}

    def _tags_for(self, k_low: int, k_high: int, inherited: Sequence[int] = ()) -> list[int]:
        """Tags for one row: mostly ``inherited`` ones (its talk's) when there are any."""
        rng = self.rng
        k = rng.randint(k_low, k_high)
        chosen = [t for t in inherited if rng.random() < 0.6][:k]
        for tag in self.tag.distinct(rng, k):
            if len(chosen) >= k:
                break
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    # People

    def make_users(self) -> dict[str, int]:
        rng, plan = self.rng, self.plan
        password = make_password(DEMO_PASSWORD)
        groups = dict(Group.objects.values_list("name", "pk"))
        first = _next_id(User)
        taken: set[str] = set()
        rows, memberships = [], []
        fixed = [
            (HEAVY_USERNAME, "Hedda", "Heavy", "attendee", False),
            (MANAGER_USERNAME, "Mona", "Manager", "manager", False),
            (STAFF_USERNAME, "Stef", "Staffer", "staff", True),
        ]
        for index in range(plan.users):
            user_id = first + index
            if index < len(fixed):
                username, first_name, last_name, role, is_staff = fixed[index]
                taken.add(username)
                active = True
            else:
                first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                username = _unique(slugify(f"{first_name}.{last_name}").replace("-", "."), taken)
                role = rng.choices(["attendee", "manager", "staff"], weights=[87, 10, 3])[0]
                is_staff = role == "staff"
                active = rng.random() > 0.03
            joined = _at(self.today - datetime.timedelta(days=rng.randint(30, 3650)), rng)
            rows.append(
                (user_id, password, None, False, username, first_name, last_name,
                 f"{username}@example.com", is_staff, active, joined)
            )  # fmt: skip
            if role in groups:
                memberships.append((user_id, groups[role]))
        fields = ["id", "password", "last_login", "is_superuser", "username", "first_name",
                  "last_name", "email", "is_staff", "is_active", "date_joined"]  # fmt: skip
        copy_rows(User, fields, rows)
        copy_rows(User.groups.through, ["user", "group"], memberships)
        self.user_ids = [row[0] for row in rows]
        self.heavy_id = self.user_ids[0]
        # Activity is long-tailed: a few people write most notes.
        shuffled = self.user_ids[:]
        rng.shuffle(shuffled)
        self.author = Zipf(shuffled, 0.8)
        rng.shuffle(shuffled)
        self.assignee = Zipf(shuffled[:], 0.9)
        return {"users": len(rows)}

    def make_speakers(self) -> dict[str, int]:
        rng = self.rng
        first = _next_id(Speaker)
        taken_names: set[str] = set()
        taken_slugs: set[str] = set()
        rows = []
        for index in range(self.plan.speakers):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            while name in taken_names:
                initial = chr(rng.randint(65, 90))
                name = f"{rng.choice(FIRST_NAMES)} {initial}. {rng.choice(LAST_NAMES)}"
            taken_names.add(name)
            rows.append((first + index, name, _unique(slugify(name), taken_slugs)))
        copy_rows(Speaker, ["id", "name", "slug"], rows)
        self.speaker = Zipf([row[0] for row in rows], 0.5)
        return {"speakers": len(rows)}

    # Events and sessions

    def make_events(self) -> dict[str, int]:
        rng, plan = self.rng, self.plan
        first = _next_id(Event)
        taken: set[str] = set()
        self.events: list[EventPlan] = []
        rows, links = [], []
        for index in range(plan.events):
            series, open_spaces = rng.choice(SERIES)
            city, country = rng.choice(CITIES)
            days = rng.choice([1, 1, 2, 2, 2, 3])
            ends_on = self.today - datetime.timedelta(days=rng.randint(3, 3650))
            starts_on = ends_on - datetime.timedelta(days=days - 1)
            name = f"{series} {city}"
            slug = _unique(slugify(f"{name} {starts_on.year}"), taken)
            description, description_html = ("", "")
            if rng.random() < 0.6:
                description, description_html = self.pool.paragraphs(1)
            event_id = first + index
            rows.append(
                (event_id, name, slug, starts_on, ends_on, city, country,
                 f"{city} {rng.choice(VENUES)}", f"https://{slug}.example.org/",
                 description, description_html, _at(starts_on - datetime.timedelta(days=30), rng))
            )  # fmt: skip
            weight = min(rng.lognormvariate(0, 0.6), 7.0)
            holds = rng.random() < (0.9 if open_spaces else 0.08)
            self.events.append(EventPlan(event_id, starts_on, ends_on, weight, holds))
            links += [(event_id, tag) for tag in self._tags_for(0, 2)]
        # The biggest event holds open spaces, so its page shows every section.
        max(self.events, key=lambda e: e.weight).holds_open_spaces = True
        fields = ["id", "name", "slug", "starts_on", "ends_on", "city", "country", "venue",
                  "website", "description", "description_html", "created_at"]  # fmt: skip
        copy_rows(Event, fields, rows)
        copy_rows(TaggedEvent, ["content_object", "tag"], links)
        return {"events": len(rows), "event tags": len(links)}

    def make_talks(self) -> dict[str, int]:
        rng, plan, words = self.rng, self.plan, self.words
        per_event = _spread(plan.talks, [e.weight for e in self.events], rng, minimum=1)
        first = _next_id(Talk)
        self.talk_tags: dict[int, list[int]] = {}
        speakers, links = [], []
        rare_talk = rng.randrange(plan.talks)

        def rows() -> Iterator[tuple]:
            talk_id = first
            for event, count in zip(self.events, per_event, strict=True):
                taken = {"new"}
                for position in range(count):
                    kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
                    if position == 0 and count > 5:
                        kind = "keynote"
                    title = words.fill(rng.choice(TITLES))
                    if talk_id - first == rare_talk:
                        title = f"{title}: lessons in {_RARE_WORDS}"
                    slug = _unique(slugify(title), taken)
                    abstract, abstract_html = ("", "")
                    if rng.random() < 0.7:
                        abstract, abstract_html = self.pool.paragraphs(rng.randint(1, 3))
                    slides = (
                        f"https://slides.example.com/{slug}-{talk_id}" if rng.random() < 0.5 else ""
                    )
                    video = (
                        f"https://video.example.com/watch/{talk_id}" if rng.random() < 0.4 else ""
                    )
                    event.talk_ids.append(talk_id)
                    # Keynotes and the first talks of the day draw more notes.
                    event.talk_weights.append(
                        (3.0 if kind == "keynote" else 1.0) / (position + 1) ** 0.5
                    )
                    people = rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
                    for speaker in {self.speaker(rng) for _ in range(people)}:
                        speakers.append((talk_id, speaker))
                    tags = self._tags_for(1, 4)
                    self.talk_tags[talk_id] = tags
                    links.extend((talk_id, tag) for tag in tags)
                    created = _at(event.starts_on - datetime.timedelta(days=20), rng)
                    yield (talk_id, event.id, title[:300], slug, kind, slides, video, abstract,
                           abstract_html, created)  # fmt: skip
                    talk_id += 1

        fields = ["id", "event", "title", "slug", "kind", "slides_url", "video_url", "abstract",
                  "abstract_html", "created_at"]  # fmt: skip
        count = copy_rows(Talk, fields, rows())
        copy_rows(Talk.speakers.through, ["talk", "speaker"], speakers)
        copy_rows(TaggedTalk, ["content_object", "tag"], links)
        return {"talks": count, "talk speakers": len(speakers), "talk tags": len(links)}

    def make_open_spaces(self) -> dict[str, int]:
        rng, words = self.rng, self.words
        hosts = [e for e in self.events if e.holds_open_spaces]
        per_event = _spread(self.plan.open_spaces, [e.weight for e in hosts], rng, minimum=1)
        first = _next_id(OpenSpace)
        self.open_space_tags: dict[int, list[int]] = {}
        links, rows = [], []
        os_id = first
        for event, count in zip(hosts, per_event, strict=True):
            taken = {"new"}
            for _ in range(count):
                topic = words.fill(rng.choice(QUESTIONS))
                convenor = (
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    if rng.random() < 0.8
                    else ""
                )
                day = rng.randint(1, (event.ends_on - event.starts_on).days + 1)
                label = f"Day {day}, room {rng.choice('ABCDE')}, {rng.randint(10, 16)}:00"
                slug = _unique(slugify(topic), taken)
                rows.append(
                    (os_id, event.id, topic, slug, convenor, label, _at(event.ends_on, rng))
                )
                tags = self._tags_for(1, 2)
                self.open_space_tags[os_id] = tags
                links.extend((os_id, tag) for tag in tags)
                event.open_space_ids.append(os_id)
                os_id += 1
        copy_rows(
            OpenSpace,
            ["id", "event", "topic", "slug", "convenor", "session_label", "created_at"],
            rows,
        )
        copy_rows(TaggedOpenSpace, ["content_object", "tag"], links)
        return {"open spaces": len(rows), "open space tags": len(links)}

    def _source(self, event: EventPlan, event_share: float) -> tuple[int | None, int | None]:
        """(talk id, open space id) for something written about ``event``: a talk
        (popular ones more often), an open space, or the event as a whole."""
        rng = self.rng
        roll = rng.random()
        if roll < event_share or not event.talk_ids:
            return None, None
        if event.open_space_ids and roll < event_share + 0.12:
            return None, rng.choice(event.open_space_ids)
        return rng.choices(event.talk_ids, weights=event.talk_weights)[0], None

    def _per_event(self, total: int) -> list[int]:
        weights = [len(e.talk_ids) + 2 * len(e.open_space_ids) + 1 for e in self.events]
        return _spread(total, weights, self.rng)

    def _written(self, event: EventPlan) -> datetime.datetime:
        moment = _at(
            event.ends_on + datetime.timedelta(days=int(self.rng.expovariate(1 / 4))), self.rng
        )
        return min(moment, self.now - datetime.timedelta(hours=1))

    def make_notes(self) -> dict[str, int]:
        rng, plan, words = self.rng, self.plan, self.words
        per_event = self._per_event(plan.notes)
        first = _next_id(Note)
        rare = set(rng.sample(range(plan.notes), max(3, plan.notes // 20000)))

        def rows() -> Iterator[tuple]:
            note_id = first
            for event, count in zip(self.events, per_event, strict=True):
                for _ in range(count):
                    talk, open_space = self._source(event, 0.15)
                    length = int(min(6000, max(250, rng.lognormvariate(math.log(1200), 0.6))))
                    body, body_html = self.pool.body(length)
                    if note_id - first in rare:
                        extra = f"{words.sentence()} {RARE_SENTENCE}"
                        body, body_html = (
                            f"{body}\n\n{extra}",
                            f"{body_html}\n{render_markdown(extra)}",
                        )
                    title = words.fill(rng.choice(TITLES)) if rng.random() < 0.4 else ""
                    created = self._written(event)
                    published = rng.random() < 0.95
                    updated = created + datetime.timedelta(minutes=rng.randint(0, 600))
                    status = "published" if published else "draft"
                    yield (note_id, event.id, talk, open_space, self.author(rng), title, body,
                           body_html, status, created, min(updated, self.now),
                           created if published else None)  # fmt: skip
                    note_id += 1

        fields = ["id", "event", "talk", "open_space", "author", "title", "body", "body_html",
                  "status", "created_at", "updated_at", "published_at"]  # fmt: skip
        return {"notes": copy_rows(Note, fields, rows())}

    def make_takeaways(self) -> dict[str, int]:
        rng, plan, words = self.rng, self.plan, self.words
        per_event = self._per_event(plan.takeaways)
        first = _next_id(Takeaway)
        rare = set(rng.sample(range(plan.takeaways), max(2, plan.takeaways // 50000)))
        links = []

        def rows() -> Iterator[tuple]:
            takeaway_id = first
            for event, count in zip(self.events, per_event, strict=True):
                for _ in range(count):
                    talk, open_space = self._source(event, 0.1)
                    text = words.sentence(TAKEAWAYS)
                    if rng.random() < 0.4:
                        text += " " + words.sentence()
                    if takeaway_id - first in rare:
                        text += f" Try {_RARE_WORDS} on the noisiest alerts."
                    inherited = (
                        self.talk_tags.get(talk) or self.open_space_tags.get(open_space) or ()
                    )
                    links.extend((takeaway_id, tag) for tag in self._tags_for(1, 3, inherited))
                    yield (takeaway_id, event.id, talk, open_space, text[:500], self.author(rng),
                           self._written(event))  # fmt: skip
                    takeaway_id += 1

        fields = ["id", "event", "talk", "open_space", "text", "author", "created_at"]
        count = copy_rows(Takeaway, fields, rows())
        copy_rows(TaggedTakeaway, ["content_object", "tag"], links)
        return {"takeaways": count, "takeaway tags": len(links)}

    def _status(self, event: EventPlan) -> str:
        old = (self.today - event.ends_on).days > 180
        weights = [7, 5, 78, 10] if old else [35, 20, 40, 5]
        return self.rng.choices(["open", "in_progress", "done", "dropped"], weights=weights)[0]

    def make_action_points(self) -> dict[str, int]:
        rng, plan, words = self.rng, self.plan, self.words
        per_event = self._per_event(plan.action_points)
        first = _next_id(ActionPoint)
        heavy = rng.sample(range(plan.action_points), plan.heavy_active + plan.heavy_finished)
        heavy_active = set(heavy[: plan.heavy_active])
        heavy_finished = set(heavy[plan.heavy_active :])
        labels = dict(ActionPoint.Status.choices)
        links, history = [], []

        def rows() -> Iterator[tuple]:
            ap_id = first
            for event, count in zip(self.events, per_event, strict=True):
                for _ in range(count):
                    index = ap_id - first
                    talk, open_space = self._source(event, 0.25)
                    created = self._written(event)
                    status = self._status(event)
                    assignee = self.assignee(rng) if rng.random() < 0.9 else None
                    due_on = (
                        event.ends_on + datetime.timedelta(days=rng.randint(14, 120))
                        if rng.random() < 0.85
                        else None
                    )
                    if index in heavy_active:
                        assignee, status = (
                            self.heavy_id,
                            rng.choice(["open", "open", "in_progress"]),
                        )
                        due_on = self.today + datetime.timedelta(days=rng.randint(-60, 60))
                    elif index in heavy_finished:
                        assignee, status = self.heavy_id, rng.choice(["done", "done", "dropped"])
                    if assignee is None and status in ("in_progress", "done"):
                        assignee = self.assignee(rng)
                    raised_by = self.author(rng)
                    details, details_html = ("", "")
                    if rng.random() < 0.6:
                        details, details_html = self.pool.paragraphs(rng.randint(1, 2))
                    completed = updated = None
                    if status != "open":
                        end = due_on or event.ends_on + datetime.timedelta(days=60)
                        day = min(end + datetime.timedelta(days=rng.randint(-20, 20)), self.today)
                        updated = max(_at(day, rng), created)
                        updated = min(updated, self.now)
                        comment = words.sentence() if rng.random() < 0.3 else ""
                        changes = {"status": [labels["open"], labels[status]]}
                        history.append(
                            (
                                ap_id,
                                assignee or raised_by,
                                updated,
                                json.dumps(changes),
                                comment,
                                "web",
                            )
                        )
                        if status == "done":
                            completed = updated
                    tags = self._tags_for(0, 3, self.talk_tags.get(talk, ()))
                    links.extend((ap_id, tag) for tag in tags)
                    title = words.fill(rng.choice(ACTION_POINTS))[:300]
                    yield (ap_id, event.id, talk, open_space, title, details, details_html,
                           raised_by, assignee, status, due_on, completed, created,
                           updated or created, 2 if updated else 1)  # fmt: skip
                    ap_id += 1

        fields = ["id", "event", "talk", "open_space", "title", "details", "details_html",
                  "raised_by", "assignee", "status", "due_on", "completed_at", "created_at",
                  "updated_at", "version"]  # fmt: skip
        count = copy_rows(ActionPoint, fields, rows())
        copy_rows(TaggedActionPoint, ["content_object", "tag"], links)
        copy_rows(
            ActionPointChange,
            ["action_point", "changed_by", "changed_at", "changes", "comment", "via"],
            history,
        )
        return {
            "action points": count,
            "action point tags": len(links),
            "action point history entries": len(history),
        }

    def reset_sequences(self) -> dict[str, int]:
        """Rows went in with explicit ids: move each id sequence past them."""
        models = [User, Tag, Speaker, Event, Talk, OpenSpace, Note, Takeaway, ActionPoint]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        return {}


def has_data() -> bool:
    """Whether the database has users, events or tags (seeding refuses then)."""
    return User.objects.exists() or Event.objects.exists() or Tag.objects.exists()


def seed(
    *, scale: float, seed: int = 1, progress: Callable[[str], None] | None = None
) -> SeedReport:
    """Fill an empty database with the data set for ``scale`` (see the module docstring).

    Side effects: inserts users (with role groups), tags, speakers, events, talks, open
    spaces, notes, takeaways, action points with their tags and history, all in one
    transaction, and moves the id sequences past them. Raises ``AlreadySeeded``, writing
    nothing, when the database already has users, events or tags.
    """
    plan = Plan.for_scale(scale)
    with transaction.atomic():
        if has_data():
            raise AlreadySeeded(
                "The database already has users, events or tags; seed_demo only fills an "
                "empty database (run it on a fresh one, e.g. after `migrate` on a new database)."
            )
        with connection.cursor() as cursor:
            # Bulk-load settings for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        return Seeder(plan, seed, progress).run()


def vacuum_analyze() -> None:
    """Refresh the planner's statistics and the visibility map after a bulk load (what
    autovacuum would do a little later). Inside a transaction, where VACUUM cannot
    run (tests), only ANALYZE."""
    tables = [
        model._meta.db_table
        for model in (User, User.groups.through, Tag, Speaker, Talk.speakers.through, Event,
                      Talk, OpenSpace, Note, Takeaway, ActionPoint, ActionPointChange,
                      TaggedEvent, TaggedTalk, TaggedOpenSpace, TaggedTakeaway, TaggedActionPoint)
    ]  # fmt: skip
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


# --- What the benchmark and the query-count tests look at -----------------------------


@dataclass(frozen=True)
class Targets:
    """The rows the benchmark's pages show: the busiest of each, so each page is at its
    heaviest and every one of its sections has rows."""

    heavy: User
    manager: User
    staff: User
    event_slug: str
    talk_path: tuple[str, str]
    popular_tags: tuple[str, str]

    # The pages, in the benchmark's order.
    PAGES: ClassVar[tuple[str, ...]] = (
        "healthz",
        "dashboard",
        "event",
        "talk",
        "takeaways (2 tags, all of)",
        "tag",
        "search (common word)",
        "search (rare phrase)",
        "follow-ups (heavy user)",
        "follow-ups overview",
        "admin action points",
    )

    def urls(self) -> dict[str, str]:
        """Page name → URL (without host), in the order of ``PAGES``."""
        first, second = self.popular_tags
        urls = {
            "healthz": "/healthz",
            "dashboard": "/",
            "event": f"/events/{self.event_slug}/",
            "talk": f"/events/{self.talk_path[0]}/talks/{self.talk_path[1]}/",
            "takeaways (2 tags, all of)": "/takeaways/?"
            + urlencode([("tag", first), ("tag", second), ("match", "all")]),
            "tag": f"/tags/{first}/",
            "search (common word)": "/search/?" + urlencode({"q": COMMON_WORD}),
            "search (rare phrase)": "/search/?" + urlencode({"q": RARE_PHRASE}),
            "follow-ups (heavy user)": "/follow-ups/",
            "follow-ups overview": "/follow-ups/overview/",
            "admin action points": "/admin/actions/actionpoint/?"
            + urlencode({"status__exact": "open", "assignee": self.heavy.pk}),
        }
        return {page: urls[page] for page in self.PAGES}

    def user_for(self, page: str) -> User | None:
        """Who requests ``page``: nobody for the health check, the manager for the
        overview, staff for the admin, the heavy user for the rest."""
        if page == "healthz":
            return None
        if page == "follow-ups overview":
            return self.manager
        if page.startswith("admin"):
            return self.staff
        return self.heavy


def targets() -> Targets:
    """The benchmark's rows in a seeded database (a few grouped queries)."""
    has = {
        "event_note": Exists(Note.objects.filter(event=OuterRef("pk"), talk=None, open_space=None)),
        "session_note": Exists(Note.objects.filter(event=OuterRef("pk"), talk__isnull=False)),
        "takeaway": Exists(Takeaway.objects.filter(event=OuterRef("pk"))),
        "action_point": Exists(ActionPoint.objects.filter(event=OuterRef("pk"))),
        "open_space": Exists(OpenSpace.objects.filter(event=OuterRef("pk"))),
    }
    event = (
        Event.objects.filter(*has.values())
        .annotate(talks_n=Count("talks"))
        .order_by("-talks_n", "pk")
        .values_list("slug", flat=True)
        .first()
    )
    talk_counts = (
        Note.objects.filter(talk__isnull=False)
        .values("talk")
        .annotate(n=Count("pk"))
        .order_by("-n", "talk")
    )
    complete = Talk.objects.filter(
        Exists(Takeaway.objects.filter(talk=OuterRef("pk"))),
        Exists(ActionPoint.objects.filter(talk=OuterRef("pk"))),
        Exists(Talk.speakers.through.objects.filter(talk=OuterRef("pk"))),
        Exists(TaggedTalk.objects.filter(content_object=OuterRef("pk"))),
        pk__in=talk_counts.values("talk")[:200],
    ).values_list("pk", flat=True)
    best = {row["talk"]: row["n"] for row in talk_counts[:200]}
    talk_id = max(complete, key=lambda pk: (best[pk], -pk))
    talk = Talk.objects.select_related("event").get(pk=talk_id)
    top = (
        TaggedTakeaway.objects.values("tag__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag__slug")
        .values_list("tag__slug", flat=True)[:2]
    )
    users = User.objects.filter(
        Q(username=HEAVY_USERNAME) | Q(username=MANAGER_USERNAME) | Q(username=STAFF_USERNAME)
    )
    by_name = {user.username: user for user in users}
    first, second = list(top)
    return Targets(
        heavy=by_name[HEAVY_USERNAME],
        manager=by_name[MANAGER_USERNAME],
        staff=by_name[STAFF_USERNAME],
        event_slug=event,
        talk_path=(talk.event.slug, talk.slug),
        popular_tags=(first, second),
    )


def document_frequencies() -> dict[str, dict[str, int]]:
    """How many rows of each searchable kind match COMMON_WORD and RARE_PHRASE."""
    from django.contrib.postgres.search import SearchQuery

    result: dict[str, dict[str, int]] = {}
    for text in (COMMON_WORD, RARE_PHRASE):
        query = SearchQuery(text, search_type="websearch", config="english")
        result[text] = {
            str(model._meta.verbose_name_plural): model.objects.filter(search_vector=query).count()
            for model in (Talk, OpenSpace, Note, Takeaway, ActionPoint)
        }
    return result


def tag_distribution() -> Counter:
    """Takeaways per tag (for checking the long tail)."""
    return Counter(
        dict(TaggedTakeaway.objects.values("tag").annotate(n=Count("pk")).values_list("tag", "n"))
    )
