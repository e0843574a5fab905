"""Staff admin for events and what happened at them.

The rendered ``*_html`` columns are not editable and never shown: staff edit the
Markdown sources, pages show the sanitised HTML.
"""

from django.contrib import admin
from django.db import models

from notesite.admin_utils import (
    LargeTableAdmin,
    RecentEventFilter,
    TagListFilter,
    joined_tag_names,
)
from talks.models import (
    Event,
    Note,
    OpenSpace,
    Speaker,
    TaggedOpenSpace,
    TaggedTakeaway,
    TaggedTalk,
    Takeaway,
    Talk,
)

# Links typed without a scheme are https (Django 6's default; silences its warning).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.display(description="tags")
def tags_column(obj) -> str:
    return joined_tag_names(obj)


@admin.display(description="session")
def session_column(obj) -> str:
    return str(obj.session or "—")


class TalkTagFilter(TagListFilter):
    through = TaggedTalk


class OpenSpaceTagFilter(TagListFilter):
    through = TaggedOpenSpace


class TakeawayTagFilter(TagListFilter):
    through = TaggedTakeaway


class TalkInline(admin.TabularInline):
    model = Talk
    fields = ["title", "slug", "kind"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    # Speakers, links and abstract are edited on the talk's own page.
    show_change_link = True


class OpenSpaceInline(admin.TabularInline):
    model = OpenSpace
    fields = ["topic", "slug", "convenor", "session_label"]
    prepopulated_fields = {"slug": ["topic"]}
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(LargeTableAdmin):
    list_display = ["name", "starts_on", "ends_on", "place"]
    search_fields = ["name", "city", "country"]
    date_hierarchy = "starts_on"
    fields = [
        "name",
        "slug",
        ("starts_on", "ends_on"),
        ("city", "country"),
        "venue",
        "website",
        "description",
        "tags",
    ]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = URL_FIELDS
    inlines = [TalkInline, OpenSpaceInline]

    @admin.display(description="place")
    def place(self, obj: Event) -> str:
        return obj.place


@admin.register(Speaker)
class SpeakerAdmin(LargeTableAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Talk)
class TalkAdmin(LargeTableAdmin):
    list_display = ["title", "event", "kind", "speaker_names", tags_column]
    list_select_related = ["event"]
    list_filter = ["kind", RecentEventFilter, TalkTagFilter]
    search_fields = ["title", "event__name"]
    fields = [
        "event",
        "title",
        "slug",
        "kind",
        "speakers",
        ("slides_url", "video_url"),
        "abstract",
        "tags",
    ]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = URL_FIELDS
    autocomplete_fields = ["event", "speakers"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("speakers", "tags")

    @admin.display(description="speakers")
    def speaker_names(self, obj: Talk) -> str:
        return ", ".join(speaker.name for speaker in obj.speakers.all())


@admin.register(OpenSpace)
class OpenSpaceAdmin(LargeTableAdmin):
    list_display = ["topic", "event", "convenor", "session_label", tags_column]
    list_select_related = ["event"]
    list_filter = [RecentEventFilter, OpenSpaceTagFilter]
    search_fields = ["topic", "convenor"]
    fields = ["event", "topic", "slug", "convenor", "session_label", "tags"]
    prepopulated_fields = {"slug": ["topic"]}
    autocomplete_fields = ["event"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")


@admin.register(Note)
class NoteAdmin(LargeTableAdmin):
    list_display = ["__str__", "author", "event", session_column, "status", "created_at"]
    list_select_related = ["author", "event", "talk", "open_space"]
    list_filter = ["status", RecentEventFilter]
    search_fields = ["title", "author__username"]
    date_hierarchy = "created_at"
    fields = [
        "author",
        "event",
        "talk",
        "open_space",
        "title",
        "body",
        "status",
        ("created_at", "updated_at", "published_at"),
    ]
    readonly_fields = ["created_at", "updated_at", "published_at"]
    autocomplete_fields = ["author", "event", "talk", "open_space"]


@admin.register(Takeaway)
class TakeawayAdmin(LargeTableAdmin):
    list_display = ["text", "author", "event", session_column, tags_column]
    list_select_related = ["author", "event", "talk", "open_space"]
    list_filter = [RecentEventFilter, TakeawayTagFilter]
    search_fields = ["text"]
    date_hierarchy = "created_at"
    fields = ["author", "event", "talk", "open_space", "text", "tags", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["author", "event", "talk", "open_space"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")
