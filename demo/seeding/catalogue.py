"""The first half of seeding: the tags, people, events and sessions (talks and open
spaces) that everything else is written about."""

import datetime
import itertools
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from actions.models import ActionPoint
from demo.seeding.plan import (
    DEMO_PASSWORD,
    HEAVY_USERNAME,
    MANAGER_USERNAME,
    RARE_WORDS,
    STAFF_USERNAME,
    Plan,
)
from demo.seeding.rows import copy_rows, moment_on, next_id, spread, unique_slug
from demo.seeding.text import BlockPool, Words, Zipf
from demo.vocabulary import (
    BASE_TAGS,
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    QUESTIONS,
    SERIES,
    TAG_QUALIFIERS,
    TITLES,
    VENUES,
)
from talks.models import (
    Event,
    Note,
    OpenSpace,
    Speaker,
    TaggedEvent,
    TaggedOpenSpace,
    TaggedTalk,
    Takeaway,
    Talk,
)

# Talk kinds, and how often each occurs.
KINDS = ["talk", "ignite", "workshop", "panel", "keynote"]
KIND_WEIGHTS = [70, 15, 6, 5, 4]


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


class CatalogueSeeder:
    """Seeds the catalogue; ``demo.seeding.writing.Seeder`` adds the rest and runs it all."""

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
        first = next_id(Tag)
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
        first = next_id(User)
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
                username = unique_slug(
                    slugify(f"{first_name}.{last_name}").replace("-", "."), taken
                )
                role = rng.choices(["attendee", "manager", "staff"], weights=[87, 10, 3])[0]
                is_staff = role == "staff"
                active = rng.random() > 0.03
            joined = moment_on(self.today - datetime.timedelta(days=rng.randint(30, 3650)), rng)
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
        first = next_id(Speaker)
        taken_names: set[str] = set()
        taken_slugs: set[str] = set()
        rows = []
        for index in range(self.plan.speakers):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            while name in taken_names:
                initial = chr(rng.randint(65, 90))
                name = f"{rng.choice(FIRST_NAMES)} {initial}. {rng.choice(LAST_NAMES)}"
            taken_names.add(name)
            rows.append((first + index, name, unique_slug(slugify(name), taken_slugs)))
        copy_rows(Speaker, ["id", "name", "slug"], rows)
        self.speaker = Zipf([row[0] for row in rows], 0.5)
        return {"speakers": len(rows)}

    # Events and sessions

    def make_events(self) -> dict[str, int]:
        rng, plan = self.rng, self.plan
        first = next_id(Event)
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
            slug = unique_slug(slugify(f"{name} {starts_on.year}"), taken)
            description, description_html = ("", "")
            if rng.random() < 0.6:
                description, description_html = self.pool.paragraphs(1)
            event_id = first + index
            rows.append(
                (event_id, name, slug, starts_on, ends_on, city, country,
                 f"{city} {rng.choice(VENUES)}", f"https://{slug}.example.org/",
                 description, description_html,
                 moment_on(starts_on - datetime.timedelta(days=30), rng))
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
        per_event = spread(plan.talks, [e.weight for e in self.events], rng, minimum=1)
        first = next_id(Talk)
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
                        title = f"{title}: lessons in {RARE_WORDS}"
                    slug = unique_slug(slugify(title), taken)
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
                    created = moment_on(event.starts_on - datetime.timedelta(days=20), rng)
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
        per_event = spread(self.plan.open_spaces, [e.weight for e in hosts], rng, minimum=1)
        first = next_id(OpenSpace)
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
                slug = unique_slug(slugify(topic), taken)
                rows.append(
                    (os_id, event.id, topic, slug, convenor, label, moment_on(event.ends_on, rng))
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

    def reset_sequences(self) -> dict[str, int]:
        """Rows went in with explicit ids: move each id sequence past them."""
        models = [User, Tag, Speaker, Event, Talk, OpenSpace, Note, Takeaway, ActionPoint]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        return {}
