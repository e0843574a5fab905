"""Admin pieces shared by the talks and actions admins: changelists that stay fast on
big tables, bounded list filters, and autocompletes that do not query once per row."""

import copy
import datetime
from collections.abc import Iterator

from django import forms
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_list import _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field, quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Count, Exists, Max, Min, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncYear
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import NoReverseMatch
from django.utils import formats
from django.utils.encoding import iri_to_uri
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from taggit.models import TaggedItemBase

from common.db import most_counted
from common.reversing import fast_reverse
from common.widget_rendering import hidden_input


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


class QueryStringChangeList(ChangeList):
    """Django's changelist, its query strings (a link for every filter choice, sort
    header and page: about a hundred a page) encoded from each parameter's encoding,
    worked out once per page, with the same result as ``get_query_string``."""

    def get_query_string(self, new_params: dict | None = None, remove: list | None = None) -> str:
        params = self.filter_params.copy()
        for prefix in remove or []:
            for key in list(params):
                if key.startswith(prefix):
                    del params[key]
        for key, value in (new_params or {}).items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        # Django encodes the sorted pairs at once; each pair on its own, joined by
        # "&", is the same string (a pair with no values adds nothing).
        encoded = (self._encoded_pair(key, value) for key, value in sorted(params.items()))
        return "?" + "&".join(pair for pair in encoded if pair)

    def _encoded_pair(self, key: str, value) -> str:
        cache = self.__dict__.setdefault("_encoded_pairs", {})
        try:
            memo_key = (key, value if isinstance(value, (str, bytes)) else tuple(value))
            return cache[memo_key]
        except TypeError:  # not iterable, or not hashable: not worth remembering
            return urlencode([(key, value)], doseq=True)
        except KeyError:
            cache[memo_key] = urlencode([(key, value)], doseq=True)
            return cache[memo_key]


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


def _copy_for_a_form(field: forms.Field) -> forms.Field:
    """A field and widget of one form of an editable list: its own objects (each
    form sets its own preloaded choice, its own attributes), sharing what no form
    changes: the choices and the queryset, which a list form never evaluates (its
    autocomplete shows the preloaded choice; a POST looks up one row with ``get()``).
    Django's deep copy cloned the queryset twice and copied every choice, per form."""
    copied = copy.copy(field)
    copied.widget = copy.copy(field.widget)
    copied.widget.attrs = field.widget.attrs.copy()
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    return copied


class FieldsCopiedPerForm(dict):
    """A form class's ``base_fields`` that each form copies with ``_copy_for_a_form``
    instead of ``copy.deepcopy``: for an editable list's 25 forms."""

    def __deepcopy__(self, memo: dict) -> dict:
        return {name: _copy_for_a_form(field) for name, field in self.items()}


