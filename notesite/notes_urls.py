"""Writing notes: the page composes notes and takeaways (talks) with action points
(actions), so it lives here."""

from django.urls import path

from notesite import notes

app_name = "notes"
urlpatterns = [
    path("events/<slug:event_slug>/notes/new/", notes.new_for_event, name="new-for-event"),
    path(
        "events/<slug:event_slug>/talks/<slug:slug>/notes/new/",
        notes.new_for_talk,
        name="new-for-talk",
    ),
    path(
        "events/<slug:event_slug>/open-spaces/<slug:slug>/notes/new/",
        notes.new_for_open_space,
        name="new-for-open-space",
    ),
    path("notes/<int:pk>/edit/", notes.edit, name="edit"),
    path("notes/<int:pk>/delete/", notes.delete, name="delete"),
    # For the optional live preview (static/js/note-preview.js); the Preview button
    # works without it.
    path("notes/preview/", notes.preview, name="preview"),
]
