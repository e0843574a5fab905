"""Writing a parsed document: one transaction, matching what is already there."""

import dataclasses
import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from actions.models import ActionPoint, ActionPointChange
from actions.services import save_action_point, snapshot
from imports.importer.builder import note_parts, settle_day
from imports.importer.conventions import note_body_limit
from imports.importer.errors import ImportProblem
from imports.importer.model import ParsedEvent, ParsedSession
from talks.models import Event, Note, OpenSpace, Speaker, Takeaway, Talk

# An event with the same name is the same event when the dates are this close: notes on
# day one and day two of a conference, imported separately, land on one event.
SAME_EVENT_DAYS = 3
_SINGULAR = {
    "events": "event",
    "talks": "talk",
    "speakers": "speaker",
    "open spaces": "open space",
    "notes": "note",
    "takeaways": "takeaway",
    "action points": "action point",
}


@dataclass
class ImportSummary:
    """What ``save_parsed`` did: the event, and rows created, updated, and found
    already there unchanged."""

    event: Event | None = None
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        created = _counts(self.created) or "nothing"
        updated = f"; updated {_counts(self.updated)}" if self.updated else ""
        return f"created {created}{updated}; {sum(self.existing.values())} already there"


def _counts(counter: Counter) -> str:
    return ", ".join(
        f"{counter[label]} {label if counter[label] != 1 else singular}"
        for label, singular in _SINGULAR.items()
        if counter[label]
    )


def name_key(name: str) -> str:
    """Event names compared without case, spaces or punctuation: "Devops Days
    Wellington" is "DevOpsDays Wellington"."""
    return re.sub(r"[\W_]+", "", name.casefold())


def find_event(parsed: ParsedEvent) -> Event | None:
    """The event already there for ``parsed``: the same name and overlapping dates,
    or dates at most ``SAME_EVENT_DAYS`` apart."""
    if parsed.starts_on is None:
        return None
    slack = datetime.timedelta(days=SAME_EVENT_DAYS)
    nearby = Event.objects.filter(
        starts_on__lte=(parsed.ends_on or parsed.starts_on) + slack,
        ends_on__gte=parsed.starts_on - slack,
    ).order_by("starts_on", "pk")
    key = name_key(parsed.name)
    return next((event for event in nearby if name_key(event.name) == key), None)


@transaction.atomic
def save_parsed(
    parsed: ParsedEvent,
    *,
    author,
    event: Event | None = None,
    note_status: str = Note.Status.PUBLISHED,
    via: str = ActionPointChange.Via.IMPORT,
) -> ImportSummary:
    """Write ``parsed`` as ``author``'s notes, all or nothing, into ``event`` when
    given, else into the event it describes.

    Importing the same document again updates what the first import wrote instead of
    duplicating it, and rows someone else wrote are matched, not duplicated:
    - the event by name (ignoring case, spaces and punctuation) and dates (overlapping
      or ``SAME_EVENT_DAYS`` apart); its empty fields are filled in, its dates widened
      to cover the document's, and the document's tags added;
    - a talk by title and an open space by topic within the event (any case); a talk's
      kind changes only to a kind the document names, its missing speakers and tags are
      added, an open space's empty convenor and session label are filled in; the day,
      start time and room the document gives fill those still empty, each alone (the
      day counted from the saved event's dates);
    - a speaker by name (any case);
    - a note by author and session (the note on the whole event also by its title);
      a changed body is updated, the status left as it is;
    - a takeaway by text within its source; missing tags are added;
    - an action point by title within the event; changed details, source or missing
      tags are updated; its status, assignee and due date are never touched.

    Side effects: creates and updates those rows; every new or changed action point
    is saved through ``actions.services.save_action_point``, which records one
    history entry (``via``, by ``author``).
    """
    summary = ImportSummary()
    summary.event = event if event is not None else _save_event(parsed, summary)
    event = summary.event

    sessions = _save_sessions(event, parsed.sessions, summary)
    for session in parsed.sessions:
        if session.body:
            obj = sessions[session.title.casefold()]
            _save_note(event, obj, author, "", session.body, note_status, summary)
    if parsed.intro:
        _save_note(event, None, author, parsed.title, parsed.intro, note_status, summary)

    for takeaway in parsed.takeaways:
        source = _source(sessions, takeaway.source)
        found = Takeaway.objects.filter(event=event, text=takeaway.text, **_lookup(source))
        obj = found.order_by("pk").first()
        if obj is None:
            obj = Takeaway.objects.create(
                event=event, text=takeaway.text, author=author, **_lookup(source)
            )
            if takeaway.tags:
                obj.tags.set(takeaway.tags)
            summary.created["takeaways"] += 1
        elif _add_tags(obj, takeaway.tags):
            summary.updated["takeaways"] += 1
        else:
            summary.existing["takeaways"] += 1

    for parsed_action in parsed.action_points:
        _save_action_point(event, parsed_action, sessions, author, via, summary)
    return summary


