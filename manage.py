#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")
    # A command someone runs may start the embedded PostgreSQL when DATABASE_URL is
    # unset; the web server only joins a running one. Set it to false for scheduled
    # commands that must not restart a server stopped on purpose.
    os.environ.setdefault("NOTESITE_START_EMBEDDED_DB", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
