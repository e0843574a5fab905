"""Admin pieces shared by the talks and actions admins: changelists that stay fast on
big tables, bounded list filters, and autocompletes that do not query once per row."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Exists, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from taggit.models import TaggedItemBase

from common.db import most_counted


def table_row_estimate(model: type[Model], *, using: str) -> int | None:
    """The planner's row count for ``model``'s table (kept by autovacuum/ANALYZE), or
    None when the table was never analysed."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:
        return None
    return row[0]


def selects_whole_table(queryset: QuerySet) -> bool:
    """Whether ``queryset`` has as many rows as its table (no filter, no grouping)."""
    query = queryset.query
    return not (
        query.where or query.distinct or query.combinator or query.group_by or query.is_sliced
    )


class EstimatedCountPaginator(Paginator):
    """A paginator that never counts every row of a big table.

    An unfiltered queryset is counted up to ``exact_count_limit`` rows (a bounded
    scan); past that, the count is Postgres's estimate from ``pg_class.reltuples``,
    close enough to number the pages. A filtered queryset is counted exactly.
    """

    exact_count_limit = 10_000

    def __init__(self, *args, exact_count_limit: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if exact_count_limit is not None:
            self.exact_count_limit = exact_count_limit

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or not selects_whole_table(queryset):
            return super().count
        bounded = queryset.values("pk").order_by()[: self.exact_count_limit + 1].count()
        if bounded <= self.exact_count_limit:
            return bounded
        estimate = table_row_estimate(queryset.model, using=queryset.db)
        if estimate is None:
            return super().count
        return max(estimate, bounded)


class LargeTableAdmin(admin.ModelAdmin):
    """Base for changelists over tables that grow to 100,000s of rows: no COUNT(*)
    of the whole table, neither for the paginator nor for the "N total" line."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that renders its selected option from an object already
    loaded (see ``preload_autocomplete_choices``) instead of querying for it: the
    stock widget runs one query per form, so one per row of an editable list."""

    preloaded: dict[str, str] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Once, not once per row: the widget is copied for each form of a list.
        self.url = super().get_url()

    def get_url(self) -> str:
        return self.url

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not all(v in self.preloaded for v in selected):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for v in selected:
            options.append(self.create_option(name, v, self.preloaded[v], True, len(options)))
        return [(None, options, 0)]


def preload_autocomplete_choices(form: forms.ModelForm) -> None:
    """Give each ``PreloadedAutocompleteSelect`` of ``form`` the related object that
    ``form.instance`` already holds (from ``select_related``), if it holds it."""
    for name, field in form.fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # RelatedFieldWidgetWrapper
        if not isinstance(widget, PreloadedAutocompleteSelect):
            continue
        model_field = form.instance._meta.get_field(name)
        if not model_field.is_cached(form.instance):
            continue
        related = model_field.get_cached_value(form.instance)
        if related is not None:
            # A new dict per form: widgets are shallow copies sharing class-level state.
            widget.preloaded = {str(related.pk): field.label_from_instance(related)}


class TagListFilter(admin.SimpleListFilter):
    """The tags most used lately on this list's model (on its latest ``recent`` tag
    links, so that the choices cost the same however many links there are);
    subclasses name the ``through`` model."""

    title = "tag"
    parameter_name = "tag"
    through: type[TaggedItemBase]
    limit = 30
    recent = 10_000

    def lookups(self, request, model_admin):
        # The id of the ``recent``-th latest link, or 0 while there are fewer: a
        # range on the primary key, where counting every link read the whole table.
        oldest_counted = Coalesce(
            Subquery(self.through.objects.order_by("-pk").values("pk")[self.recent - 1 :][:1]),
            0,
        )
        links = self.through.objects.filter(pk__gte=oldest_counted).values("tag")
        choices = most_counted(
            links.annotate(uses=Count("pk")),
            model=self.through.tag_model(),
            fields=["slug", "name"],
            then_by="name",
            limit=self.limit,
        )
        value = self.value()
        if value and all(slug != value for slug, _name in choices):
            tag_model = self.through.tag_model()
            choices += tag_model.objects.filter(slug=value).values_list("slug", "name")
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        tagged = self.through.objects.filter(content_object=OuterRef("pk"), tag__slug=value)
        return queryset.filter(Exists(tagged))


def joined_tag_names(obj: Model) -> str:
    """The object's tags, from the ``tag_list`` its queryset's ``with_tags()`` attached
    (never a query per row, nor taggit's per-row querysets, which ignore prefetching)."""
    return ", ".join(tag.name for tag in obj.tag_list)
