"""Tag housekeeping in the admin: use counts, renaming, merging; staff only."""

import ast
import re
from pathlib import Path

import pytest
from django.contrib.admin import helpers
from taggit.models import Tag

from talks.models import Follow
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    OpenSpaceFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/taggit/tag/"


def tag_names(obj) -> list[str]:
    return sorted(obj.tags.names())


@pytest.fixture
def tagged():
    """Three spellings of one topic on every kind of object (and follows of them)."""
    kubernetes = Tag.objects.create(name="kubernetes")
    k8s = Tag.objects.create(name="k8s")
    kube = Tag.objects.create(name="kube")
    event = EventFactory(name="Summit")
    objects = {
        "talk1": TalkFactory(event=event),
        "talk2": TalkFactory(event=event),
        "talk3": TalkFactory(event=event),
        "space": OpenSpaceFactory(event=event),
        "takeaway": TakeawayFactory(talk=None, event=event),
        "action_point": ActionPointFactory(event=event),
        "event1": event,
        "event2": EventFactory(name="Meetup"),
    }
    objects["talk1"].tags.add(k8s, "python")
    objects["talk2"].tags.add(k8s, kubernetes)
    objects["talk3"].tags.add(k8s, kube)
    objects["space"].tags.add(kube)
    objects["takeaway"].tags.add(kubernetes, kube)
    objects["action_point"].tags.add(k8s)
    objects["event1"].tags.add(k8s, kube, kubernetes)
    objects["event2"].tags.add(kube)
    bob, carol, dave = (UserFactory(username=name) for name in ("bob", "carol", "dave"))
    Follow.objects.start(bob, tag=k8s)
    Follow.objects.start(carol, tag=k8s)
    Follow.objects.start(carol, tag=kubernetes)
    Follow.objects.start(dave, tag=kube)
    Follow.objects.start(dave, tag=k8s)
    return {"kubernetes": kubernetes, "k8s": k8s, "kube": kube, **objects}


def merge_post(client, tags, **data):
    return client.post(
        LIST_URL,
        {
            "action": "merge_into",
            helpers.ACTION_CHECKBOX_NAME: [tag.pk for tag in tags],
            "select_across": "0",
            **data,
        },
    )


def test_changelist_counts_uses_per_kind(staff_client, tagged):
    response = staff_client.get(LIST_URL)
    rows = {
        tag.name: (
            tag.uses_actionpoint,
            tag.uses_event,
            tag.uses_openspace,
            tag.uses_takeaway,
            tag.uses_talk,
            tag.uses_total,
        )
        for tag in response.context["cl"].result_list
    }
    assert rows == {
        "k8s": (1, 1, 0, 0, 3, 5),
        "kube": (0, 2, 1, 1, 1, 5),
        "kubernetes": (0, 1, 0, 1, 1, 3),
        "python": (0, 0, 0, 0, 1, 1),
    }
    headers = re.findall(r'<th scope="col" class="sortable column-\w+">\s*<div class="text">'
                         r'<a href="[^"]*">([^<]*)</a>', response.content.decode())  # fmt: skip
    assert headers == ["Slug", "Action points", "Events", "Open spaces", "Takeaways", "Talks",
                       "All uses"]  # fmt: skip


def test_changelist_sorts_by_a_use_count(staff_client, tagged):
    columns = list(staff_client.get(LIST_URL).context["cl"].list_display)
    talks_column = columns.index(
        next(c for c in columns if getattr(c, "__name__", "") == "uses_talk")
    )
    response = staff_client.get(f"{LIST_URL}?o=-{talks_column}.1")
    assert [t.name for t in response.context["cl"].result_list] == [
        "k8s", "kube", "kubernetes", "python"
    ]  # fmt: skip


def test_changelist_runs_the_same_queries_for_3_and_30_tags(staff_client):
    def add(start, n):
        for i in range(start, start + n):
            TalkFactory().tags.add(f"tag-{i}", "shared")

    add(0, 3)
    few = count_queries(staff_client, LIST_URL)
    add(3, 27)
    assert count_queries(staff_client, LIST_URL) == few


def test_staff_renames_a_tag(staff_client, tagged):
    k8s = tagged["k8s"]
    page = staff_client.get(f"{LIST_URL}{k8s.pk}/change/")
    assert page.context["title"] == "Rename tag"
    response = staff_client.post(f"{LIST_URL}{k8s.pk}/change/", {"name": "K8s", "slug": "k8s"})
    assert response.status_code == 302
    k8s.refresh_from_db()
    assert (k8s.name, k8s.slug) == ("K8s", "k8s")
    assert tag_names(tagged["talk1"]) == ["K8s", "python"]


