"""Importing notes files and exporting event reports (both apps' data)."""

from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("import/", views.upload, name="upload"),
    path("import/confirm/", views.confirm, name="confirm"),
    path("events/<slug:slug>/report.md", views.report, name="report"),
]
