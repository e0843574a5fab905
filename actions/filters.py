"""The follow-ups list's filters: whose, assignee, status, event, tag, overdue.

Without filters the list is "my follow-ups": mine, open or in progress. Managers
and staff may widen it to everyone's (``scope=all``) or to one assignee; for
anyone else those two filters do not exist, and asking for them says so.
"""

import django_filters
from django import forms
from taggit.models import Tag

from actions.forms import EVENT_DATALIST_ID, username_lookup
from actions.models import ActionPoint, ActionPointQuerySet
from common.roles import sees_everyones_follow_ups
from talks.forms import LookupField
from talks.models import Event


class LookupFilter(django_filters.Filter):
    """Filters by an object named in the URL (slug, username); an unknown name is a
    form error that says so, never a 500 or a silently ignored filter."""

    field_class = LookupField


class FilterForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        # Colons neither here nor in the fieldsets' legends.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FollowUpFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(
        label="Whose",
        choices=[("mine", "Mine"), ("all", "Everyone's")],
        empty_label=None,
        widget=forms.RadioSelect,
        method="filter_scope",
    )
    # Any user, active or not: a leaver's follow-ups still need finding.
    assignee = LookupFilter(
        **username_lookup(active_only=False),
        field_name="assignee",
        label="Assignee",
        help_text="A username; searches everyone's follow-ups.",
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=ActionPoint.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        method="filter_status",
        help_text="None ticked: open and in progress.",
    )
    event = LookupFilter(
        field_name="event",
        queryset=Event.objects.all(),
        lookup="slug",
        slug=True,
        noun="event",
        label="Event",
        widget=forms.TextInput(attrs={"list": EVENT_DATALIST_ID, "autocomplete": "off"}),
        help_text="Its name and year, or the slug in its address.",
    )
    tag = LookupFilter(
        queryset=Tag.objects.all(),
        lookup="slug",
        slug=True,
        noun="tag",
        label="Tag",
        method="filter_tag",
        help_text="A tag's name or slug.",
    )
    overdue = django_filters.ChoiceFilter(
        label="Overdue",
        choices=[("yes", "Yes"), ("no", "No")],
        empty_label="Either",
        method="filter_overdue",
    )

    class Meta:
        model = ActionPoint
        form = FilterForm
        fields = ["scope", "assignee", "status", "event", "tag", "overdue"]

    def __init__(self, data=None, queryset=None, *, request, **kwargs) -> None:
        super().__init__(data, queryset, request=request, **kwargs)
        self.sees_everyone = sees_everyones_follow_ups(request.user)
        # Said on the page when someone asked for more than they may see.
        self.refused = ""
        if not self.sees_everyone:
            asked_for_others = self.data.get("assignee", "") not in (
                "",
                request.user.get_username(),
            )
            if self.data.get("scope") == "all" or asked_for_others:
                self.refused = "You can see only your own follow-ups, so this list shows yours."
            del self.filters["scope"], self.filters["assignee"]

    @property
    def chosen_assignee(self):
        """The user chosen in the assignee filter, if any."""
        return self.form.cleaned_data.get("assignee") if self.is_valid() else None

    @property
    def shows_mine(self) -> bool:
        """Only the requesting user's: always for attendees; for managers and staff
        unless they asked for everyone's or picked an assignee."""
        if not self.sees_everyone:
            return True
        return self.chosen_assignee is None and self.form.cleaned_data.get("scope") != "all"

    @property
    def heading(self) -> str:
        if self.shows_mine:
            return "My follow-ups"
        if self.chosen_assignee is not None:
            return f"Follow-ups assigned to {self.chosen_assignee.get_username()}"
        return "Everyone's follow-ups"

    def filter_queryset(self, queryset: ActionPointQuerySet) -> ActionPointQuerySet:
        if self.shows_mine:
            queryset = queryset.assigned_to(self.request.user)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.open()
        return super().filter_queryset(queryset)

    def filter_scope(self, queryset, name, value):
        return queryset  # applied in filter_queryset, together with the assignee

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value)

    def filter_tag(self, queryset, name, value):
        return queryset.tagged(value)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value == "yes" else queryset.not_overdue()
