from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: the demo events and users, and synthetic data at any scale."""

    name = "demo"