def _save_event(parsed: ParsedEvent, summary: ImportSummary) -> Event:
    if parsed.starts_on is None:
        raise ImportProblem("no date for the event: give its dates, or choose an event.")
    event = find_event(parsed)
    if event is None:
        event = Event.objects.create(
            name=parsed.name,
            starts_on=parsed.starts_on,
            ends_on=parsed.ends_on or parsed.starts_on,
            city=parsed.city,
            country=parsed.country,
            venue=parsed.venue,
            website=parsed.website,
            description=parsed.description,
        )
        if parsed.tags:
            event.tags.set(parsed.tags)
        summary.created["events"] += 1
        return event
    changed = []
    for name in ("city", "country", "venue", "website", "description"):
        if not getattr(event, name) and getattr(parsed, name):
            setattr(event, name, getattr(parsed, name))
            changed.append(name)
    if parsed.starts_on < event.starts_on:
        event.starts_on = parsed.starts_on
        changed.append("starts_on")
    if parsed.ends_on and parsed.ends_on > event.ends_on:
        event.ends_on = parsed.ends_on
        changed.append("ends_on")
    if changed:
        event.save()
    tagged = _add_tags(event, parsed.tags)
    (summary.updated if changed or tagged else summary.existing)["events"] += 1
    return event


def _save_sessions(event: Event, parsed: list[ParsedSession], summary: ImportSummary) -> dict:
    """The talk or open space for each parsed session, by casefolded title."""
    talks = {t.title.casefold(): t for t in event.talks.prefetch_related("speakers")}
    spaces = {s.topic.casefold(): s for s in event.open_spaces.all()}
    wanted = {name.lower() for s in parsed if not s.is_open_space for name in s.speakers}
    speakers = Speaker.objects.by_lower_name(wanted)
    found = {}
    for session in parsed:
        settle_day(session, event.starts_on, event.ends_on)
        key = session.title.casefold()
        if session.is_open_space:
            found[key] = _save_open_space(event, session, spaces.get(key), summary)
        else:
            found[key] = _save_talk(event, session, talks.get(key), speakers, summary)
    return found


def _save_talk(event, session: ParsedSession, talk, speakers: dict, summary) -> Talk:
    created, changed, have = talk is None, False, set()
    if created:
        talk = Talk.objects.create(
            event=event, title=session.title, kind=session.kind, **_schedule(session)
        )
    else:
        have = {s.name.lower() for s in talk.speakers.all()}
        # "Talk" is also what a heading without a kind gets: it never overrides a kind.
        if session.kind != Talk.Kind.TALK and talk.kind != session.kind:
            talk.kind, changed = session.kind, True
        changed = _fill_schedule(talk, session) or changed
        if changed:
            talk.save()
    missing = [name for name in session.speakers if name.lower() not in have]
    for name in missing:
        if (speaker := speakers.get(name.lower())) is None:
            speaker = speakers[name.lower()] = Speaker.objects.create(name=name)
            summary.created["speakers"] += 1
        talk.speakers.add(speaker)
    tagged = _add_tags(talk, session.tags) if session.tags else False
    if created:
        summary.created["talks"] += 1
    elif missing or tagged or changed:
        summary.updated["talks"] += 1
    else:
        summary.existing["talks"] += 1
    return talk


def _save_open_space(event, session: ParsedSession, space, summary) -> OpenSpace:
    convenor = ", ".join(session.speakers)
    if space is None:
        space = OpenSpace.objects.create(
            event=event,
            topic=session.title,
            convenor=convenor,
            session_label=session.session_label,
            **_schedule(session),
        )
        if session.tags:
            space.tags.set(session.tags)
        summary.created["open spaces"] += 1
        return space
    changed = False
    for name, value in (("convenor", convenor), ("session_label", session.session_label)):
        if value and not getattr(space, name):
            setattr(space, name, value)
            changed = True
    changed = _fill_schedule(space, session) or changed
    if changed:
        space.save()
    tagged = _add_tags(space, session.tags) if session.tags else False
    (summary.updated if changed or tagged else summary.existing)["open spaces"] += 1
    return space


