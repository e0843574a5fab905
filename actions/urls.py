from django.urls import path

from actions import account, exports, overview, views

app_name = "actions"
urlpatterns = [
    path("follow-ups/", views.action_point_list, name="list"),
    path("follow-ups/<int:pk>/", views.action_point_detail, name="detail"),
    path("follow-ups/<int:pk>/update/", views.action_point_update, name="update"),
    path("follow-ups/overview/", overview.overview, name="overview"),
    path("follow-ups/export.csv", exports.follow_ups_csv, name="export-csv"),
    path("follow-ups/calendar/", exports.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", exports.calendar_feed, name="calendar-feed"),
    path("account/", account.preferences, name="preferences"),
    path("account/feed-key/reset/", account.feed_key_reset, name="feed-key-reset"),
]
