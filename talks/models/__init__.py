"""Events, the sessions held at them, and what attendees wrote about them: one module
per concept, all importable from here (Django looks for models in ``talks.models``)."""

from talks.models.content_version import ContentVersion
from talks.models.events import Event, EventQuerySet, TaggedEvent
from talks.models.follows import DigestLog, FeedKeyGeneration, Follow, FollowQuerySet
from talks.models.notes import DraftedQuerySet, Note, NoteQuerySet, delete_with_draft, note_allows
from talks.models.sessions import (
    PROGRAMME_ORDER,
    OpenSpace,
    OpenSpaceQuerySet,
    Programme,
    ProgrammeDay,
    SessionSource,
    TaggedOpenSpace,
    TaggedTalk,
    Talk,
    TalkQuerySet,
    programme,
)
from talks.models.speakers import Speaker, SpeakerQuerySet
from talks.models.tag_uses import TagUse, takeaways_carrying
from talks.models.takeaways import TAG_COUNT_SAMPLE, TaggedTakeaway, Takeaway, TakeawayQuerySet

__all__ = [
    "PROGRAMME_ORDER",
    "TAG_COUNT_SAMPLE",
    "ContentVersion",
    "DigestLog",
    "DraftedQuerySet",
    "Event",
    "EventQuerySet",
    "FeedKeyGeneration",
    "Follow",
    "FollowQuerySet",
    "Note",
    "NoteQuerySet",
    "OpenSpace",
    "OpenSpaceQuerySet",
    "Programme",
    "ProgrammeDay",
    "SessionSource",
    "Speaker",
    "SpeakerQuerySet",
    "TagUse",
    "TaggedEvent",
    "TaggedOpenSpace",
    "TaggedTakeaway",
    "TaggedTalk",
    "Takeaway",
    "TakeawayQuerySet",
    "Talk",
    "TalkQuerySet",
    "delete_with_draft",
    "note_allows",
    "programme",
    "takeaways_carrying",
]
