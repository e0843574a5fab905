"""Importing notes files and exporting event reports (both apps' data)."""

app_name = "imports"
urlpatterns: list = []
