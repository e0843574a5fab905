"""One search over talks, open spaces, notes, takeaways, action points and speakers.

Each kind is ranked over its stored ``search_vector`` (a generated tsvector column
with a GIN index): its latest RANK_CANDIDATES matches are ranked and the ids and ranks
of the best PER_KIND_LIMIT kept, all kinds in one query however many rows match; the
kinds are merged by rank in Python. Only the hits on the page shown are loaded and
highlighted (``highlighted``, one query per kind found): a page shows 20 of up to
300 hits, and building the other rows' objects cost more than ranking them. Snippets
come from PostgreSQL's ``ts_headline`` with random markers, over the plain text of the
rendered Markdown (so no ``*`` or ``[link](…)`` shows), and are escaped here before
the markers become ``<mark>``, so text people typed can never inject HTML.
"""

import enum
import html
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
)
from django.db import connection
from django.db.models import (
    BigIntegerField,
    F,
    Func,
    Model,
    QuerySet,
    TextField,
    Value,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import get_text_list
from taggit.models import Tag

from actions.models import ActionPoint
from common.db import SEARCH_CONFIG, IsAnyOf
from talks.models import (
    Event,
    Note,
    OpenSpace,
    Speaker,
    Takeaway,
    Talk,
)

# Ranked queries are always LIMITed: the best matches of each kind.
PER_KIND_LIMIT = 50
# Ranking reads every ranked row's vector (a note's is about 1.5 KB), so only the
# latest this many matches of a kind are ranked: a common word matches 100,000 notes.
# Finding and ranking 2,000 took 20-25 ms a kind at scale 100, six kinds a search;
# the best 50 of the latest 500 are as relevant, in a quarter of the time.
RANK_CANDIDATES = 500


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    plural: str
    # The rows a user may see, bare (for ranking), and as a result loads them.
    visible: Callable[[AbstractBaseUser], QuerySet]
    rows: Callable[[AbstractBaseUser], QuerySet]
    title_field: str
    # The sanitised HTML of the longer text a snippet is cut from (its rendered
    # Markdown); None when the title is all there is.
    snippet_field: str | None = None
    config: str = SEARCH_CONFIG
    tagged: bool = False


# Columns a result never shows: the vectors themselves, long texts (the snippet is cut
# in the database), and the event's description.
_UNSHOWN = ("search_vector", "event__description", "event__description_html")
# A note's or takeaway's link names its session's slug; the event is its own.
_SESSION_UNSHOWN = (
    "talk__abstract",
    "talk__abstract_html",
    "talk__search_vector",
    "open_space__search_vector",
)


def _talks(user: AbstractBaseUser) -> QuerySet:
    return Talk.objects.select_related("event").defer("abstract", "abstract_html", *_UNSHOWN)


def _open_spaces(user: AbstractBaseUser) -> QuerySet:
    return OpenSpace.objects.select_related("event").defer(*_UNSHOWN)


def _visible_notes(user: AbstractBaseUser) -> QuerySet:
    # Published notes and the user's own drafts, never anyone else's drafts.
    return Note.objects.visible_to(user)


def _notes(user: AbstractBaseUser) -> QuerySet:
    return (
        _visible_notes(user)
        .select_related("author", "event", "talk", "open_space")
        .defer("body", "body_html", *_UNSHOWN, *_SESSION_UNSHOWN)
    )


def _visible_takeaways(user: AbstractBaseUser) -> QuerySet:
    return Takeaway.objects.visible_to(user)


def _takeaways(user: AbstractBaseUser) -> QuerySet:
    return (
        _visible_takeaways(user)
        .select_related("event", "talk", "open_space")
        .defer(*_UNSHOWN, *_SESSION_UNSHOWN)
    )


def _visible_action_points(user: AbstractBaseUser) -> QuerySet:
    return ActionPoint.objects.visible_to(user)


def _action_points(user: AbstractBaseUser) -> QuerySet:
    return (
        _visible_action_points(user)
        .select_related("event")
        .defer("details", "details_html", *_UNSHOWN)
    )


def _speakers(user: AbstractBaseUser) -> QuerySet:
    return Speaker.objects.defer("search_vector")


def _everyone(model: type[Model]) -> Callable[[AbstractBaseUser], QuerySet]:
    """Rows everybody may see: all of ``model``'s."""
    return lambda user: model.objects.all()


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "talk", "Talk", "Talks", _everyone(Talk), _talks, "title", "abstract_html", tagged=True
        ),
        Kind(
            "open_space",
            "Open space",
            "Open spaces",
            _everyone(OpenSpace),
            _open_spaces,
            "topic",
            tagged=True,
        ),
        Kind("note", "Note", "Notes", _visible_notes, _notes, "title", "body_html"),
        Kind(
            "takeaway",
            "Takeaway",
            "Takeaways",
            _visible_takeaways,
            _takeaways,
            "text",
            tagged=True,
        ),
        Kind(
            "action_point",
            "Follow-up",
            "Follow-ups",
            _visible_action_points,
            _action_points,
            "title",
            "details_html",
            tagged=True,
        ),
        # Names are not English words: the vector uses the "simple" configuration.
        Kind(
            "speaker",
            "Speaker",
            "Speakers",
            _everyone(Speaker),
            _speakers,
            "name",
            config="simple",
        ),
    )
}
KIND_CHOICES = [(kind.key, kind.plural) for kind in KINDS.values()]


