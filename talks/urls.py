from django.urls import path

from talks import feeds, views

app_name = "talks"
urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("events/<slug:slug>/feed/", feeds.event_feed, name="event-feed"),
    path("events/<slug:event_slug>/talks/new/", views.talk_new, name="talk-new"),
    path("events/<slug:event_slug>/talks/<slug:slug>/", views.talk_detail, name="talk-detail"),
    path("events/<slug:event_slug>/open-spaces/new/", views.open_space_new, name="open-space-new"),
    path(
        "events/<slug:event_slug>/open-spaces/<slug:slug>/",
        views.open_space_detail,
        name="open-space-detail",
    ),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker-detail"),
    path("takeaways/", views.takeaway_list, name="takeaway-list"),
    path("tags/<str:slug>/feed/", feeds.tag_feed, name="tag-feed"),
]
