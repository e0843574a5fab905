"""Every database constraint refuses a violating write, and the model's validation
names the field and the reason before the database has to."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from actions.models import ActionPoint
from talks.models import Event, Note, Speaker, Takeaway, Talk
from tests.factories import (
    ActionPointFactory,
    EventFactory,
    NoteFactory,
    OpenSpaceFactory,
    SpeakerFactory,
    TakeawayFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refused(name: str):
    """Expect an IntegrityError naming the constraint, checked immediately (the
    composite foreign keys are deferred to commit otherwise)."""

    class _Refused:
        def __enter__(self):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.raises = pytest.raises(IntegrityError, match=name)
            self.raises.__enter__()

        def __exit__(self, *exc):
            suppressed = self.raises.__exit__(*exc)
            self.atomic.__exit__(None, None, None)
            return suppressed

    return _Refused()


def test_event_cannot_end_before_it_starts():
    with refused("event_ends_on_or_after_start"):
        EventFactory(starts_on=datetime.date(2026, 5, 2), ends_on=datetime.date(2026, 5, 1))


def test_event_validation_names_the_end_date():
    event = Event(name="X", starts_on=datetime.date(2026, 5, 2), ends_on=datetime.date(2026, 5, 1))
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.message_dict["ends_on"] == ["An event cannot end before it starts."]


def test_event_slugs_are_unique():
    EventFactory(slug="pycon-2026")
    with refused("talks_event_slug"):
        EventFactory(slug="pycon-2026")


def test_event_slug_is_made_from_name_and_year_without_collisions():
    first = EventFactory(name="PyCon", starts_on=datetime.date(2026, 4, 1))
    second = EventFactory(name="PyCon", starts_on=datetime.date(2026, 9, 1))
    assert [first.slug, second.slug] == ["pycon-2026", "pycon-2026-2"]


def test_speaker_slugs_are_unique():
    SpeakerFactory(name="Ada Lovelace", slug="ada")
    with refused("talks_speaker_slug"):
        Speaker.objects.create(name="Ada L.", slug="ada")


def test_talk_slugs_are_unique_within_an_event_only():
    talk = TalkFactory(title="Keynote")
    TalkFactory(title="Keynote")  # another event: same slug is fine
    with refused("talk_slug_unique_per_event"):
        Talk.objects.create(event=talk.event, title="Other", slug=talk.slug)


def test_talk_kind_must_be_known():
    with refused("talk_kind_valid"):
        TalkFactory(kind="rant")


def test_open_space_slugs_are_unique_within_an_event():
    open_space = OpenSpaceFactory(topic="Hiring")
    with refused("openspace_slug_unique_per_event"):
        OpenSpaceFactory(event=open_space.event, topic="Other", slug=open_space.slug)


@pytest.mark.parametrize("factory", [NoteFactory, TakeawayFactory, ActionPointFactory])
def test_source_is_at_most_one_session(factory):
    talk = TalkFactory()
    open_space = OpenSpaceFactory(event=talk.event)
    with refused("one_session_at_most"):
        factory(event=talk.event, talk=talk, open_space=open_space)


@pytest.mark.parametrize("factory", [NoteFactory, TakeawayFactory, ActionPointFactory])
def test_event_must_agree_with_the_talks(factory):
    talk = TalkFactory()
    with refused("talk_same_event"):
        factory(event=EventFactory(), talk=talk)


@pytest.mark.parametrize("factory", [NoteFactory, TakeawayFactory, ActionPointFactory])
def test_event_must_agree_with_the_open_spaces(factory):
    open_space = OpenSpaceFactory()
    with refused("open_space_same_event"):
        factory(event=EventFactory(), talk=None, open_space=open_space)


def test_validation_names_the_talk_from_another_event():
    talk = TalkFactory(title="Lean QA")
    note = Note(author=UserFactory(), event=EventFactory(), talk=talk, body="x")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert error.value.message_dict["talk"] == ["“Lean QA” belongs to another event."]


def test_validation_takes_the_event_from_the_session():
    talk = TalkFactory()
    takeaway = Takeaway(author=UserFactory(), talk=talk, text="Measure first.")
    takeaway.full_clean()
    assert takeaway.event_id == talk.event_id


def test_validation_refuses_both_a_talk_and_an_open_space():
    talk = TalkFactory()
    open_space = OpenSpaceFactory(event=talk.event)
    note = Note(author=UserFactory(), talk=talk, open_space=open_space, body="x")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert error.value.message_dict["open_space"] == ["Choose a talk or an open space, not both."]


def test_moving_a_talk_to_another_event_carries_its_notes():
    note = NoteFactory()
    other = EventFactory()
    Talk.objects.filter(pk=note.talk_id).update(event=other)
    note.refresh_from_db()
    assert note.event_id == other.pk


def test_note_needs_a_body():
    with refused("note_body_not_empty"):
        NoteFactory(body="")


def test_completed_at_cannot_be_missing_on_a_done_action_point():
    action_point = ActionPointFactory()
    with refused("actionpoint_completed_at_iff_done"):
        ActionPoint.objects.filter(pk=action_point.pk).update(status="done")


def test_completed_at_cannot_be_set_on_an_open_action_point():
    action_point = ActionPointFactory()
    with refused("actionpoint_completed_at_iff_done"):
        ActionPoint.objects.filter(pk=action_point.pk).update(completed_at=timezone.now())


def test_saving_keeps_completed_at_in_step_with_the_status():
    action_point = ActionPointFactory()
    action_point.status = ActionPoint.Status.DONE
    action_point.save()
    assert action_point.completed_at is not None
    action_point.status = ActionPoint.Status.IN_PROGRESS
    action_point.save()
    assert action_point.completed_at is None


def test_action_point_status_must_be_known():
    with refused("actionpoint_status_valid"):
        ActionPointFactory(status="abandoned")


def test_tags_are_one_case_insensitive_vocabulary():
    talk = TalkFactory()
    takeaway = TakeawayFactory()
    action_point = ActionPointFactory()
    talk.tags.add("Kubernetes")
    takeaway.tags.add("kubernetes")
    action_point.tags.add("KUBERNETES")
    assert [t.name for t in talk.tags.all()] == ["Kubernetes"]
    assert list(takeaway.tags.all()) == list(talk.tags.all()) == list(action_point.tags.all())
