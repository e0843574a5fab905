"""Staff admin for action points: a changelist built for tracking them to done.

Every write (the form, the editable list, the bulk actions) goes through
``actions.services`` so that each changed action point gets exactly one history
entry (and its emails), and each is refused, naming the other person's change,
when the page was shown before someone else changed the row. The history itself
is shown read-only; it has no admin of its own, and Django's "History" page shows it
too (the admin's own log would miss bulk changes and those made outside the admin).
"""

import datetime
import functools
import re
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import dateformat, timezone
from django.utils.functional import SimpleLazyObject, lazy
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from actions import tallies
from actions.account import AdminPasswordChangeForm
from actions.exports import export_as_csv
from actions.forms import ISO_DATE_FIELD, past_date_warning
from actions.models import (
    ActionPoint,
    ActionPointChange,
    Notification,
    TaggedActionPoint,
)
from actions.services import (
    StaleBulkEdit,
    StaleEdit,
    lock_for_edit,
    save_action_point,
    snapshot,
    update_action_points,
)
from common.admin_helpers import (
    FieldsCopiedPerForm,
    ListEditFormSet,
    PreloadedAutocompleteSelect,
    QueryStringChangeList,
    TagListFilter,
    preload_autocomplete_choices,
)
from common.caching import query_key
from common.validators import validate_sensible_date
from talks.admin_base import RecentEventFilter, SiteAdmin

User = get_user_model()


class StaleCheckForm(forms.ModelForm):
    """Refuses a save made from a page opened before someone else changed the row.

    The page carries the ``version`` it showed; a save whose version is no longer
    the stored one would silently undo the other person's change. The check locks
    the row until the admin's transaction ends (both the change form and the list
    edit validate inside it), so a second editor waits and is then refused.
    """

    via = ""  # how the history records saves from this form
    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The row as stored, read and locked by the check: what the save compares with.
    stored: ActionPoint | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial["seen_version"] = self.instance.version
        preload_autocomplete_choices(self)

    def clean(self) -> dict:
        cleaned_data = super().clean()
        # A new row has no other editor; an untouched row of a list edit is not saved,
        # so someone else's change to it must not hold up the rows that were edited.
        if not self.instance.pk or not set(self.changed_data) - {"seen_version"}:
            return cleaned_data
        seen = cleaned_data.get("seen_version")
        if seen is None:  # missing or not a number: the hidden field would not show why
            raise forms.ValidationError(
                "This form was damaged on the way: reload the page and try again.",
                code="damaged",
            )
        try:
            self.stored = lock_for_edit(self.instance.pk, seen_version=seen)
        except StaleEdit as stale:
            # Saving again applies this input over the change the message names.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_version")] = str(stale.current.version)
            raise forms.ValidationError(stale.message, code="stale") from None
        return cleaned_data


class ActionPointAdminForm(StaleCheckForm):
    via = ActionPointChange.Via.ADMIN
    comment = forms.CharField(
        required=False,
        max_length=ActionPointChange.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: why, for the history.",
    )


class ActionPointListForm(StaleCheckForm):
    via = ActionPointChange.Via.ADMIN_LIST


