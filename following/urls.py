from django.urls import path

from following import views

app_name = "following"
urlpatterns = [
    path("events/<slug:slug>/follow/", views.follow_event, name="follow-event"),
    path("events/<slug:slug>/unfollow/", views.unfollow_event, name="unfollow-event"),
    path("tags/<str:slug>/follow/", views.follow_tag, name="follow-tag"),
    path("tags/<str:slug>/unfollow/", views.unfollow_tag, name="unfollow-tag"),
]
