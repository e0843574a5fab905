from django.urls import path

from actions import views

app_name = "actions"
urlpatterns = [
    path("follow-ups/", views.action_point_list, name="list"),
    path("follow-ups/<int:pk>/", views.action_point_detail, name="detail"),
    path("follow-ups/<int:pk>/update/", views.action_point_update, name="update"),
]
