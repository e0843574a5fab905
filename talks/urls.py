from django.urls import path

from talks import views

app_name = "talks"
urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    path("events/<slug:event_slug>/talks/<slug:slug>/", views.talk_detail, name="talk-detail"),
    path(
        "events/<slug:event_slug>/open-spaces/<slug:slug>/",
        views.open_space_detail,
        name="open-space-detail",
    ),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker-detail"),
    path("takeaways/", views.takeaway_list, name="takeaway-list"),
]