class QueryProblem(enum.Enum):
    """Why a query cannot be searched, for a message that says what to do."""

    NO_WORDS = "no_words"  # only symbols or very common words ("the", "and")
    ONLY_EXCLUSIONS = "only_exclusions"  # nothing to look for, only -words


def query_problem(text: str) -> QueryProblem | None:
    """What is wrong with ``text`` as a websearch query, or None when it can be searched.

    An empty tsquery matches nothing (not everything), and a query with nothing but
    exclusions cannot use the index and would list almost every row; both deserve
    a message rather than an empty or endless page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(q), querytree(q) FROM websearch_to_tsquery(%s::regconfig, %s) q",
            [SEARCH_CONFIG, text],
        )
        nodes, indexable = cursor.fetchone()
    if nodes == 0:
        return QueryProblem.NO_WORDS
    if indexable == "T":
        return QueryProblem.ONLY_EXCLUSIONS
    return None


@dataclass(frozen=True)
class Hit:
    kind: Kind
    pk: int
    rank: float
    # Filled in by ``highlighted`` for the hits on the page shown: the row itself,
    # and its title and snippet.
    obj: Model | None = None
    title: SafeString | str = ""
    snippet: SafeString | str = ""

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()

    @property
    def event(self) -> Event | None:
        return getattr(self.obj, "event", None)


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    # The kinds with hits, each loaded by ``highlighted`` whatever the page shows.
    kinds: list[Kind]
    # True when some kind had more matches than PER_KIND_LIMIT.
    truncated: bool
    # The kinds with more than RANK_CANDIDATES matches, of which only the latest
    # RANK_CANDIDATES were ranked.
    limited: list[Kind] = field(default_factory=list)

    @property
    def limited_text(self) -> str:
        """The limited kinds for a sentence: "notes and takeaways"."""
        return get_text_list([kind.plural.lower() for kind in self.limited], "and")


def search(
    user: AbstractBaseUser, text: str, *, kinds: Iterable[str] = (), tag: Tag | None = None
) -> Results:
    """The best matches for the websearch query ``text`` that ``user`` may see, best
    first: at most PER_KIND_LIMIT of each kind in ``kinds`` (all kinds when empty),
    only kinds that carry tags, and only rows tagged ``tag``, when ``tag`` is given.

    One query ranks every kind (a UNION ALL of one LIMITed branch per kind); the hits
    carry their kind, id and rank only: ``highlighted`` loads the page's rows."""
    chosen = [KINDS[key] for key in kinds] or list(KINDS.values())
    if tag is not None:
        chosen = [kind for kind in chosen if kind.tagged]
    if not chosen:
        # Only kinds that carry no tags, and a tag: nothing can match.
        return Results(hits=[], kinds=[], truncated=False)
    branches = [_ranked(kind, user, text, tag) for kind in chosen]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(sql for sql, _ in branches),
            [param for _, params in branches for param in params],
        )
        ranked = cursor.fetchall()
    hits: list[Hit] = []
    per_kind: dict[str, int] = {}
    ranked_of: dict[str, int] = {}
    for key, pk, rank, candidates in ranked:
        hits.append(Hit(kind=KINDS[key], pk=pk, rank=rank))
        per_kind[key] = per_kind.get(key, 0) + 1
        ranked_of[key] = candidates
    truncated = any(n == PER_KIND_LIMIT for n in per_kind.values())
    limited = [kind for kind in chosen if ranked_of.get(kind.key, 0) >= RANK_CANDIDATES]
    order = list(KINDS)
    hits.sort(key=lambda hit: (-hit.rank, order.index(hit.kind.key), -hit.pk))
    found = [kind for kind in chosen if kind.key in per_kind]
    return Results(hits=hits, kinds=found, truncated=truncated, limited=limited)


