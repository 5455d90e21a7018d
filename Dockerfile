# The vcc image: one image for the web server (gunicorn), the Celery worker and Celery beat
# (docker-compose.yml runs it three ways).

# Front-end libraries from npm (Cytoscape.js for the network map), in a stage of their own so
# that the image itself carries no Node.js.
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# Debian trixie: its postgresql-client (17) can dump the stack's PostgreSQL 16 for backups.
FROM python:3.11-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=vcc.settings \
    VCC_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles
WORKDIR /app

# PostgreSQL's client programs for `manage.py backup` / `restore`; no compiler, no -dev.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# The project's own dependencies (pyproject.toml), at the versions of requirements.lock, and
# not its dev extras (pytest, ruff, Playwright...). psycopg[binary] brings its own libpq.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
    && pip install -r requirements.txt -c requirements.lock \
    && rm requirements.txt

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
COPY capture ./capture
COPY intake ./intake
COPY followups ./followups
COPY privacy ./privacy
COPY devdata ./devdata
COPY templates ./templates
COPY static ./static

# The static files, collected into the image: it serves them by itself (WhiteNoise).
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

# Run as an unprivileged user, who owns only what the app writes: var/ (backups, and mail
# files when no SMTP host is set) and staticfiles/ (collectstatic again at the web service's
# start, for the volume a front proxy serves).
RUN useradd --create-home --uid 10001 --user-group vcc \
    && mkdir -p var/backups staticfiles \
    && chown -R vcc:vcc var staticfiles
USER vcc

EXPOSE 8000
# Healthy while /healthz answers 200: database, broker and migrations (vcc/health.py). The
# worker's and beat's own checks are docker-compose.yml's.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=8)"]
CMD ["gunicorn", "vcc.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--config", "python:vcc.gunicorn_conf"]
