from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("tags/", views.tag_list, name="tag-list"),
    # A tag's page (views.tag_detail) is at talks' address for it, "talks:tag-detail".
]
