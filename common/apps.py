from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Building blocks every app uses; imports no project app."""

    name = "common"
