# Notesite production image: gunicorn + whitenoise, PostgreSQL from DATABASE_URL.
#   docker build -t notesite .
#   docker run --rm --env-file .env notesite python manage.py migrate   (release step)
#   docker run --env-file .env -p 8000:8000 notesite
# with DATABASE_URL, SECRET_KEY and ALLOWED_HOSTS in .env. See docs/deployment.md.

# --- builder: the locked dependencies in a virtualenv ----------------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
# requirements-prod.lock is requirements.lock without the embedded PostgreSQL: the image
# always talks to a server given by DATABASE_URL.
COPY requirements-prod.lock /tmp/requirements-prod.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements-prod.lock

# --- final: the venv, the code and the collected static files, run as a non-root user --
FROM python:3.11-slim

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# A numeric uid so orchestrators can verify runAsNonRoot.
RUN groupadd --system --gid 10001 notesite \
    && useradd --system --uid 10001 --gid notesite --create-home notesite

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# Code and static files stay owned by root: the app user can read but not change them.
COPY . .

# Settings refuse to load without these; collectstatic never connects to the database,
# so placeholders do. They are set for this one command only, never baked in with ENV.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret-key-0123456789 \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    python manage.py collectstatic --noinput \
    && python -m compileall -q manage.py notesite common talks actions notes imports search following event_pages demo

USER 10001:10001
EXPOSE 8000

# /healthz checks the database. Django answers only to ALLOWED_HOSTS, so the probe
# sends the first allowed host name as Host (a leading-dot wildcard made concrete).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ['ALLOWED_HOSTS'].split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', headers={'Host': h}), timeout=4)"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "notesite.wsgi"]
