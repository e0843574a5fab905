from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search and tag pages across everything written."""

    name = "search"