class AssignForm(forms.Form):
    """Who takes the selected action points, and optionally by when.

    A due date before today is refused until staff tick that they mean it: a
    follow-up that is overdue the moment it is assigned is more often a typo."""

    due_on = forms.DateField(
        label="Due date",
        required=False,
        validators=[validate_sensible_date],
        help_text="Optional: leave it empty to keep each one's due date.",
        **ISO_DATE_FIELD,
    )
    # Hidden until a past date asks for it (see clean).
    confirm_past = forms.BooleanField(
        label="Yes, the due date is in the past", required=False, widget=forms.HiddenInput
    )
    comment = forms.CharField(
        required=False,
        max_length=ActionPointChange.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional.",
    )
    field_order = ["assignee", "due_on", "confirm_past", "comment"]

    def __init__(self, *args, admin_site: admin.AdminSite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Thousands of users do not fit in a <select>: search them instead.
        widget = AutocompleteSelect(ActionPoint._meta.get_field("assignee"), admin_site)
        self.fields["assignee"] = forms.ModelChoiceField(
            queryset=User.objects.filter(is_active=True), widget=widget
        )
        self.order_fields(self.field_order)

    def clean(self) -> dict:
        cleaned_data = super().clean()
        warning = past_date_warning(cleaned_data.get("due_on"))
        if warning and not cleaned_data.get("confirm_past"):
            self.fields["confirm_past"].widget = forms.CheckboxInput()
            self.add_error(
                "due_on", f"{warning} Tick “{self.fields['confirm_past'].label}” to set it."
            )
        return cleaned_data


@functools.cache
def boolean_icon(value: bool) -> str:
    """The admin's yes/no icon, as ``@admin.display(boolean=True)`` shows it, with its
    static file's address looked up once rather than on every row."""
    icon = static(f"admin/img/icon-{'yes' if value else 'no'}.svg")
    return format_html('<img src="{}" alt="{}">', icon, value)


def lazy_text(compute: Callable[[], str]) -> str:
    """``compute()``'s text, computed when a template first shows it."""
    return lazy(compute, str)()


LIST_ROW_ID = re.compile(r"^form-(\d+)-id$")


def seen_versions(request) -> dict[int, int]:
    """{action point id: version} of the rows the changelist showed. Its editable
    rows' hidden inputs are in the same form as the actions, so an action's POST
    carries them; rows without one (picked by "select all") are not checked."""
    found = {}
    for key, pk in request.POST.items():
        match = LIST_ROW_ID.match(key)
        version = request.POST.get(f"form-{match[1]}-seen_version", "") if match else ""
        if pk.isdecimal() and version.isdecimal():
            found[int(pk)] = int(version)
    return found


DUE_DATE_LABEL = str(ActionPoint._meta.get_field("due_on").verbose_name)


def shown_date(value: str) -> str:
    """An ISO date as the rest of the site shows dates ("20 Dec 2026")."""
    try:
        return dateformat.format(datetime.date.fromisoformat(value), "j M Y")
    except ValueError:  # "—", for no date
        return value


def shown_changes(entry: ActionPointChange) -> list[tuple[str, str, str]]:
    """The entry's (label, old, new) changes, its due dates in the site's date style
    (the history stores them as ISO dates)."""
    return [
        (label, shown_date(old), shown_date(new)) if label == DUE_DATE_LABEL else (label, old, new)
        for label, old, new in entry.describe()
    ]


class AssigneeFilter(admin.SimpleListFilter):
    """Unassigned, mine, and the people with the most open action points (a few,
    not every user). Any user's id also works in the query string."""

    title = "assignee"
    parameter_name = "assignee"
    limit = 20

    def lookups(self, request, model_admin):
        # The overview's tallies: counting every open row took most of the filters' time.
        busiest = tallies.busiest_people(self.limit)
        choices = [("none", "Unassigned"), ("me", "Assigned to me")]
        choices += [(str(pk), username) for pk, username in busiest]
        value = self.value()
        if value and value.isdecimal() and all(pk != value for pk, _name in choices):
            choices += [(str(u.pk), u.get_username()) for u in User.objects.filter(pk=value)]
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "none":
            return queryset.unassigned()
        if value == "me":
            return queryset.assigned_to(request.user)
        if not value.isdecimal():
            return queryset.none()
        return queryset.filter(assignee_id=value)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


class DueFilter(admin.SimpleListFilter):
    """What needs doing soon: unfinished and due today or in the next six days."""

    title = "due"
    parameter_name = "due"
    days = 7

    def lookups(self, request, model_admin):
        return [("week", f"In the next {self.days} days"), ("none", "No due date")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "week":
            week = (today, today + datetime.timedelta(days=self.days - 1))
            return queryset.open().filter(due_on__range=week)
        if self.value() == "none":
            return queryset.filter(due_on=None)
        return queryset


class ActionPointTagFilter(TagListFilter):
    through = TaggedActionPoint


@admin.register(ActionPoint)
class ActionPointAdmin(SiteAdmin):
    form = ActionPointAdminForm
    # What staff track, narrow enough for a 1280 px screen beside the filters; the
    # event and the tags are filters and on the change form, not columns.
    list_display = ["title", "assignee", "status", "due_on", "overdue"]
    list_editable = ["assignee", "status", "due_on"]
    # The editable rows' forms are the biggest part of the page's time (about a third
    # of it at scale 100), so 25 rows a page.
    list_per_page = 25
    list_select_related = ["assignee"]
    list_filter = [
        "status",
        AssigneeFilter,
        RecentEventFilter,
        OverdueFilter,
        DueFilter,
        ActionPointTagFilter,
    ]
    search_fields = ["title", "details"]
    date_hierarchy = "due_on"
    autocomplete_fields = ["event", "talk", "open_space", "raised_by", "assignee"]
    actions = ["assign_to", "mark_done", "mark_dropped", export_as_csv]
    readonly_fields = ["completed_at", "created_at", "updated_at", "history_table", "note"]
    formfield_overrides = {models.DateField: ISO_DATE_FIELD}

    class Media:
        css = {"all": ["css/admin.css"]}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._changelist_media: dict[tuple[bool, bool], forms.Media] = {}

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["title", "details", "tags"]}),
            ("Raised at", {"fields": ["event", "talk", "open_space"]}),
            (
                "Tracking",
                {"fields": ["raised_by", "assignee", "status", "due_on", "completed_at"]},
            ),
            ("This change", {"fields": ["comment", "seen_version"]}),
        ]
        if obj is not None:
            fieldsets.append(
                ("History", {"fields": ["note", "history_table", "created_at", "updated_at"]})
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Who raised it is a fact, set once; the history does not track it.
        if obj is not None:
            return [*self.readonly_fields, "raised_by"]
        return self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"raised_by": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changelist(self, request, **kwargs):
        return QueryStringChangeList

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ActionPointListForm, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        kwargs.setdefault("formset", ListEditFormSet)
        formset = super().get_changelist_formset(request, **kwargs)
        for field in formset.form.base_fields.values():
            # A row's assignee needs no "view this user" link beside it (the change
            # form has it); the wrapper that adds it renders through templates.
            if isinstance(field.widget, RelatedFieldWidgetWrapper):
                field.widget = field.widget.widget
        formset.form.base_fields = FieldsCopiedPerForm(formset.form.base_fields)
        return formset

    def changelist_view(self, request, extra_context=None):
        # No sidebar of every admin section beside the list: it was a tenth of the
        # page's rendering, and the breadcrumbs lead to the same places.
        extra_context = {
            "is_nav_sidebar_enabled": False,
            "list_editing": self.list_editing(request),
            **(extra_context or {}),
        }
        # Django validates a list edit before its transaction starts; validating
        # inside one keeps the rows StaleCheckForm locks locked until they are saved.
        if request.method == "POST" and "_save" in request.POST:
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        if request.method in ("GET", "HEAD") and not {IS_POPUP_VAR, TO_FIELD_VAR} & set(
            request.GET
        ):
            response = self.cached_changelist_view(request, extra_context)
            if response is not None:
                return response
        return super().changelist_view(request, extra_context)

    def list_editing(self, request) -> bool:
        """Whether the list's rows are forms (Django's changelist makes its formset then;
        never in a popup, which picks a row)."""
        if IS_POPUP_VAR in request.GET:
            return False
        return bool(self.list_editable) and self.has_change_permission(request)

    def list_fragment_key(self, request) -> tuple:
        """Everything besides the content that the cached parts of the changelist show:
        the query string (filters, search, sorting, page), what the reader may do
        (which actions, the add button, whether rows are forms), and the reader for
        "Assigned to me", the only filter whose rows depend on who asks."""
        permissions = (
            self.has_view_permission(request),
            self.has_add_permission(request),
            self.has_change_permission(request),
            self.has_delete_permission(request),
        )
        reader = (
            request.user.pk if "me" in request.GET.getlist(AssigneeFilter.parameter_name) else None
        )
        return (query_key(request), permissions, reader)

    def cached_changelist_view(self, request, extra_context: dict) -> TemplateResponse | None:
        """Django's changelist page for a GET, its list (everything but the CSRF token
        between the search and the rows) kept in two fragments. Its context is Django's,
        but the changelist, its formset and what counts its rows are built only if a
        fragment is built: a page served from the cache runs no query of its own. None
        when Django's view has to answer (wrong lookups in the query string, which it
        redirects)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied

        @functools.cache
        def changelist():
            cl = self.get_changelist_instance(request)
            cl.formset = None
            if self.list_editing(request):
                formset_class = self.get_changelist_formset(request)
                cl.formset = formset_class(queryset=cl.result_list)
            return cl

        cl = SimpleLazyObject(changelist)
        actions = self.get_actions(request)
        action_form = None
        if actions:
            action_form = self.action_form(auto_id=None)
            action_form.fields["action"].choices = self.get_action_choices(request)
        media = self.changelist_media(request, action_form)
        title = gettext(
            "Select %s to change" if self.has_change_permission(request) else "Select %s to view"
        )
        context = {
            **self.each_context_without_app_list(request),
            "module_name": str(self.opts.verbose_name_plural),
            "selection_note": lazy_text(
                lambda: gettext("0 of %(cnt)s selected") % {"cnt": len(cl.result_list)}
            ),
            "selection_note_all": lazy_text(
                lambda: (
                    ngettext(
                        "%(total_count)s selected", "All %(total_count)s selected", cl.result_count
                    )
                    % {"total_count": cl.result_count}
                )
            ),
            "title": title % self.opts.verbose_name,
            "subtitle": None,
            "is_popup": False,
            "to_field": None,
            "cl": cl,
            "media": media,
            "has_add_permission": self.has_add_permission(request),
            "opts": self.opts,
            "action_form": action_form,
            "actions_on_top": self.actions_on_top,
            "actions_on_bottom": self.actions_on_bottom,
            "actions_selection_counter": self.actions_selection_counter,
            "preserved_filters": self.get_preserved_filters(request),
            **extra_context,
            "list_fragment_key": self.list_fragment_key(request),
        }
        request.current_app = self.admin_site.name
        app_label, model_name = self.opts.app_label, self.opts.model_name
        response = TemplateResponse(
            request,
            self.change_list_template
            or [
                f"admin/{app_label}/{model_name}/change_list.html",
                f"admin/{app_label}/change_list.html",
                "admin/change_list.html",
            ],
            context,
        )
        try:
            return response.render()
        except IncorrectLookupParameters:
            return None

    def each_context_without_app_list(self, request) -> dict:
        """The admin site's ``each_context``, its list of every app and model (which only
        the navigation sidebar shows, and this page has none) built only if asked for."""
        site = self.admin_site
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if site.site_url == "/" and script_name else site.site_url
        return {
            "site_title": site.site_title,
            "site_header": site.site_header,
            "site_url": site_url,
            "has_permission": site.has_permission(request),
            "available_apps": SimpleLazyObject(lambda: site.get_app_list(request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": site.enable_nav_sidebar,
            "log_entries": site.get_log_entries(request),
        }

    def changelist_media(self, request, action_form) -> forms.Media:
        """What Django's changelist gathers from the admin, its list forms and the action
        form: the same for every page with list editing (or without), so worked out once
        per process (Django builds the page's 25 forms to ask the first, and the
        formset's class on every page)."""
        which = (self.list_editing(request), action_form is not None)
        media = self._changelist_media.get(which)
        if media is None:
            media = self.media
            if which[0]:
                formset = self.get_changelist_formset(request)(queryset=self.model.objects.none())
                media += formset.media
            if action_form is not None:
                media += action_form.media
            self._changelist_media[which] = media
        return media

    def save_model(self, request, obj, form, change):
        """Save through the service: one history entry, tags and comment included."""
        if change and not form.has_changed():
            return
        entry = save_action_point(
            obj,
            by=request.user,
            via=form.via,
            comment=form.cleaned_data.get("comment", ""),
            tags=form.cleaned_data.get("tags"),
            # The check locked and read the row already: no second read.
            before=snapshot(form.stored) if form.stored else None,
        )
        if entry is not None:
            skipped = entry.notifications.filter(state=Notification.State.SKIPPED)
            for notification in skipped.select_related("recipient"):
                self.message_user(
                    request,
                    f"{notification.recipient} has no email address, so was not told "
                    f"about “{obj}”.",
                    messages.WARNING,
                )

        warning = past_date_warning(obj.due_on) if "due_on" in form.changed_data else ""
        if warning:
            self.message_user(request, f"“{obj}”: {warning}", messages.WARNING)

    def save_related(self, request, form, formsets, change):
        # save_model saved the tags, the model's only many-to-many field, with the row
        # so that they share its history entry; form.save_m2m() would set them again.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def action_checkbox(self, obj: ActionPoint) -> str:
        """Django's row checkbox (an unchecked ``CheckboxInput`` with these attributes),
        written without a widget per row."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    @admin.display(description="overdue")
    def overdue(self, obj: ActionPoint) -> str:
        return boolean_icon(obj.is_overdue())

    @admin.display(description="history")
    def history_table(self, obj: ActionPoint) -> str:
        entries = obj.history.select_related("changed_by")
        rows = [(entry, shown_changes(entry)) for entry in entries]
        return render_to_string("admin/actions/actionpoint/_history.html", {"rows": rows})

    def history_view(self, request, object_id, extra_context=None):
        """Django's "History" page, showing the action point's own history: every
        change (bulk ones, list edits, the follow-up page, imports), as on the change
        form, instead of the admin's log, which records only this admin's forms."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {obj}",
            "subtitle": None,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            "history": self.history_table(obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/actions/actionpoint/object_history.html", context)

    @admin.action(description="Assign to…", permissions=["change"])
    def assign_to(self, request, queryset: QuerySet):
        """First show a page to pick the assignee; its form posts back here."""
        form = AssignForm(
            request.POST if "apply" in request.POST else None, admin_site=self.admin_site
        )
        if form.is_valid():
            assignee, due_on = form.cleaned_data["assignee"], form.cleaned_data["due_on"]
            # An empty date leaves each row's own due date as it is.
            values = {"assignee": assignee} | ({"due_on": due_on} if due_on else {})
            try:
                changed = update_action_points(
                    queryset,
                    by=request.user,
                    via=ActionPointChange.Via.ADMIN_BULK,
                    comment=form.cleaned_data["comment"],
                    seen_versions=seen_versions(request),
                    **values,
                )
            except StaleBulkEdit as stale:
                self.message_user(request, stale.message, messages.ERROR)
                return None
            due = f", due {dateformat.format(due_on, 'j M Y')}" if due_on else ""
            self.message_user(
                request,
                f"Assigned {changed} action point(s) to {assignee}{due}.",
                messages.SUCCESS,
            )
            if warning := past_date_warning(due_on):
                self.message_user(request, warning, messages.WARNING)
            return None
        shown, count = 20, queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "title": "Assign action points",
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "action_points": queryset[:shown],
            "count": count,
            "more": max(count - shown, 0),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "seen_versions": sorted(seen_versions(request).items()),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/actions/actionpoint/assign_to.html", context)

    @admin.action(description="Mark done", permissions=["change"])
    def mark_done(self, request, queryset: QuerySet) -> None:
        self._set_status(request, queryset, ActionPoint.Status.DONE)

    @admin.action(description="Mark dropped", permissions=["change"])
    def mark_dropped(self, request, queryset: QuerySet) -> None:
        self._set_status(request, queryset, ActionPoint.Status.DROPPED)

    def _set_status(self, request, queryset: QuerySet, status: ActionPoint.Status) -> None:
        try:
            changed = update_action_points(
                queryset,
                by=request.user,
                via=ActionPointChange.Via.ADMIN_BULK,
                seen_versions=seen_versions(request),
                status=status,
            )
        except StaleBulkEdit as stale:
            self.message_user(request, stale.message, messages.ERROR)
            return
        self.message_user(
            request, f"Marked {changed} action point(s) {status.label.lower()}.", messages.SUCCESS
        )


# Django's user admin, whose "set password" also revokes the user's secret links.
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    change_password_form = AdminPasswordChangeForm
