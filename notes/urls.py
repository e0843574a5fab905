"""Writing notes: the page composes notes and takeaways (talks) with action points
(actions), so it lives here."""

from django.urls import path

from notes import views

app_name = "notes"
urlpatterns = [
    path("events/<slug:event_slug>/notes/new/", views.new_for_event, name="new-for-event"),
    path(
        "events/<slug:event_slug>/talks/<slug:slug>/notes/new/",
        views.new_for_talk,
        name="new-for-talk",
    ),
    path(
        "events/<slug:event_slug>/open-spaces/<slug:slug>/notes/new/",
        views.new_for_open_space,
        name="new-for-open-space",
    ),
    path("notes/<int:pk>/edit/", views.edit, name="edit"),
    path("notes/<int:pk>/delete/", views.delete, name="delete"),
    # For the optional live preview (static/js/note-preview.js); the Preview button
    # works without it.
    path("notes/preview/", views.preview, name="preview"),
]