class ListEditFormSet(forms.BaseModelFormSet):
    """The formset of an editable list, its unbound forms made cheaper: each form's
    hidden primary key field is the first form's copied (as ``FieldsCopiedPerForm``
    copies the others) with the row's id, where Django built a field and cloned its
    queryset for every form; and the label suffix is translated once, not per form.
    Bound forms (a list edit posted) are Django's."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if not self.is_bound:
            suffix = self.__dict__.setdefault("_label_suffix", gettext(":"))
            kwargs.setdefault("label_suffix", suffix)
        return kwargs

    def add_fields(self, form, index):
        pk_name = self.model._meta.pk.name
        prototype = self.__dict__.get("_pk_prototype")
        if (
            form.is_bound
            or index is None
            or index >= self.initial_form_count()  # an extra form: no row
            or self.can_order
            or self.can_delete
        ):
            super().add_fields(form, index)
        elif prototype is None:
            super().add_fields(form, index)
            self._pk_prototype = form.fields[pk_name]
        else:
            field = _copy_for_a_form(prototype)
            field.initial = self.get_queryset()[index].pk
            form.fields[pk_name] = field


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


def _editable_cell_class(cl: ChangeList, name: str, index: int) -> str:
    """The ``class`` attribute Django's ``items_for_result`` gives an editable
    column's cells (a model field: the admin's checks refuse anything else)."""
    classes = [f"field-{_coerce_field_name(name, index)}"]
    field = cl.lookup_opts.get_field(name)
    if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
        classes.append("nowrap")
    return " ".join(classes)


class RowRenderer:
    """Django's ``items_for_result`` (admin_list, 5.2) for every row of one page,
    with the same markup and less repeated work: an editable cell is its form field
    (Django also formats the value it then throws away), and a row's change link is
    reversed without walking the resolver, with the kept filters that
    ``add_preserved_filters`` appends worked out once (every row's link is the same
    change form's, differing only in the id)."""

    def __init__(self, cl: ChangeList) -> None:
        self.cl = cl
        self.pk_name = cl.model._meta.pk.name
        self.empty_value_display = cl.model_admin.get_empty_value_display()
        self.editable_classes = {
            name: _editable_cell_class(cl, name, index)
            for index, name in enumerate(cl.list_display)
            if cl.formset is not None and name in cl.formset.form.base_fields
        }
        self.change_route = f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change"
        self.link_query: str | None = None
        # An unbound editable cell already written, per field and value: its HTML and
        # the form prefix it was written for (None: written anew for every row).
        self.written: dict[tuple, tuple[str, str] | None] = {}

    def editable_cell(self, form, name: str) -> str:
        """``form[name]``'s errors and widget, as Django writes them. The list's forms
        differ only in their prefix (``form-3-``), so an unbound form's cell is
        written once per field and value shown (with the label its autocomplete
        preloaded), then copied with the row's own prefix in its ``name`` and ``id``:
        four statuses are four selects written, not one a row. A cell that has its
        prefix anywhere else (a help text's id, a value that looks like one) is
        written for every row."""
        bf = form[name]
        if form.is_bound or not isinstance(form.auto_id, str) or bf.field.show_hidden_initial:
            return str(bf.errors) + str(bf)
        value = bf.value()
        widget = bf.field.widget
        try:
            # Equal values of one type can still be written apart (Decimal 1.0, 1.00).
            key = (name, type(value), value, repr(value), tuple(widget.attrs.items()),
                   tuple(getattr(widget, "preloaded", {}).items()))  # fmt: skip
            written = self.written[key]
        except TypeError:  # a value that is not hashable
            return str(bf.errors) + str(bf)
        except KeyError:
            html = str(bf.errors) + str(bf)
            needles = self._prefixed(form, form.prefix, name)
            # Escaped values have no quotes: these attributes are the prefix's only uses.
            copyable = html.count(f"{form.prefix}-") == len(needles) and all(
                html.count(needle) == 1 for needle in needles
            )
            self.written[key] = (html, form.prefix) if copyable else None
            return html
        if written is None:
            return str(bf.errors) + str(bf)
        html, prefix = written
        for theirs, ours in zip(
            self._prefixed(form, prefix, name), self._prefixed(form, form.prefix, name), strict=True
        ):
            html = html.replace(theirs, ours)
        return html

    @staticmethod
    def _prefixed(form, prefix: str, name: str) -> list[str]:
        """The ``name`` and ``id`` attributes of field ``name`` with form ``prefix``."""
        html_name = f"{prefix}-{name}"
        return [f'name="{html_name}"', f'id="{form.auto_id % html_name}"']

    def change_url(self, result: Model) -> str:
        if self.cl.model_admin.admin_site.name != "admin":
            return self.cl.url_for_result(result)
        url = fast_reverse(self.change_route, quote(getattr(result, self.cl.pk_attname)))
        if self.link_query is None:
            context = {"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}
            kept = add_preserved_filters(context, url)
            self.link_query = kept.removeprefix(url) if kept.startswith(url) else None
            return kept
        return url + self.link_query

    def items(self, result: Model, form) -> Iterator[str]:
        cl = self.cl
        first = True
        for field_index, field_name in enumerate(cl.list_display):
            if (
                form is not None
                and field_name in self.editable_classes
                and field_name in form.fields
                and field_name != self.pk_name
            ):
                cell = mark_safe(self.editable_cell(form, field_name))  # noqa: S308 - the form's
                yield format_html('<td class="{}">{}</td>', self.editable_classes[field_name], cell)
                continue
            empty_value_display = self.empty_value_display
            row_classes = [f"field-{_coerce_field_name(field_name, field_index)}"]
            link_to_changelist = cl.list_display_links is not None and (
                (first and not cl.list_display_links) or field_name in cl.list_display_links
            )
            try:
                f, attr, value = lookup_field(field_name, result, cl.model_admin)
            except ObjectDoesNotExist:
                result_repr = empty_value_display
            else:
                empty_value_display = getattr(attr, "empty_value_display", empty_value_display)
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                if f is None or f.auto_created:
                    if field_name == "action_checkbox":
                        row_classes = ["action-checkbox"]
                    boolean = getattr(attr, "boolean", False)
                    if isinstance(attr, property) and hasattr(attr, "fget"):
                        boolean = getattr(attr.fget, "boolean", False)
                    result_repr = display_for_value(value, empty_value_display, boolean)
                    if isinstance(value, (datetime.date, datetime.time)):
                        row_classes.append("nowrap")
                else:
                    if isinstance(f.remote_field, models.ManyToOneRel):
                        field_val = getattr(result, f.name)
                        result_repr = empty_value_display if field_val is None else field_val
                    else:
                        result_repr = display_for_field(
                            value, f, empty_value_display, avoid_link=link_to_changelist
                        )
                    if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                        row_classes.append("nowrap")
            row_class = mark_safe(f' class="{" ".join(row_classes)}"')  # noqa: S308
            if link_to_changelist:
                table_tag = "th" if first else "td"
                first = False
                try:
                    url = self.change_url(result)
                except NoReverseMatch:
                    link_or_text = result_repr
                else:
                    attr = str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname
                    value = result.serializable_value(attr)
                    popup = format_html(' data-popup-opener="{}"', value) if cl.is_popup else ""
                    link_or_text = format_html('<a href="{}"{}>{}</a>', url, popup, result_repr)
                yield format_html("<{}{}>{}</{}>", table_tag, row_class, link_or_text, table_tag)
            else:
                if (
                    form is not None
                    and field_name in form.fields
                    and not (field_name == self.pk_name and form[self.pk_name].is_hidden)
                ):
                    bf = form[field_name]
                    result_repr = mark_safe(str(bf.errors) + str(bf))  # noqa: S308
                yield format_html("<td{}>{}</td>", row_class, result_repr)
        if form is not None and not form[self.pk_name].is_hidden:
            yield format_html("<td>{}</td>", form[self.pk_name])


def result_hidden_fields(cl: ChangeList) -> Iterator[str]:
    """Django's ``result_hidden_fields`` (admin_list, 5.2): each form's primary key
    when it is hidden, each written by ``hidden_input``."""
    if cl.formset:
        pk_name = cl.model._meta.pk.name
        for _result, form in zip(cl.result_list, cl.formset.forms, strict=False):
            if form[pk_name].is_hidden:
                yield hidden_input(form[pk_name])


def result_list(cl: ChangeList) -> dict:
    """The context of Django's ``result_list`` template tag, its rows from
    ``RowRenderer``."""
    headers = list(admin_list.result_headers(cl))
    rows = RowRenderer(cl)
    forms = cl.formset.forms if cl.formset else [None] * len(cl.result_list)
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [
            admin_list.ResultList(form, rows.items(result, form))
            for result, form in zip(cl.result_list, forms, strict=False)
        ],
    }


def written_rows(results: list[admin_list.ResultList]) -> str:
    """The rows of Django's admin/change_list_results.html (5.2), as its loop writes
    them (a form's errors above its row), in one pass instead of a template loop
    over every cell."""
    parts = []
    for result in results:
        parts.append("\n")
        if result.form and (errors := result.form.non_field_errors()):
            parts.append(
                f'\n    <tr><td colspan="{len(result)}">{conditional_escape(errors)}</td></tr>\n'
            )
        parts.append(f"\n<tr>{''.join(conditional_escape(item) for item in result)}</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through escaping


def date_hierarchy(cl: ChangeList) -> dict | None:
    """The context of Django's ``date_hierarchy`` template tag (admin_list, 5.2), with
    one query fewer when no date is chosen: Django reads the first and last dates to
    pick the level, then the years (or months, or days) at that level; here the years
    come with each year's first and last date, which is all it needs to pick. Many
    years shown: one query (Django's two); one year: the months or days as Django
    reads them. A date field only (a date and time one is Django's, as is a list
    with DISTINCT)."""
    field_name = cl.date_hierarchy
    generic = f"{field_name}__"
    if (
        not field_name
        or any(f"{generic}{part}" in cl.params for part in ("year", "month", "day"))
        or "__" in field_name
        or cl.queryset.query.distinct
    ):
        return admin_list.date_hierarchy(cl)
    field = cl.model._meta.get_field(field_name)
    if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
        return admin_list.date_hierarchy(cl)
    years = list(
        cl.queryset.filter(**{f"{field_name}__isnull": False})
        .annotate(year=TruncYear(field_name))
        .values_list("year")
        .annotate(first=Min(field_name), last=Max(field_name))
        .order_by("year")
    )
    year_field, month_field, day_field = (f"{generic}{part}" for part in ("year", "month", "day"))

    def link(filters: dict) -> str:
        return cl.get_query_string(filters, [generic])

    if len(years) != 1:  # Django's first and last dates are in different years, or none
        return {
            "show": True,
            "back": None,
            "choices": [
                {"link": link({year_field: str(year.year)}), "title": str(year.year)}
                for year, _first, _last in years
            ],
        }
    ((_year, first, last),) = years
    if first.month != last.month:
        months = cl.queryset.dates(field_name, "month")
        return {
            "show": True,
            "back": {"link": link({}), "title": gettext("All dates")},
            "choices": [
                {
                    "link": link({year_field: first.year, month_field: month.month}),
                    "title": capfirst(formats.date_format(month, "YEAR_MONTH_FORMAT")),
                }
                for month in months
            ],
        }
    days = cl.queryset.dates(field_name, "day")
    month = {year_field: first.year, month_field: first.month}
    return {
        "show": True,
        "back": {"link": link({year_field: first.year}), "title": str(first.year)},
        "choices": [
            {
                "link": link({**month, day_field: day.day}),
                "title": capfirst(formats.date_format(day, "MONTH_DAY_FORMAT")),
            }
            for day in days
        ],
    }


FILTER_TEMPLATE = "admin/filter.html"


def list_filter_html(cl: ChangeList, spec) -> str:
    """Django's ``admin_list_filter`` tag for one filter, its ``admin/filter.html``
    (5.2) written here with the same markup (it was about a tenth of the page's
    rendering: a template loop over some 80 choices). Filters with another template
    go through Django's tag."""
    if spec.template != FILTER_TEMPLATE:
        return admin_list.admin_list_filter(cl, spec)
    context = Context(autoescape=True)

    def shown(value) -> str:
        return render_value_in_context(value, context)

    # {% blocktranslate with filter_title=title %} By {{ filter_title }} {% endblocktranslate %}
    summary = gettext(" By %(filter_title)s ") % {"filter_title": shown(spec.title)}
    parts = [
        f'\n<details data-filter-title="{shown(spec.title)}" open>\n  <summary>\n'
        f"    {summary}\n  </summary>\n  <ul>\n  "
    ]
    for choice in spec.choices(cl):
        selected = ' class="selected"' if choice["selected"] else ""
        query_string = shown(iri_to_uri(choice["query_string"]))
        parts.append(
            f"\n    <li{selected}>\n"
            f'    <a href="{query_string}">{shown(choice["display"])}</a></li>\n  '
        )
    parts.append("\n  </ul>\n</details>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through shown()
