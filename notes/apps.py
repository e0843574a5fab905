from django.apps import AppConfig


class NotesConfig(AppConfig):
    """Writing notes: a note with its takeaways and action points, on one page."""

    name = "notes"
