"""Staff admin for events and what happened at them.

The rendered ``*_html`` columns are not editable and never shown: staff edit the
Markdown sources, pages show the sanitised HTML.
"""

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse
from taggit.models import Tag

from common.admin_helpers import (
    TagListFilter,
    joined_tag_names,
)
from common.links import HttpURLValidator
from talks.admin_base import RecentEventFilter, SiteAdmin
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
from talks.tag_housekeeping import (
    TargetGone,
    kind_key,
    kind_label,
    merge_plan,
    merge_tags,
    tagged_item_models,
    tagged_model,
    with_use_counts,
)
from talks.tagging import validate_tag_name

# Links typed without a scheme are https (Django 6's default; silences its warning);
# the "Currently:" link above the box is shown only for an http(s) address.
URL_FIELDS = {
    **SiteAdmin.formfield_overrides,
    models.URLField: {
        "assume_scheme": "https",
        "widget": AdminURLFieldWidget(validator_class=HttpURLValidator),
    },
}


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


@admin.display(description="when", ordering="day")
def when_column(obj) -> str:
    """Day, start time and room in one narrow column."""
    parts = [
        f"{obj.day:%-d %b}" if obj.day else "",
        f"{obj.starts_at:%H:%M}" if obj.starts_at else "",
        obj.room,
    ]
    return " · ".join(part for part in parts if part) or "—"


