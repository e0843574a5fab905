"""Importing notes files and exporting event reports (both apps' data)."""

from django.urls import path

from notesite import import_views

app_name = "imports"
urlpatterns = [
    path("import/", import_views.upload, name="upload"),
    path("import/confirm/", import_views.confirm, name="confirm"),
    path("events/<slug:slug>/report.md", import_views.report, name="report"),
]
