from django.apps import AppConfig


class EventPagesConfig(AppConfig):
    """The event, talk and open-space pages: a session's notes, takeaways and action
    points on one page, with the links to write, follow and export. No models; the
    addresses are talks' (``talks.urls.urlconf``), served from here."""

    name = "event_pages"
    verbose_name = "Event pages"
