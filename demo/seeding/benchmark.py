"""What the benchmark and the query-count tests look at in a seeded database: the
busiest rows of each page, and how often the searched words occur."""

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q

from actions.models import ActionPoint
from demo.seeding.plan import (
    COMMON_WORD,
    HEAVY_USERNAME,
    MANAGER_USERNAME,
    RARE_PHRASE,
    STAFF_USERNAME,
)
from talks.models import Event, Note, OpenSpace, TaggedTakeaway, TaggedTalk, Takeaway, Talk


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