def highlighted(
    user: AbstractBaseUser, hits: Iterable[Hit], text: str, *, kinds: Iterable[Kind]
) -> list[Hit]:
    """``hits`` (of ``kinds``) with their rows, titles and snippets: the matched words
    of ``text`` in <mark>, everything else escaped.

    One query per kind in ``kinds`` (the kinds with hits) loads its rows among the
    hits, as ``user`` may see them, with their headlines cut in the database. It runs
    even for a kind none of whose hits is on this page, so that a page's queries depend
    on the kinds found, never on how their hits fall on the pages (nothing at all when
    there are no hits)."""
    hits = list(hits)
    if not hits:
        return hits
    by_kind: dict[Kind, list[int]] = {kind: [] for kind in kinds}
    for hit in hits:
        by_kind[hit.kind].append(hit.pk)
    # Markers nobody can type: a fresh random token per search.
    token = secrets.token_hex(8)
    start, stop = f"hl{token}s", f"hl{token}e"
    rows: dict[tuple[str, int], Model] = {}
    marks = {"StartSel": start, "StopSel": stop}
    # The whole title, every match marked; one excerpt around the best match of the
    # longer text (a short text comes back whole).
    title_options = _headline_options({**marks, "HighlightAll": True})
    snippet_options = _headline_options({**marks, "MaxWords": 35, "MinWords": 15})
    for kind, pks in by_kind.items():
        query = SearchQuery(text, search_type="websearch", config=kind.config)
        snippet = (
            _Headline(
                plain_text(kind.snippet_field), query, config=kind.config, options=snippet_options
            )
            if kind.snippet_field
            else Value("", output_field=TextField())
        )
        loaded = (
            kind.rows(user)
            # ``pk = ANY(array)`` runs for an empty list too (``pk__in=[]`` would not).
            .filter(IsAnyOf(F("pk"), Value(pks, output_field=ArrayField(BigIntegerField()))))
            .annotate(
                title_headline=_Headline(
                    kind.title_field, query, config=kind.config, options=title_options
                ),
                snippet=snippet,
            )
            # Into a dict: the models' own orderings would only cost compiling and sorting.
            .order_by()
        )
        rows.update(((kind.key, row.pk), row) for row in loaded)
    result = []
    for hit in hits:
        row = rows.get((hit.kind.key, hit.pk))
        if row is None:
            # Deleted (or unpublished) since it was ranked: not shown.
            continue
        result.append(
            replace(
                hit,
                obj=row,
                title=highlight(row.title_headline, start, stop) or escape(str(row)),
                snippet=highlight(plain_snippet(row.snippet), start, stop),
            )
        )
    return result


def _headline_options(options: dict[str, object]) -> str:
    """``ts_headline``'s options, as ``SearchHeadline`` writes them."""
    compose = connection.ops.compose_sql
    return ", ".join(compose(f"{name}=%s", [value]) for name, value in options.items())


class _Headline(SearchHeadline):
    """``SearchHeadline`` with its options written once a search: Django writes each
    option through the database driver again every time a query is compiled, two
    headlines a kind."""

    def __init__(self, expression, query, *, config: str, options: str):
        super().__init__(expression, query, config=config)
        self.options_text = options

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = Func.as_sql(
            self, compiler, connection, function=function, template=template, options=", %s"
        )
        return sql, [*params, self.options_text]


