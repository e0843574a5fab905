"""Admin pieces that know about events and tags, shared by the talks and actions
admins (the generic ones are in common.admin_helpers)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from taggit.managers import TaggableManager

from common.admin_helpers import LargeTableAdmin
from talks.models import Event
from talks.tagging import TagNamesField


class SiteAdmin(LargeTableAdmin):
    """A large-table changelist whose tag fields refuse the names the site's other
    forms refuse."""

    formfield_overrides = {TaggableManager: {"form_class": TagNamesField}}


class RecentEventFilter(admin.SimpleListFilter):
    """The most recent events that have rows in this list (not every event ever)."""

    title = "event"
    parameter_name = "event"
    limit = 15

    def lookups(self, request, model_admin):
        has_rows = Exists(model_admin.model._default_manager.filter(event=OuterRef("pk")))
        # Only what an event's name shows (str(event)): not its description.
        recent = Event.objects.filter(has_rows).newest_first().only("name", "starts_on")
        events = list(recent[: self.limit])
        value = self.value()
        if value and value.isdecimal() and all(str(e.pk) != value for e in events):
            events += Event.objects.filter(pk=value)
        return [(str(event.pk), str(event)) for event in events]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdecimal():
            return queryset.none()
        return queryset.filter(event_id=value)