def test_renaming_onto_an_existing_tag_is_refused_with_a_hint_to_merge(staff_client, tagged):
    k8s = tagged["k8s"]
    response = staff_client.post(
        f"{LIST_URL}{k8s.pk}/change/", {"name": "Kubernetes", "slug": "k8s"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "A tag called “Kubernetes” already exists (“kubernetes”). To combine the two tags, "
        "select both in the tag list and use the “Merge into…” action."
    ]
    k8s.refresh_from_db()
    assert k8s.name == "k8s"


def test_renaming_onto_an_existing_slug_is_refused(staff_client, tagged):
    k8s = tagged["k8s"]
    response = staff_client.post(f"{LIST_URL}{k8s.pk}/change/", {"name": "K8S!", "slug": "kube"})
    assert "already exists (“kube”)" in response.context["adminform"].form.errors["slug"][0]


def test_merge_page_previews_the_most_used_selected_tag_first(staff_client, tagged):
    response = merge_post(staff_client, [tagged["kubernetes"], tagged["k8s"], tagged["kube"]])
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.into.name == "k8s"  # 5 uses, tied with kube: by name
    assert sorted(t.name for t in plan.merged) == ["kube", "kubernetes"]


def test_merge_preview_counts_what_moves_and_what_already_carries_the_target(staff_client, tagged):
    tags = [tagged["kubernetes"], tagged["k8s"], tagged["kube"]]
    response = merge_post(staff_client, tags, into="Kubernetes", preview="Preview")
    plan = response.context["plan"]
    assert plan.into == tagged["kubernetes"]
    assert [(k.label, k.moved, k.duplicates) for k in plan.kinds] == [
        ("action points", 1, 0),
        ("events", 1, 1),
        ("open spaces", 1, 0),
        ("other objects", 0, 0),
        ("takeaways", 0, 1),
        ("talks", 2, 1),
    ]
    assert (plan.follows_moved, plan.follows_duplicates) == (2, 1)
    html = response.content.decode()
    assert '<tr><th scope="row">Talks</th><td>2</td><td>1</td></tr>' in html
    assert 'name="confirm" value="Merge"' in html
    # Nothing has changed yet.
    assert Tag.objects.count() == 4


def test_merge_moves_every_tagged_object_without_duplicates(staff_client, tagged):
    kubernetes = tagged["kubernetes"]
    tags = [kubernetes, tagged["k8s"], tagged["kube"]]
    response = merge_post(
        staff_client, tags, into="kubernetes", previewed=kubernetes.pk, confirm="Merge"
    )
    assert response.status_code == 302
    for key in ("talk2", "talk3", "space", "takeaway", "action_point", "event1", "event2"):
        assert tag_names(tagged[key]) == ["kubernetes"], key
    assert tag_names(tagged["talk1"]) == ["kubernetes", "python"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["kubernetes", "python"]
    follows = Follow.objects.order_by("user__username").values_list("user__username", "tag__name")
    assert list(follows) == [("bob", "kubernetes"), ("carol", "kubernetes"), ("dave", "kubernetes")]
    message = [str(m) for m in staff_client.get(LIST_URL).context["messages"]]
    assert message == [
        "Merged k8s, kube into “kubernetes”: 1 action points, 1 events, 1 open spaces, "
        "2 talks moved to it, 5 duplicate link(s) removed. Moved 2 follow(s). Deleted 2 tag(s)."
    ]


def test_merge_needs_a_preview_of_the_same_target(staff_client, tagged):
    tags = [tagged["kubernetes"], tagged["k8s"]]
    response = merge_post(
        staff_client, tags, into="kubernetes", previewed=tagged["k8s"].pk, confirm="Merge"
    )
    assert response.status_code == 200
    assert response.context["recheck"] is True
    assert response.context["plan"].into == tagged["kubernetes"]
    assert Tag.objects.count() == 4


def test_merge_into_an_unknown_tag_says_so(staff_client, tagged):
    response = merge_post(staff_client, [tagged["k8s"]], into="nope", preview="Preview")
    assert response.context["form"].errors["into"] == [
        "No tag is called “nope”. To give the merged tags a new name, merge them into one of "
        "them, then rename it."
    ]
    assert response.context["plan"] is None


def test_merging_a_tag_into_itself_is_refused(staff_client, tagged):
    response = merge_post(staff_client, [tagged["k8s"]], into="k8s", preview="Preview")
    assert response.context["form"].errors["into"] == [
        "Choose a tag other than the only one selected."
    ]


def test_merging_into_a_tag_that_was_not_selected(staff_client, tagged):
    kube = tagged["kube"]
    merge_post(staff_client, [tagged["k8s"]], into="kube", previewed=kube.pk, confirm="Merge")
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["kube", "kubernetes", "python"]
    assert tag_names(tagged["talk1"]) == ["kube", "python"]
    assert tag_names(tagged["action_point"]) == ["kube"]


@pytest.mark.parametrize("persona", ["attendee", "manager"])
def test_non_staff_cannot_open_or_merge_tags(client, tagged, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST_URL)["Location"].startswith("/admin/login/")
    kubernetes = tagged["kubernetes"]
    response = merge_post(
        client, [kubernetes, tagged["k8s"]], into="kubernetes", previewed=kubernetes.pk,
        confirm="Merge",
    )  # fmt: skip
    assert response["Location"].startswith("/admin/login/")
    assert Tag.objects.count() == 4


def test_talks_never_imports_actions():
    talks_dir = Path(__file__).resolve().parents[2] / "talks"
    imported = set()
    for path in talks_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
    assert "actions" not in imported
