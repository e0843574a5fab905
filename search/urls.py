from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("tags/", views.tag_list, name="tag-list"),
    # taggit makes Unicode slugs ("café"), which the slug converter would not match.
    path("tags/<str:slug>/", views.tag_detail, name="tag-detail"),
]
