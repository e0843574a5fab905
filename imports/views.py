"""Importing notes (upload or paste, preview, confirm) and an event's report."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imports.forms import Preview, UploadForm
from imports.importer import ImportProblem, already_there, event_report, save_parsed
from talks.models import Event

# Who may import: whoever may write notes (attendees and staff).
can_import = permission_required("talks.add_note", raise_exception=True)


@require_http_methods(["GET", "POST"])
@can_import
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form; posted, the preview of what was detected (nothing written)."""
    bound = request.method == "POST"
    form = UploadForm(
        request.POST if bound else None, request.FILES if bound else None, user=request.user
    )
    if bound and form.is_valid():
        data = form.cleaned_data
        preview = Preview(
            user=request.user,
            parsed=data["parsed"],
            signed=data["signed"],
            name=data["document"].name,
        )
        return _preview(request, preview)
    return render(request, "imports/upload.html", {"form": form}, status=400 if bound else 200)


@require_POST
@can_import
def confirm(request: HttpRequest) -> HttpResponse:
    """Parse the previewed document again, apply the corrections, import, all or nothing."""
    preview = Preview(request.POST, user=request.user)
    if preview.is_valid():
        try:
            summary = save_parsed(preview.result, author=request.user)
        except ImportProblem as problem:
            preview.event_form.add_error(None, str(problem))
        else:
            messages.success(request, f"Imported your notes on {summary.event}: {summary}.")
            return redirect(summary.event)
    if preview.document_lost:
        form = UploadForm(user=request.user)
        errors = preview.event_form.errors.get("document") or preview.event_form.non_field_errors()
        return render(
            request, "imports/upload.html", {"form": form, "problems": errors}, status=400
        )
    return _preview(request, preview, status=400)


def _preview(request, preview: Preview, *, status: int = 200) -> HttpResponse:
    parsed = preview.parsed
    event, sessions_there = already_there(parsed)
    rows = [
        {
            "form": form,
            "session": session,
            "exists": (session.title.casefold(), session.is_open_space) in sessions_there,
            "takeaways": parsed.takeaways_of(session.title),
            "doubts": [
                doubt
                for doubt in parsed.unsure
                if doubt.what in {"session", "speakers", "kind"}
                and doubt.line is not None
                and doubt.text in {session.title, ", ".join(session.speakers)}
            ],
            "action_points": parsed.action_points_of(session.title),
        }
        for form, session in zip(preview.sessions.forms, parsed.sessions, strict=False)
    ]
    context = {
        "preview": preview,
        "parsed": parsed,
        "existing_event": event,
        "rows": rows,
        "event_takeaways": parsed.takeaways_of(None),
        "event_action_points": parsed.action_points_of(None),
    }
    return render(request, "imports/preview.html", context, status=status)


@require_safe
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """The event's report as a Markdown download (published notes only)."""
    event = get_object_or_404(Event, slug=slug)
    response = HttpResponse(event_report(event), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{event.slug}.md"
    )
    return response
