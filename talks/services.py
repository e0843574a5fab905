"""Writes that touch several talks models at once."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from talks.models import Event, OpenSpace, Speaker, Talk


def refuse_duplicate_talk(*, event: Event, title: str) -> None:
    """Raise ValidationError if ``event`` has a talk called ``title`` (ignoring case)."""
    if Talk.objects.filter(event=event, title__iexact=title).exists():
        raise ValidationError(
            "%(event)s already has a talk called “%(title)s”.",
            code="duplicate",
            params={"event": event.name, "title": title},
        )


def refuse_duplicate_open_space(*, event: Event, topic: str) -> None:
    """Raise ValidationError if ``event`` has an open space on ``topic`` (ignoring case)."""
    if OpenSpace.objects.filter(event=event, topic__iexact=topic).exists():
        raise ValidationError(
            "%(event)s already has an open space called “%(topic)s”.",
            code="duplicate",
            params={"event": event.name, "topic": topic},
        )


def _lock_for_adding(event: Event) -> None:
    """Take ``event``'s row lock until the transaction ends, so that sessions are
    added to one event one at a time: the duplicate check, the slug and the new
    speakers of one add see everything the add before it committed. (NO KEY: notes
    and takeaways on the event, which only reference its key, do not wait.)"""
    list(Event.objects.select_for_update(no_key=True).filter(pk=event.pk).values_list("pk"))


# The transaction-level advisory lock that adding speakers takes (any number no other
# advisory lock here uses).
NEW_SPEAKERS_LOCK = 0x5370_6B72


def _lock_for_new_speakers() -> None:
    """Take the lock on adding speakers until the transaction ends. Speakers are shared
    by every event, so two talks added at once at different events (different event
    locks) could both insert the same new person, and one would fail on the slug."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NEW_SPEAKERS_LOCK])


@transaction.atomic
def add_talk(
    *,
    event: Event,
    title: str,
    kind: str = Talk.Kind.TALK,
    speakers: Iterable[Speaker] = (),
    day: datetime.date | None = None,
    starts_at: datetime.time | None = None,
    room: str = "",
    slides_url: str = "",
    video_url: str = "",
    abstract: str = "",
    tags: Iterable[str] = (),
) -> Talk:
    """Add a talk to ``event`` and return it; raise ValidationError (on ``title``) if
    the event has a talk of that title already, e.g. added by a simultaneous
    submission of the same form.

    Side effects: locks the event's row until the transaction ends (and, with new
    speakers, the adding of speakers at every event); saves the ``speakers`` not saved
    yet (new names; one added meanwhile under the same name is used instead), creates
    the talk (with a slug unique in the event and its abstract rendered), and links
    the speakers and ``tags`` (tag names; new ones are created).
    """
    _lock_for_adding(event)
    try:
        refuse_duplicate_talk(event=event, title=title)
    except ValidationError as error:
        raise ValidationError({"title": error}) from None
    speakers = list(speakers)
    if any(speaker.pk is None for speaker in speakers):
        _lock_for_new_speakers()
    added_meanwhile = Speaker.objects.by_lower_name(s.name for s in speakers if s.pk is None)
    speakers = [s if s.pk else added_meanwhile.get(s.name.lower(), s) for s in speakers]
    for speaker in speakers:
        if speaker.pk is None:
            speaker.save()
    talk = Talk.objects.create(
        event=event,
        title=title,
        kind=kind,
        day=day,
        starts_at=starts_at,
        room=room,
        slides_url=slides_url,
        video_url=video_url,
        abstract=abstract,
    )
    talk.speakers.set(speakers)
    talk.tags.set(list(tags))
    return talk


@transaction.atomic
def add_open_space(
    *,
    event: Event,
    topic: str,
    convenor: str = "",
    day: datetime.date | None = None,
    starts_at: datetime.time | None = None,
    room: str = "",
    session_label: str = "",
    tags: Iterable[str] = (),
) -> OpenSpace:
    """Add an open space to ``event`` and return it; raise ValidationError (on
    ``topic``) if the event has an open space on that topic already.

    Side effects: locks the event's row until the transaction ends; creates the open
    space (with a slug unique in the event) and links its ``tags`` (tag names; new
    ones are created).
    """
    _lock_for_adding(event)
    try:
        refuse_duplicate_open_space(event=event, topic=topic)
    except ValidationError as error:
        raise ValidationError({"topic": error}) from None
    open_space = OpenSpace.objects.create(
        event=event,
        topic=topic,
        convenor=convenor,
        day=day,
        starts_at=starts_at,
        room=room,
        session_label=session_label,
    )
    open_space.tags.set(list(tags))
    return open_space
