from django.urls import path

from following import views

app_name = "following"
urlpatterns = [
    # One view for events and one for tags; ``follows`` says whether to start or stop.
    path("events/<slug:slug>/follow/", views.event_follow, {"follows": True}, name="follow-event"),
    path(
        "events/<slug:slug>/unfollow/",
        views.event_follow,
        {"follows": False},
        name="unfollow-event",
    ),
    path("tags/<str:slug>/follow/", views.tag_follow, {"follows": True}, name="follow-tag"),
    path("tags/<str:slug>/unfollow/", views.tag_follow, {"follows": False}, name="unfollow-tag"),
]
