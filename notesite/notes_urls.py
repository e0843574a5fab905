"""Writing notes: the page composes notes and takeaways (talks) with action points
(actions), so it lives here."""

from django.urls import path  # noqa: F401

app_name = "notes"
urlpatterns: list = []
