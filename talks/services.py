"""Writes that touch several talks models at once."""

from collections.abc import Iterable

from django.db import transaction

from talks.models import Event, OpenSpace, Speaker, Talk


@transaction.atomic
def add_talk(
    *,
    event: Event,
    title: str,
    kind: str = Talk.Kind.TALK,
    speakers: Iterable[Speaker] = (),
    slides_url: str = "",
    video_url: str = "",
    abstract: str = "",
    tags: Iterable[str] = (),
) -> Talk:
    """Add a talk to ``event`` and return it.

    Side effects: saves the ``speakers`` not saved yet (new names), creates the talk
    (with a slug unique in the event and its abstract rendered), and links the
    speakers and ``tags`` (tag names; new ones are created).
    """
    speakers = list(speakers)
    for speaker in speakers:
        if speaker.pk is None:
            speaker.save()
    talk = Talk.objects.create(
        event=event,
        title=title,
        kind=kind,
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
    session_label: str = "",
    tags: Iterable[str] = (),
) -> OpenSpace:
    """Add an open space to ``event`` and return it.

    Side effects: creates the open space (with a slug unique in the event) and links
    its ``tags`` (tag names; new ones are created).
    """
    open_space = OpenSpace.objects.create(
        event=event, topic=topic, convenor=convenor, session_label=session_label
    )
    open_space.tags.set(list(tags))
    return open_space
