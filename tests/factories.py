import datetime

import factory
from django.contrib.auth.models import Group, User

from actions.models import ActionPoint
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk


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
