import datetime

import pytest
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from talks.models import Event, Note, OpenSpace, Talk
from tests.factories import (
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

MODELS = ["event", "speaker", "talk", "openspace", "note", "takeaway"]


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def event_data(**changes) -> dict:
    data = {
        "name": "DevOpsDays Amsterdam",
        "slug": "devopsdays-amsterdam-2026",
        "starts_on": "2026-06-17",
        "ends_on": "2026-06-19",
        "city": "Amsterdam",
        "country": "Netherlands",
        "venue": "",
        "website": "",
        "description": "",
        "tags": "",
        **inline_management("talks"),
        **inline_management("open_spaces"),
    }
    return {**data, **changes}


def shown(response) -> list[str]:
    return sorted(str(obj) for obj in response.context["cl"].result_list)


# Access


@pytest.mark.parametrize("persona", ["attendee", "manager", "outsider"])
@pytest.mark.parametrize("model", MODELS)
def test_non_staff_are_sent_to_the_admin_login(client, request, persona, model):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(f"admin:talks_{model}_changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/admin/login/?next={url}"


# Changelists


@pytest.mark.parametrize("model", MODELS)
def test_changelist_renders_for_staff(staff_client, model):
    NoteFactory()
    TakeawayFactory()
    OpenSpaceFactory()
    response = staff_client.get(reverse(f"admin:talks_{model}_changelist"))
    assert response.status_code == 200


def make_rows(count: int) -> None:
    for _ in range(count):
        speakers = SpeakerFactory.create_batch(2)
        talk = TalkFactory(speakers=speakers)
        talk.tags.add("kubernetes", f"topic-{talk.pk}")
        open_space = OpenSpaceFactory(event=talk.event)
        open_space.tags.add("culture")
        NoteFactory(talk=talk)
        NoteFactory(talk=None, open_space=open_space, event=talk.event)
        takeaway = TakeawayFactory(talk=talk)
        takeaway.tags.add("testing")


@pytest.mark.parametrize("model", MODELS)
def test_changelist_runs_as_many_queries_for_20_rows_as_for_2(staff_client, model):
    url = reverse(f"admin:talks_{model}_changelist")
    make_rows(2)
    few = count_queries(staff_client, url)
    make_rows(18)
    many = count_queries(staff_client, url)
    assert many == few


@pytest.mark.parametrize("model", MODELS)
def test_changelist_never_counts_the_whole_table(staff_client, model):
    make_rows(2)
    with CaptureQueriesContext(connection) as captured:
        staff_client.get(reverse(f"admin:talks_{model}_changelist"))
    counts = [q["sql"] for q in captured if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1
    assert counts[0].endswith("LIMIT 10001) subquery")


def test_talks_filter_by_event_and_tag(staff_client):
    pycon = EventFactory(name="PyCon")
    TalkFactory(title="Typing at scale", event=pycon).tags.add("python")
    TalkFactory(title="Packaging", event=pycon)
    TalkFactory(title="Terraform", event=EventFactory()).tags.add("python")
    url = reverse("admin:talks_talk_changelist")
    response = staff_client.get(f"{url}?event={pycon.pk}&tag=python")
    assert shown(response) == ["Typing at scale"]


def test_talks_search_by_title_and_event_name(staff_client):
    TalkFactory(title="Observability 101", event=EventFactory(name="Monitorama"))
    TalkFactory(title="Team topologies", event=EventFactory(name="Observability Summit"))
    TalkFactory(title="Unrelated")
    response = staff_client.get(reverse("admin:talks_talk_changelist") + "?q=observability")
    assert shown(response) == ["Observability 101", "Team topologies"]


def test_speakers_are_searchable(staff_client):
    SpeakerFactory(name="Ada Lovelace")
    SpeakerFactory(name="Grace Hopper")
    response = staff_client.get(reverse("admin:talks_speaker_changelist") + "?q=grace")
    assert shown(response) == ["Grace Hopper"]


def test_speaker_autocomplete_finds_speakers_by_name(staff_client):
    ada = SpeakerFactory(name="Ada Lovelace")
    SpeakerFactory(name="Grace Hopper")
    query = "app_label=talks&model_name=talk&field_name=speakers&term=ada"
    response = staff_client.get(f"/admin/autocomplete/?{query}")
    assert response.json()["results"] == [{"id": str(ada.pk), "text": "Ada Lovelace"}]


def test_tags_filter_offers_the_most_used_tags(staff_client):
    for _ in range(3):
        TalkFactory().tags.add("python")
    TalkFactory().tags.add("go")
    response = staff_client.get(reverse("admin:talks_talk_changelist"))
    spec = next(f for f in response.context["cl"].filter_specs if f.title == "tag")
    assert spec.lookup_choices == [("python", "python"), ("go", "go")]


# Forms


def test_talk_form_uses_autocompletes_and_prefills_the_slug(staff_client):
    response = staff_client.get(reverse("admin:talks_talk_add"))
    form = response.context["adminform"].form
    assert isinstance(form.fields["event"].widget.widget, AutocompleteSelect)
    assert isinstance(form.fields["speakers"].widget.widget, AutocompleteSelectMultiple)
    prepopulated = response.context["adminform"].prepopulated_fields
    assert [(p["field"].name, [d.name for d in p["dependencies"]]) for p in prepopulated] == [
        ("slug", ["title"])
    ]


def test_talk_form_saves_speakers_and_tags(staff_client):
    event = EventFactory()
    ada, grace = SpeakerFactory(name="Ada"), SpeakerFactory(name="Grace")
    data = {
        "event": event.pk,
        "title": "Compilers for everyone",
        "slug": "compilers-for-everyone",
        "kind": "keynote",
        "speakers": [ada.pk, grace.pk],
        "slides_url": "",
        "video_url": "",
        "abstract": "A *short* history.",
        "tags": "compilers, history",
    }
    response = staff_client.post(reverse("admin:talks_talk_add"), data)
    assert response.status_code == 302
    talk = Talk.objects.get()
    assert sorted(s.name for s in talk.speakers.all()) == ["Ada", "Grace"]
    assert sorted(talk.tags.names()) == ["compilers", "history"]
    assert talk.abstract_html == "<p>A <em>short</em> history.</p>"


def test_event_form_shows_markdown_source_never_the_rendered_html(staff_client):
    event = EventFactory(description="<script>alert(1)</script> **Bold**")
    response = staff_client.get(reverse("admin:talks_event_change", args=[event.pk]))
    assert list(response.context["adminform"].form.fields) == [
        "name",
        "slug",
        "starts_on",
        "ends_on",
        "city",
        "country",
        "venue",
        "website",
        "description",
        "tags",
    ]
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **Bold**" in response.text


def test_note_form_edits_the_markdown_body_only(staff_client):
    note = NoteFactory()
    response = staff_client.get(reverse("admin:talks_note_change", args=[note.pk]))
    assert list(response.context["adminform"].form.fields) == [
        "author",
        "event",
        "talk",
        "open_space",
        "title",
        "body",
        "status",
    ]


def test_event_with_talk_and_open_space_inlines_saves(staff_client):
    data = event_data(
        **inline_management("talks", total=1),
        **{"talks-0-title": "Opening keynote", "talks-0-slug": "", "talks-0-kind": "keynote"},
        **inline_management("open_spaces", total=1),
        **{
            "open_spaces-0-topic": "On-call without burnout",
            "open_spaces-0-slug": "on-call",
            "open_spaces-0-convenor": "Sam",
            "open_spaces-0-session_label": "Day 1, room B",
        },
    )
    response = staff_client.post(reverse("admin:talks_event_add"), data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert list(event.talks.values_list("title", "slug", "kind")) == [
        ("Opening keynote", "opening-keynote", "keynote")
    ]
    assert list(event.open_spaces.values_list("topic", "slug")) == [
        ("On-call without burnout", "on-call")
    ]


def test_event_change_page_lists_its_talks_and_open_spaces(staff_client):
    event = EventFactory()
    TalkFactory(event=event, title="Keynote")
    OpenSpaceFactory(event=event, topic="Hiring")
    response = staff_client.get(reverse("admin:talks_event_change", args=[event.pk]))
    formsets = response.context["inline_admin_formsets"]
    assert [[form.instance for form in fs.formset.initial_forms] for fs in formsets] == [
        list(Talk.objects.all()),
        list(OpenSpace.objects.all()),
    ]


def test_two_talks_with_one_slug_in_the_inline_are_a_form_error(staff_client):
    data = event_data(
        **inline_management("talks", total=2),
        **{"talks-0-title": "Keynote", "talks-0-slug": "keynote", "talks-0-kind": "keynote"},
        **{"talks-1-title": "Keynote 2", "talks-1-slug": "keynote", "talks-1-kind": "keynote"},
    )
    response = staff_client.post(reverse("admin:talks_event_add"), data)
    assert response.status_code == 200
    talks_formset = response.context["inline_admin_formsets"][0].formset
    assert talks_formset.non_form_errors() == ["Please correct the duplicate data for slug."]
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    "factory",
    [EventFactory, SpeakerFactory, TalkFactory, OpenSpaceFactory, NoteFactory, TakeawayFactory],
)
def test_change_page_renders(staff_client, factory):
    obj = factory()
    opts = obj._meta
    response = staff_client.get(reverse(f"admin:talks_{opts.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_event_ending_before_it_starts_is_a_form_error(staff_client):
    data = event_data(starts_on="2026-06-17", ends_on="2026-06-16")
    response = staff_client.post(reverse("admin:talks_event_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "ends_on": ["An event cannot end before it starts."]
    }
    assert Event.objects.count() == 0


def test_a_tag_without_letters_or_digits_is_a_form_error(staff_client):
    response = staff_client.post(reverse("admin:talks_event_add"), event_data(tags="ops, ???"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "tags": ["“???” cannot be a tag: it needs at least one letter or digit."]
    }
    assert Event.objects.count() == 0


def test_duplicate_talk_slug_in_an_event_is_a_form_error(staff_client):
    event = EventFactory()
    TalkFactory(event=event, title="Keynote", slug="keynote")
    data = {
        "event": event.pk,
        "title": "Another keynote",
        "slug": "keynote",
        "kind": "talk",
        "slides_url": "",
        "video_url": "",
        "abstract": "",
        "tags": "",
    }
    response = staff_client.post(reverse("admin:talks_talk_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["Talk with this Event and Slug already exists."]
    }


def test_note_about_a_talk_of_another_event_is_a_form_error(staff_client):
    talk = TalkFactory(title="Elsewhere")
    data = {
        "author": UserFactory().pk,
        "event": EventFactory().pk,
        "talk": talk.pk,
        "open_space": "",
        "title": "",
        "body": "Notes.",
        "status": "draft",
    }
    response = staff_client.post(reverse("admin:talks_note_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "talk": ["“Elsewhere” belongs to another event."]
    }
    assert Note.objects.count() == 0


def test_note_date_hierarchy_narrows_by_creation_date(staff_client):
    NoteFactory(title="Today")
    year = datetime.date.today().year
    url = reverse("admin:talks_note_changelist")
    assert shown(staff_client.get(f"{url}?created_at__year={year}")) == ["Today"]
    assert shown(staff_client.get(f"{url}?created_at__year={year - 1}")) == []
