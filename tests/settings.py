"""Test run settings: notesite.settings as production runs it (DEBUG off), given the
environment a deployment must provide. Only the static storage differs, since the
hashed-name manifest exists only after collectstatic."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# pytest does not run through manage.py: a fresh machine's test run starts the server.
os.environ.setdefault("NOTESITE_START_EMBEDDED_DB", "true")

from notesite.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Fast hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Lets several test runs share the one embedded server without clashing.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_notesite")}  # noqa: F405
# Serve static files straight from static/ (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
# Where links in emails point; tests of the fallback delete or override it.
SITE_URL = "https://notes.example.com"