class TalkInline(admin.TabularInline):
    model = Talk
    fields = ["title", "slug", "kind", "day", "starts_at", "room"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    # Speakers, links and abstract are edited on the talk's own page.
    show_change_link = True


class OpenSpaceInline(admin.TabularInline):
    model = OpenSpace
    fields = ["topic", "slug", "convenor", "day", "starts_at", "room"]
    prepopulated_fields = {"slug": ["topic"]}
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(SiteAdmin):
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
class SpeakerAdmin(SiteAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Talk)
class TalkAdmin(SiteAdmin):
    list_display = ["title", "event", when_column, "kind", "speaker_names", tags_column]
    list_select_related = ["event"]
    list_filter = ["kind", RecentEventFilter, ("day", admin.EmptyFieldListFilter), TalkTagFilter]
    search_fields = ["title", "event__name"]
    fields = [
        "event",
        "title",
        "slug",
        "kind",
        "speakers",
        ("day", "starts_at", "room"),
        ("slides_url", "video_url"),
        "abstract",
        "tags",
    ]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = URL_FIELDS
    autocomplete_fields = ["event", "speakers"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("speakers").with_tags()

    @admin.display(description="speakers")
    def speaker_names(self, obj: Talk) -> str:
        return ", ".join(speaker.name for speaker in obj.speakers.all())


@admin.register(OpenSpace)
class OpenSpaceAdmin(SiteAdmin):
    list_display = ["topic", "event", when_column, "convenor", "session_label", tags_column]
    list_select_related = ["event"]
    list_filter = [RecentEventFilter, ("day", admin.EmptyFieldListFilter), OpenSpaceTagFilter]
    search_fields = ["topic", "convenor"]
    fields = [
        "event",
        "topic",
        "slug",
        "convenor",
        ("day", "starts_at", "room"),
        "session_label",
        "tags",
    ]
    prepopulated_fields = {"slug": ["topic"]}
    autocomplete_fields = ["event"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_tags()


@admin.register(Note)
class NoteAdmin(SiteAdmin):
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
class TakeawayAdmin(SiteAdmin):
    list_display = ["text", "author", "event", session_column, tags_column]
    list_select_related = ["author", "event", "talk", "open_space"]
    list_filter = [RecentEventFilter, TakeawayTagFilter]
    search_fields = ["text"]
    date_hierarchy = "created_at"
    fields = ["author", "event", "talk", "open_space", "text", "tags", "note", "created_at"]
    # The note it was written with: private while that note is a draft.
    readonly_fields = ["note", "created_at"]
    autocomplete_fields = ["author", "event", "talk", "open_space"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_tags()


# Tags: taggit registers a plain admin for its Tag; ours shows how much each tag is
# used, refuses a rename onto another tag's name, and merges tags.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]
        help_texts = {
            "slug": "Part of the tag page's and feed's address: changing it breaks old links."
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        validate_tag_name(name)
        self._refuse_existing(Q(name__iexact=name), f"A tag called “{name}”")
        return name

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        self._refuse_existing(Q(slug=slug), f"The slug “{slug}”")
        return slug

    def _refuse_existing(self, same: Q, what: str) -> None:
        """Tags are case-insensitive: "Kubernetes" may not become a second "kubernetes"."""
        other = Tag.objects.filter(same).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise forms.ValidationError(
                f"{what} already exists (“{other.name}”). To combine the two tags, "
                "select both in the tag list and use the “Merge into…” action.",
                code="exists",
            )


class MergeForm(forms.Form):
    into = forms.CharField(
        label="Merge into",
        max_length=100,
        help_text="The tag to keep: one of the selected ones, or any other tag's name or slug.",
        widget=forms.TextInput(attrs={"list": "merge-target-suggestions", "autocomplete": "off"}),
    )
    # The target the numbers on the page were shown for: a merge runs only after
    # its own preview.
    previewed = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_into(self) -> Tag:
        value = self.cleaned_data["into"].strip()
        tag = Tag.objects.filter(Q(name__iexact=value) | Q(slug=value)).first()
        if tag is None:
            raise forms.ValidationError(
                f"No tag is called “{value}”. To give the merged tags a new name, merge them "
                "into one of them, then rename it."
            )
        return tag


@functools.cache
def use_columns() -> list:
    """A changelist column per kind of tagged object, sortable, from the counts that
    ``with_use_counts`` annotates."""
    columns = []
    for through in tagged_item_models():
        if tagged_model(through) is None:
            continue  # taggit's generic table: nothing here uses it (still in the total)
        key = kind_key(through)

        def column(tag: Tag, key: str = key) -> int:
            return getattr(tag, key)

        column.__name__ = key
        columns.append(admin.display(description=kind_label(through), ordering=key)(column))
    return columns


@admin.register(Tag)
class TagAdmin(SiteAdmin):
    form = TagAdminForm
    list_display = ["name", "slug"]  # and the use counts: see get_list_display
    search_fields = ["name", "slug"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 100
    actions = ["merge_into"]
    # How many of the selected tags the merge page names, and how many more
    # (the most used) it suggests as targets.
    merge_listed = 50

    def get_queryset(self, request):
        return with_use_counts(super().get_queryset(request))

    def get_list_display(self, request):
        return [*self.list_display, *use_columns(), "total_uses"]

    @admin.display(description="all uses", ordering="uses_total")
    def total_uses(self, tag: Tag) -> int:
        return tag.uses_total

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"title": "Rename tag", **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Merge into…", permissions=["change", "delete"])
    def merge_into(self, request, queryset):
        """A page that previews merging the selected tags into one; the merge runs
        only from the button under the preview of that same target."""
        selected = list(queryset.order_by("-uses_total", "name"))
        if "into" not in request.POST:  # arriving from the list: the most used one
            return self._merge_page(request, selected, into=selected[0])
        form = MergeForm(request.POST)
        if not form.is_valid():
            return self._merge_page(request, selected, form=form)
        into = form.cleaned_data["into"]
        if all(tag.pk == into.pk for tag in selected):
            form.add_error("into", "Choose a tag other than the only one selected.")
            return self._merge_page(request, selected, form=form)
        if "confirm" in request.POST and form.cleaned_data["previewed"] == into.pk:
            return self._merge(request, selected, into)
        # A new target, or one typed after the last preview: show its numbers first.
        recheck = "confirm" in request.POST
        return self._merge_page(request, selected, into=into, recheck=recheck)

    def _merge_page(self, request, selected, *, form=None, into=None, recheck=False):
        plan = None
        if into is not None and any(tag.pk != into.pk for tag in selected):
            plan = merge_plan(selected, into=into)
        if form is None:
            form = MergeForm(initial={"into": into.name, "previewed": plan and into.pk})
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "opts": self.opts,
            "form": form,
            "plan": plan,
            "recheck": recheck,
            "selected": selected[: self.merge_listed],
            "more_selected": max(len(selected) - self.merge_listed, 0),
            "suggestions": self._suggestions(selected),
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/taggit/tag/merge_into.html", context)

    def _suggestions(self, selected: list[Tag]) -> list[str]:
        """Names for the target's datalist: the selected tags, then the most used."""
        names = [tag.name for tag in selected[: self.merge_listed]]
        popular = with_use_counts(Tag.objects.exclude(name__in=names)).order_by(
            "-uses_total", "name"
        )
        return names + list(popular.values_list("name", flat=True)[: self.merge_listed])

    def _merge(self, request, selected: list[Tag], into: Tag) -> None:
        try:
            result = merge_tags(tags=selected, into=into)
        except TargetGone as gone:
            self.message_user(request, str(gone), messages.ERROR)
            return
        moved = ", ".join(f"{k.moved} {k.label}" for k in result.kinds if k.moved)
        removed = sum(k.removed for k in result.kinds)
        follows = f" Moved {result.follows_moved} follow(s)." if result.follows_moved else ""
        self.message_user(
            request,
            f"Merged {', '.join(result.merged_names)} into “{into.name}”: "
            f"{moved or 'nothing'} moved to it, {removed} duplicate link(s) removed."
            f"{follows} Deleted {len(result.merged_names)} tag(s).",
            messages.SUCCESS,
        )