class LookedFor(Func):
    """The part of a tsquery that looks for words, without its exclusions.

    ts_rank scores every match of ``kubernetes & !helm`` 1e-20, so ranking by the whole
    query would list the hits newest first. ``querytree`` keeps what must be present;
    a query with no such part (``a | !b``) answers "T" and is ranked as it is."""

    output_field = SearchQueryField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CASE WHEN querytree({sql}) = 'T' THEN {sql} ELSE querytree({sql})::tsquery END)",
            (*params, *params, *params),
        )


def _ranked(kind: Kind, user: AbstractBaseUser, text: str, tag: Tag | None) -> tuple[str, list]:
    """The best PER_KIND_LIMIT rows of ``kind`` among its latest RANK_CANDIDATES
    matches, best first, as (kind key, id, rank, how many matches were ranked:
    RANK_CANDIDATES when there may be more): one branch of ``search``'s query, as SQL
    and its parameters.

    The latest matches are found newest first along the primary key and ranked in
    the same pass, each match's row read once; only then are the ranked few sorted.
    (Picking the ids first and ranking them in an outer query read every candidate
    row twice: 500 more index look-ups a kind.) However many rows match, a bounded
    number is ranked.
    """
    query = SearchQuery(text, search_type="websearch", config=kind.config)
    # ``search_vector @@ query`` is answered by the GIN index.
    matching = kind.visible(user).filter(search_vector=query)
    if tag is not None:
        # The per-model through table has one row per (object, tag): no duplicates.
        matching = matching.filter(tags=tag)
    candidates = (
        matching.annotate(rank=SearchRank(F("search_vector"), LookedFor(query)))
        .order_by("-pk")
        .values_list("pk", "rank")[:RANK_CANDIDATES]
    )
    sql, params = candidates.query.sql_with_params()
    # Safe: ``sql`` is the ORM's, every value in it a parameter.
    ranked = f"SELECT %s::text, c.pk, c.rank, COUNT(*) OVER () FROM ({sql}) AS c (pk, rank)"  # noqa: S608
    best = f"({ranked} ORDER BY c.rank DESC, c.pk DESC LIMIT %s)"
    return best, [kind.key, *params, PER_KIND_LIMIT]


# A tag, whose quoted attribute values may hold ">" (a link's title).
_TAG = r"""<(?:[^>"']|"[^"]*"|'[^']*')*>"""
# Tags that end a block or a line become a space, so "<li>a</li><li>b</li>" does not
# join two words. Other (inline) tags go without one: "<em>word</em>." stays
# "word.".
_BLOCK_TAG = (
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|blockquote|pre|table|thead|tbody|tfoot|tr"
    r"""|td|th)\M(?:[^>"']|"[^"]*"|'[^']*')*>"""
)


def plain_text(html_field: str) -> Func:
    """The text of the sanitised HTML in ``html_field``, tags removed in SQL; its
    entities (``&amp;``) stay, for the caller to unescape after cutting the snippet."""
    blocks_spaced = Func(
        F(html_field), Value(_BLOCK_TAG), Value(" "), Value("gi"), function="REGEXP_REPLACE"
    )
    return Func(
        blocks_spaced,
        Value(_TAG),
        Value(""),
        Value("g"),
        function="REGEXP_REPLACE",
        output_field=TextField(),
    )


def plain_snippet(headline: str) -> str:
    """A headline cut from ``plain_text``, as plain words: its entities (``&amp;``)
    made characters again (``highlight`` escapes them all) and the line breaks and
    spaces the tags left behind made one space."""
    return " ".join(html.unescape(headline).split())


def highlight(headline: str, start: str, stop: str) -> SafeString:
    """``headline`` escaped, with the matched words between the markers in <mark>."""
    escaped = escape(headline)  # the markers are letters and digits: escaping keeps them
    # Safe: every character people typed has just been escaped.
    return mark_safe(escaped.replace(start, "<mark>").replace(stop, "</mark>"))  # noqa: S308
