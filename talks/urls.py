"""Talks' addresses: events, talks, open spaces, speakers, takeaways, tags and their
feeds, all named in the ``talks`` namespace, so that talks' models and templates
link only to names of their own.

The event, talk, open-space and tag pages also show what apps above talks add
(action points, notes to edit, follow buttons), so those apps serve them: the
project's URLconf passes their views in (``urlconf``). Talks never imports them."""

from collections.abc import Callable

from django.urls import URLPattern, path

from talks import choosers, feeds, views

app_name = "talks"

Page = Callable[..., object]


def urlconf(
    *, event_page: Page, talk_page: Page, open_space_page: Page, tag_page: Page
) -> tuple[list[URLPattern], str]:
    """Talks' URL patterns for ``include()``, with the views of the pages served by
    apps above talks."""
    urlpatterns = [
        path("events/", views.event_list, name="event-list"),
        path("events/<slug:slug>/", event_page, name="event-detail"),
        path("events/<slug:slug>/feed/", feeds.event_feed, name="event-feed"),
        # Before the talk's page: "new" would match a talk's slug.
        path("events/<slug:event_slug>/talks/new/", views.talk_new, name="talk-new"),
        path("events/<slug:event_slug>/talks/<slug:slug>/", talk_page, name="talk-detail"),
        path(
            "events/<slug:event_slug>/open-spaces/new/",
            views.open_space_new,
            name="open-space-new",
        ),
        path(
            "events/<slug:event_slug>/open-spaces/<slug:slug>/",
            open_space_page,
            name="open-space-detail",
        ),
        path("speakers/<slug:slug>/", views.speaker_detail, name="speaker-detail"),
        path("takeaways/", views.takeaway_list, name="takeaway-list"),
        # Suggestions for the takeaways page's event, speaker, author and tag boxes.
        path("takeaways/choices/<slug:kind>/", choosers.choices, name="choices"),
        # taggit makes Unicode slugs ("café"), which the slug converter would not match.
        path("tags/<str:slug>/", tag_page, name="tag-detail"),
        path("tags/<str:slug>/feed/", feeds.tag_feed, name="tag-feed"),
    ]
    return urlpatterns, app_name
