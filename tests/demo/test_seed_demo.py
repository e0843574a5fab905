"""manage.py seed_demo: the synthetic data set of the benchmark (demo.seeding)."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from taggit.models import Tag

from actions.models import ActionPoint, ActionPointChange
from common.markdown import render_markdown
from demo import seeding
from demo.seeding import benchmark
from demo.seeding.plan import COMMON_WORD, DEMO_PASSWORD, RARE_PHRASE, Plan
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk

pytestmark = pytest.mark.django_db

SEED = 7


def fingerprint() -> list:
    """Enough of the data set to tell two runs apart."""
    return [
        list(User.objects.order_by("pk").values_list("username", "is_staff", "is_active")[:50]),
        list(Event.objects.order_by("pk").values_list("slug", "starts_on")[:50]),
        list(Talk.objects.order_by("pk").values_list("title", "kind")[:50]),
        list(Note.objects.order_by("pk").values_list("talk__slug", "body")[:50]),
        list(Takeaway.objects.order_by("pk").values_list("text", "author__username")[:50]),
        list(ActionPoint.objects.order_by("pk").values_list("title", "status", "due_on")[:50]),
        sorted(Tag.objects.values_list("name", flat=True)),
    ]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Scale 1 with ``SEED``, seeded once for the module in a transaction that is
    rolled back after its tests (like Django's setUpTestData); yields the command's
    output and the fingerprint of an earlier, rolled-back run with the same seed."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            seeding.seed(scale=0.2, seed=SEED)
            earlier = fingerprint()
            transaction.set_rollback(True)
        with transaction.atomic():
            seeding.seed(scale=0.2, seed=SEED)
            again = fingerprint()
            transaction.set_rollback(True)
        outer = transaction.atomic()
        outer.__enter__()
        output = StringIO()
        call_command("seed_demo", scale=1, seed=SEED, stdout=output)
    yield {"output": output.getvalue(), "deterministic": earlier == again}
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_scale_1_creates_the_documented_numbers(seeded):
    counts = {
        "events": Event.objects.count(),
        "talks": Talk.objects.count(),
        "open_spaces": OpenSpace.objects.count(),
        "notes": Note.objects.count(),
        "takeaways": Takeaway.objects.count(),
        "action_points": ActionPoint.objects.count(),
        "tags": Tag.objects.count(),
        "users": User.objects.count(),
        "speakers": Speaker.objects.count(),
    }
    assert counts == {
        "events": 50,
        "talks": 1000,
        "open_spaces": 100,
        "notes": 2000,
        "takeaways": 2000,
        "action_points": 2000,
        "tags": 30,
        "users": 50,
        "speakers": 400,
    }
    assert "Seeded scale 1 (seed 7)" in seeded["output"]


def test_plan_grows_with_the_scale():
    plan = Plan.for_scale(100)
    assert (plan.events, plan.talks, plan.open_spaces, plan.notes, plan.tags, plan.users) == (
        5000,
        100_000,
        10_000,
        200_000,
        3000,
        5000,
    )


def test_markdown_is_rendered_as_save_would(seeded):
    notes = list(Note.objects.order_by("?")[:150])
    talks = list(Talk.objects.exclude(abstract="").order_by("?")[:50])
    points = list(ActionPoint.objects.exclude(details="").order_by("?")[:50])
    events = list(Event.objects.exclude(description=""))
    mismatched = (
        [n.pk for n in notes if n.body_html != render_markdown(n.body)]
        + [t.pk for t in talks if t.abstract_html != render_markdown(t.abstract)]
        + [a.pk for a in points if a.details_html != render_markdown(a.details)]
        + [e.pk for e in events if e.description_html != render_markdown(e.description)]
    )
    assert mismatched == []
    assert not Note.objects.filter(body_html="").exists()


def test_note_bodies_have_realistic_lengths(seeded):
    lengths = sorted(len(body) for body in Note.objects.values_list("body", flat=True))
    assert lengths[0] >= 250
    assert 900 <= lengths[len(lengths) // 2] <= 2000
    assert lengths[-1] >= 3000


def test_tags_are_long_tailed(seeded):
    uses = sorted(benchmark.tag_distribution().values(), reverse=True)
    assert uses[0] >= 5 * uses[len(uses) // 2]
    # The most used fifth of the tags carries more than half of all uses.
    assert sum(uses[: len(uses) // 5]) > sum(uses) / 2


def test_most_action_points_are_done_and_some_are_overdue(seeded):
    statuses = Counter(ActionPoint.objects.values_list("status", flat=True))
    total = sum(statuses.values())
    assert statuses["done"] > total / 2
    assert set(statuses) == {"open", "in_progress", "done", "dropped"}
    overdue = ActionPoint.objects.overdue().count()
    assert 0 < overdue < total / 4


def test_every_change_of_status_has_a_history_entry(seeded):
    changed = ActionPoint.objects.exclude(status="open").count()
    assert ActionPointChange.objects.count() == changed
    assert not ActionPoint.objects.filter(status="done", completed_at=None).exists()


def test_all_database_constraints_hold(seeded):
    # Foreign keys (the composite session/event ones included) are deferred to the
    # commit, which a test never reaches: check them now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    disagreeing = Note.objects.exclude(talk=None).exclude(talk__event=F("event"))
    assert not disagreeing.exists()


def test_the_benchmark_users_have_their_roles(seeded):
    targets = benchmark.targets()
    heavy_open = ActionPoint.objects.open().assigned_to(targets.heavy).count()
    roles = {
        user.username: sorted(user.groups.values_list("name", flat=True))
        for user in (targets.heavy, targets.manager, targets.staff)
    }
    assert heavy_open >= 30
    assert roles == {"heavy": ["attendee"], "manager": ["manager"], "staffer": ["staff"]}
    assert targets.staff.is_staff
    assert targets.heavy.check_password(DEMO_PASSWORD)


def test_common_word_is_common_and_rare_phrase_rare(seeded):
    found = benchmark.document_frequencies()
    assert found[COMMON_WORD]["notes"] > Note.objects.count() / 4
    assert 1 <= found[RARE_PHRASE]["notes"] <= 10


def test_same_seed_gives_the_same_data(seeded):
    assert seeded["deterministic"]


def test_seeding_again_is_refused_and_writes_nothing(seeded):
    before = (User.objects.count(), Note.objects.count())
    with pytest.raises(CommandError, match="only fills an empty database"):
        call_command("seed_demo", scale=0.1, stdout=StringIO())
    assert (User.objects.count(), Note.objects.count()) == before
