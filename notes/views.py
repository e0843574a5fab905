"""Writing, editing and deleting notes, with the takeaways and action points raised in
the same sitting. Drafts exist only for their author: anyone else gets a 404 for
them, even staff (who can reach them in the admin), so a draft never leaks."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from notes.forms import NoteWriting
from notes.preview import preview_of
from notes.services import AlreadyWritten, update_note, write_note
from talks.models import Event, Note, OpenSpace, Talk

FORM_METHODS = ["GET", "HEAD", "POST"]
_BODY_MAX_LENGTH = Note._meta.get_field("body").max_length
# The tag of the message confirming a save: the page showing it forgets the copy of the
# text the writing page kept in the browser (kept until then, in case the save failed).
SAVED = "note-saved"


@permission_required("talks.add_note", raise_exception=True)
@require_http_methods(FORM_METHODS)
def new_for_event(request: HttpRequest, event_slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=event_slug)
    return _new(request, event=event)


@permission_required("talks.add_note", raise_exception=True)
@require_http_methods(FORM_METHODS)
def new_for_talk(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    return _new_for_session(request, Talk, event_slug, slug)


@permission_required("talks.add_note", raise_exception=True)
@require_http_methods(FORM_METHODS)
def new_for_open_space(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    return _new_for_session(request, OpenSpace, event_slug, slug)


def _new_for_session(
    request: HttpRequest, model: type[Talk] | type[OpenSpace], event_slug: str, slug: str
) -> HttpResponse:
    session = get_object_or_404(
        model.objects.select_related("event"), event__slug=event_slug, slug=slug
    )
    which = "talk" if model is Talk else "open_space"
    return _new(request, event=session.event, **{which: session})


def _new(request: HttpRequest, *, event: Event, talk=None, open_space=None) -> HttpResponse:
    previewing = _previewing(request)
    writing = NoteWriting(request.user, _data(request), more_rows=previewing)
    if request.method == "POST" and not previewing and writing.is_valid():
        try:
            note = write_note(
                author=request.user,
                event=event,
                talk=talk,
                open_space=open_space,
                **writing.note.cleaned_data,
                takeaways=writing.new_takeaways(),
                action_points=writing.new_action_points(),
            )
        except AlreadyWritten as sent_before:
            messages.info(
                request,
                "This form was sent twice: your note was saved the first time, once.",
                extra_tags=SAVED,
            )
            return redirect(sent_before.note.get_absolute_url())
        messages.success(request, _saved_message("Saved your note", writing), extra_tags=SAVED)
        _warn_past_due(request, writing)
        return redirect(note.get_absolute_url())
    context = {
        "writing": writing,
        "source": talk or open_space or event,
        "event": event,
        "session": talk or open_space,
        **_preview_context(writing, previewing),
    }
    return render(request, "notes/note_form.html", context)


@require_http_methods(FORM_METHODS)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note_for(request, pk, Note.can_edit)
    previewing = _previewing(request)
    writing = NoteWriting(request.user, _data(request), note=note, more_rows=previewing)
    if request.method == "POST" and not previewing and writing.is_valid():
        update_note(
            note=note,
            by=request.user,
            **writing.note.cleaned_data,
            takeaways=writing.new_takeaways(),
            action_points=writing.new_action_points(),
        )
        messages.success(request, _saved_message("Saved the note", writing), extra_tags=SAVED)
        _warn_past_due(request, writing)
        return redirect(note.get_absolute_url())
    context = {
        "writing": writing,
        "note": note,
        "source": note.source,
        "event": note.event,
        "session": note.session,
        **_preview_context(writing, previewing),
    }
    return render(request, "notes/note_form.html", context)


@require_http_methods(FORM_METHODS)
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note_for(request, pk, Note.can_delete)
    source = note.source
    if request.method == "POST":
        note.delete()
        messages.success(request, "Deleted the note.")
        return redirect(source)
    context = {"note": note, "source": source, "event": note.event, "session": note.session}
    return render(request, "notes/note_confirm_delete.html", context)


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The preview of the writing page's fields, for the live preview script: the note
    rendered as its page will show it, the takeaways and action points saving would
    create, and the errors and warnings saving would give. Saves nothing."""
    if not (request.user.has_perm("talks.add_note") or request.user.has_perm("talks.change_note")):
        raise PermissionDenied
    body = request.POST.get("body", "")
    if len(body) > _BODY_MAX_LENGTH:
        # Refused, not rendered: the limit is what bounds the time a render takes.
        return HttpResponseBadRequest(
            f"A note can be at most {_BODY_MAX_LENGTH:,} characters long; "
            f"this one has {len(body):,}.",
            content_type="text/plain; charset=utf-8",
        )
    writing = NoteWriting(request.user, request.POST)
    return render(request, "notes/_preview.html", {"preview": preview_of(writing)})


def _note_for(request: HttpRequest, pk: int, allowed: Callable[[Note, object], bool]) -> Note:
    """The note, if this user may see it (else 404) and change it (else 403)."""
    notes = Note.objects.visible_to(request.user).select_related(
        "event", "talk__event", "open_space__event"
    )
    note = get_object_or_404(notes, pk=pk)
    if not allowed(note, request.user):
        raise PermissionDenied
    return note


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _previewing(request: HttpRequest) -> bool:
    return request.method == "POST" and "preview" in request.POST


def _preview_context(writing: NoteWriting, previewing: bool) -> dict:
    if not previewing:
        return {"preview": None, "preview_html": ""}
    preview = preview_of(writing)
    return {"preview": preview, "preview_html": preview.body_html}


def _warn_past_due(request: HttpRequest, writing: NoteWriting) -> None:
    for warning in writing.past_due_warnings():
        messages.warning(request, warning)


def _saved_message(start: str, writing: NoteWriting) -> str:
    added = [
        _count(len(writing.new_takeaways()), "takeaway"),
        _count(len(writing.new_action_points()), "action point"),
    ]
    added = [part for part in added if part]
    return f"{start}{' with ' + ' and '.join(added) if added else ''}."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}" if n else ""
