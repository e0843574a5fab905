import datetime

import factory
from django.contrib.auth.models import Group, User

from actions.models import ActionPoint
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk
from tests.helpers import days_from_today


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="staff") puts the user in that group (and the admin)."""
        if not create or not extracted:
            return
        self.groups.add(Group.objects.get(name=extracted))
        if extracted == "staff":
            self.is_staff = True
            self.save(update_fields=["is_staff"])


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"DevOpsDays City {n}")
    starts_on = datetime.date(2026, 5, 12)
    ends_on = factory.LazyAttribute(lambda e: e.starts_on + datetime.timedelta(days=1))
    city = "Wellington"
    country = "New Zealand"


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker Number{n}")


class TalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talk
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Scaling teams, part {n}")

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.set(extracted)


class OpenSpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpenSpace

    event = factory.SubFactory(EventFactory)
    topic = factory.Sequence(lambda n: f"Open space topic {n}")
    convenor = "Anyone"


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    author = factory.SubFactory(UserFactory)
    talk = factory.SubFactory(TalkFactory)
    event = factory.LazyAttribute(lambda n: n.talk.event if n.talk else EventFactory())
    body = "Some **notes** about the talk."
    status = Note.Status.PUBLISHED


class TakeawayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Takeaway

    author = factory.SubFactory(UserFactory)
    talk = factory.SubFactory(TalkFactory)
    event = factory.LazyAttribute(lambda t: t.talk.event if t.talk else EventFactory())
    text = factory.Sequence(lambda n: f"Lesson number {n}: measure before optimising.")


class ActionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPoint

    title = factory.Sequence(lambda n: f"Follow up on idea {n}")
    event = factory.SubFactory(EventFactory)
    raised_by = factory.SubFactory(UserFactory)


def make_team_action_points(staff, attendee) -> dict[str, Event]:
    """Action points of several people at two events, as the follow-up list and its
    CSV export are tested on: staff's overdue one (tagged), an unassigned one, bob's
    in-progress one from a talk, dave's, and bob's done one."""
    oslo = EventFactory(name="DevOpsDays Oslo")
    berlin = EventFactory(name="PyCon Berlin")
    dave = UserFactory(username="dave", role="attendee")
    ActionPointFactory(
        title="Fix the runbook", event=oslo, assignee=staff, due_on=days_from_today(-3)
    )
    ActionPointFactory(title="Nobody's yet", event=berlin, due_on=days_from_today(1))
    ActionPointFactory(
        title="Try a chaos day",
        talk=TalkFactory(event=berlin),
        event=berlin,
        assignee=attendee,
        status=ActionPoint.Status.IN_PROGRESS,
        due_on=days_from_today(4),
    )
    ActionPointFactory(title="Write up hiring", event=oslo, assignee=dave)
    ActionPointFactory(
        title="Old idea",
        event=oslo,
        assignee=attendee,
        status=ActionPoint.Status.DONE,
        due_on=days_from_today(-20),
    )
    ActionPoint.objects.get(title="Fix the runbook").tags.add("Observability")
    return {"oslo": oslo, "berlin": berlin}
