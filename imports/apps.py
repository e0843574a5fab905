from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Notes in and out as files: the importer, its preview, and event reports."""

    name = "imports"
    verbose_name = "Import and export"
