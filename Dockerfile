# The vcc image: one image for the web server (gunicorn), the Celery worker and Celery beat
# (docker-compose.yml runs it three ways).

# Front-end libraries from npm (Cytoscape.js for the network map), in a stage of their own so
# that the image itself carries no Node.js.
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=vcc.settings \
    VCC_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles
WORKDIR /app

# The locked dependency set (psycopg[binary] brings its own libpq: no compiler, no apt).
COPY requirements.lock ./
RUN pip install -r requirements.lock

# Only what runs: no .venv, var/, tests or caches from the build context. A new Django app is
# added here too (tests/test_deploy.py checks that every local app is copied).
COPY --from=assets /assets/node_modules ./node_modules
COPY manage.py ./
COPY vcc ./vcc
COPY partners ./partners
COPY outbox ./outbox
COPY accounts ./accounts
COPY matchmaking ./matchmaking
COPY convenings ./convenings
COPY imports ./imports
COPY outcomes ./outcomes
COPY followups ./followups
COPY devdata ./devdata
COPY templates ./templates
COPY static ./static

# Run as an unprivileged user, who owns only what the app writes: var/ (mail files when no
# SMTP host is set) and staticfiles/ (collectstatic, run by the web service at start).
RUN useradd --create-home --uid 10001 --user-group vcc \
    && mkdir -p var staticfiles \
    && chown vcc:vcc var staticfiles
USER vcc

EXPOSE 8000
CMD ["gunicorn", "vcc.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
