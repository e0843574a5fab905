"""ORM building blocks: generated search columns, a manager that leaves them
unloaded, two subquery expressions PostgreSQL plans well, and a top-N by count."""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connections, models
from django.db.models import Func, IntegerField, Subquery

# Full-text search uses one text search configuration everywhere, so that queries
# stem words the same way the stored vectors did ("deploying" finds "deployment").
SEARCH_CONFIG = "english"


def search_vector(*weighted_fields: tuple[str, str], config: str = SEARCH_CONFIG):
    """A tsvector column kept up to date by PostgreSQL itself (a generated column),
    so bulk inserts and QuerySet.update() can never leave it stale."""
    vector = None
    for field, weight in weighted_fields:
        part = SearchVector(field, weight=weight, config=config)
        vector = part if vector is None else vector + part
    return models.GeneratedField(
        expression=vector, output_field=SearchVectorField(), db_persist=True, editable=False
    )


class SearchVectorDeferred(models.Manager):
    """Default manager of the searchable models: rows load without their generated
    ``search_vector`` (a tsvector, about 1.5 KB per note, detoasted on every read and
    carried through every sort), which only search uses, and only in SQL: filtering
    and ranking on the column never loads it. ``values()`` and ``only()`` still pick
    their own columns; reading ``obj.search_vector`` costs one query."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("search_vector")


class IsAnyOf(Func):
    """``expression = ANY(ARRAY(subquery))``, for filtering on a short list of ids
    chosen by a LIMITed subquery (``IsAnyOf(F("pk"), ArraySubquery(ids))``).

    PostgreSQL builds the array once and looks each id up through an index. The
    same subquery under ``IN`` is planned as a join whose size the planner cannot
    see, and it tends to read the whole outer table to hash it."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    arity = 2
    output_field = models.BooleanField()


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery: one number per outer row, which (unlike
    Count() over joins) does not multiply with other counts on the same row."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def most_counted(
    counts: models.QuerySet,
    *,
    model: type[models.Model],
    fields: list[str],
    then_by: str,
    limit: int,
) -> list[tuple]:
    """``fields`` of the ``limit`` rows of ``model`` that ``counts`` counts most, most
    first and then by their field ``then_by``.

    ``counts`` is ``queryset.values(<foreign key to model>).annotate(<count>)``: one
    row per group, its two columns in that order. Grouping by the key alone and joining
    only the rows that can make the list is several times faster than grouping by the
    joined rows' fields (every counted row joined before counting)."""
    connection = connections[counts.db]
    quote = connection.ops.quote_name
    names = (*counts.query.values_select, *counts.query.annotation_select)
    key, count = (quote(name) for name in names)
    target = model._meta
    columns = ", ".join(f"target.{quote(target.get_field(name).column)}" for name in fields)
    sql, params = counts.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH counts AS ({sql})
            SELECT {columns} FROM counts
            JOIN {quote(target.db_table)} target ON target.{quote(target.pk.column)} = counts.{key}
            WHERE counts.{count} >= COALESCE(
                (SELECT {count} FROM counts ORDER BY {count} DESC OFFSET %s LIMIT 1), 0
            )
            ORDER BY counts.{count} DESC, target.{quote(target.get_field(then_by).column)}
            LIMIT %s
            """,  # noqa: S608 - a query Django built and quoted names from the models
            [*params, max(limit - 1, 0), limit],
        )
        return cursor.fetchall()
