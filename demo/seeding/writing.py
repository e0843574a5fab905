"""The second half of seeding: what people wrote about the events (notes, takeaways,
action points with their history), and the order of the whole run."""

import datetime
import json
import math
from collections.abc import Iterator

from actions.models import ActionPoint, ActionPointChange, TaggedActionPoint
from common.markdown import render_markdown
from demo.seeding.catalogue import CatalogueSeeder, EventPlan, SeedReport
from demo.seeding.plan import RARE_SENTENCE, RARE_WORDS
from demo.seeding.rows import copy_rows, moment_on, next_id, spread
from demo.vocabulary import ACTION_POINTS, TAKEAWAYS, TITLES
from talks.models import Note, TaggedTakeaway, Takeaway


class Seeder(CatalogueSeeder):
    """Seeds the whole data set: the catalogue, then what was written about it."""

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

    # What people wrote

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
        return spread(total, weights, self.rng)

    def _written(self, event: EventPlan) -> datetime.datetime:
        moment = moment_on(
            event.ends_on + datetime.timedelta(days=int(self.rng.expovariate(1 / 4))), self.rng
        )
        return min(moment, self.now - datetime.timedelta(hours=1))

    def make_notes(self) -> dict[str, int]:
        rng, plan, words = self.rng, self.plan, self.words
        per_event = self._per_event(plan.notes)
        first = next_id(Note)
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
        first = next_id(Takeaway)
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
                        text += f" Try {RARE_WORDS} on the noisiest alerts."
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
        first = next_id(ActionPoint)
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
                        updated = max(moment_on(day, rng), created)
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
