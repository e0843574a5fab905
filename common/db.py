"""ORM building blocks: generated search columns, a manager that leaves them
unloaded, and two subquery expressions PostgreSQL plans well."""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
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