def _schedule(session: ParsedSession) -> dict:
    return {"day": session.day, "starts_at": session.starts_at, "room": session.room}


def _fill_schedule(obj: Talk | OpenSpace, session: ParsedSession) -> bool:
    """Fill the day, start time and room ``obj`` lacks from ``session``; whether any
    was filled. What someone set already is kept."""
    changed = False
    for name, value in _schedule(session).items():
        if value and not getattr(obj, name):
            setattr(obj, name, value)
            changed = True
    return changed


def _save_note(event, session, author, title, body, status, summary) -> None:
    """One note, or several when ``body`` is longer than a note holds: the first with
    ``title``, the next ones titled "… (part 2 of 3)", each matched by its title."""
    parts = note_parts(body, note_body_limit())
    for number, part in enumerate(parts, start=1):
        part_title = title
        if number > 1:
            part_title = f"{title or 'Notes'} (part {number} of {len(parts)})"
        lookup = {"author": author, "event": event, **_lookup(session)}
        if session is None or number > 1:
            lookup["title"] = part_title
        note = Note.objects.filter(**lookup).order_by("pk").first()
        if note is None:
            Note.objects.create(**{**lookup, "title": part_title}, body=part, status=status)
            summary.created["notes"] += 1
        elif note.body != part:
            note.body = part
            note.save()
            summary.updated["notes"] += 1
        else:
            summary.existing["notes"] += 1


def _save_action_point(event, parsed, sessions, author, via, summary) -> None:
    source = _source(sessions, parsed.source)
    action_point = (
        ActionPoint.objects.filter(event=event, title=parsed.title)
        .select_related("assignee", "event", "talk", "open_space")
        .order_by("pk")
        .first()
    )
    if action_point is None:
        action_point = ActionPoint(
            event=event, title=parsed.title, details=parsed.details, raised_by=author
        )
        for name, value in _lookup(source).items():
            setattr(action_point, name, value)
        save_action_point(action_point, by=author, via=via, tags=parsed.tags or None)
        summary.created["action points"] += 1
        return
    before, changed, tags = snapshot(action_point), False, None
    if parsed.details and parsed.details != action_point.details:
        action_point.details, changed = parsed.details, True
    if source is not None and source != action_point.session:
        action_point.talk, action_point.open_space = (
            (source, None) if isinstance(source, Talk) else (None, source)
        )
        changed = True
    if parsed.tags:
        have = list(action_point.tags.names())
        missing = [t for t in parsed.tags if t.lower() not in {h.lower() for h in have}]
        if missing:
            tags, changed = [*have, *missing], True
    if not changed:
        summary.existing["action points"] += 1
        return
    save_action_point(action_point, by=author, via=via, before=before, tags=tags)
    summary.updated["action points"] += 1


def _add_tags(obj, tags: list[str]) -> bool:
    """Add the tags ``obj`` does not have yet (any case); whether any were added."""
    if not tags:
        return False
    have = {name.lower() for name in obj.tags.names()}
    missing = [tag for tag in tags if tag.lower() not in have]
    if missing:
        obj.tags.add(*missing)
    return bool(missing)


def _lookup(session) -> dict:
    if session is None:
        return {"talk": None, "open_space": None}
    if isinstance(session, Talk):
        return {"talk": session, "open_space": None}
    return {"talk": None, "open_space": session}


def _source(sessions: dict, title: str | None) -> Talk | OpenSpace | None:
    if title is None:
        return None
    session = sessions.get(title.casefold())
    if session is None:
        raise ImportProblem(f"“{title}” is not one of the document's sessions.")
    return session


def into_event(parsed: ParsedEvent, event: Event) -> ParsedEvent:
    """``parsed`` aimed at ``event`` (chosen by hand): its name, dates, place and tags."""
    return dataclasses.replace(
        parsed,
        name=event.name,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        city=event.city,
        country=event.country,
        tags=sorted(event.tags.names()),
    )


def already_there(parsed: ParsedEvent) -> tuple[Event | None, set[tuple[str, bool]]]:
    """The event an import of ``parsed`` would add to, if any, and its sessions as
    (casefolded title, is an open space) pairs: what the preview marks as existing."""
    event = find_event(parsed)
    if event is None:
        return None, set()
    talks = {(title.casefold(), False) for title in event.talks.values_list("title", flat=True)}
    spaces = {
        (topic.casefold(), True) for topic in event.open_spaces.values_list("topic", flat=True)
    }
    return event, talks | spaces
