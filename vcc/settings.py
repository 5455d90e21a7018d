"""vcc settings: one module, driven by environment variables with safe development defaults.

SQLite and a filesystem Celery broker are the embedded default, so `make run` needs no server;
DATABASE_URL and REDIS_URL switch the same code to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from vcc.logs import JSON_FORMATTER

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VCC_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable; unset or empty (as compose passes an unset one through) is the
    default."""
    value = os.environ.get(name, "").strip().lower()
    return value in {"1", "true", "yes", "on"} if value else default


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    # Two-factor sign-in: TOTP apps and single-use recovery codes (accounts/twofactor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Sign-in lockout (its AccessAttempt table; see AXES_* below).
    "axes",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    # vcc's apps, bottom to top: each imports only those above it in this list (see the
    # README's architecture table; tests/test_layering.py keeps it so). The project package
    # itself is an app for its operations commands (backup, restore).
    "vcc",
    "partners",
    "outbox",
    "accounts",
    "matchmaking",
    "convenings",
    "imports",
    "outcomes",
    "capture",
    "intake",
    "followups",
    "privacy",
    "devdata",
]

MIDDLEWARE = [
    # /healthz first: before the host check and any HTTPS redirect (vcc/health.py).
    "vcc.health.HealthCheckMiddleware",
    # A request id on every log line, and one structured line per request (vcc/logs.py).
    "vcc.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (CSS, htmx, Cytoscape.js) from gunicorn in production.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Notes the session's device and last use (at most once a minute), for the Account page.
    "accounts.middleware.SessionActivityMiddleware",
    # Coordinators and administrators set up a second factor before any other page.
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # The rate limits keyed on URL names (VCC_RATE_LIMITS below; vcc/ratelimits.py).
    "vcc.ratelimits.RateLimitMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vcc.middleware.HtmxMessagesMiddleware",
    "vcc.middleware.VaryOnHtmxMiddleware",
    # Last: it answers a locked-out sign-in with the lockout page (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]
if env_bool("VCC_QUERY_COUNT_HEADER"):
    # Benchmarks read the number of SQL queries a page ran from a response header.
    MIDDLEWARE.insert(0, "vcc.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "vcc.urls"
WSGI_APPLICATION = "vcc.wsgi.application"

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
                "partners.context_processors.role",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # An empty DATABASE_URL (as compose files pass one through) means the default too.
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'vcc.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    # Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them on their keys alone.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif os.environ.get("PG_RANDOM_PAGE_COST", "1.1"):
    # PostgreSQL's default (4) prices a page read as a seek on a spinning disk. On SSDs, or
    # with the tables in memory, 1.1 is the usual setting: without it the planner reads the
    # whole partner table rather than a search index's few thousand rows (a common place
    # name, 51 -> 19 ms). Sent at connection, per session; set PG_RANDOM_PAGE_COST empty to
    # leave the server's own (e.g. behind a pooler that refuses startup options).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault(
        "options", f"-c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')}"
    )
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A server that does not answer fails a connection (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out sign-in before any password is checked. Then the
# session's user is loaded with its roles (Coordinators group, observed chains) in one query:
# see partners/permissions.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "partners.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password reset link works this long (and only once: the password it sets ends it).
PASSWORD_RESET_TIMEOUT = 60 * 60
# An invitation link is valid this long (and only until the password is set).
VCC_INVITATION_TIMEOUT = 60 * 60 * 24 * 7
# A link confirming a new email address works this long.
VCC_EMAIL_CHANGE_TIMEOUT = 60 * 60 * 24
# Coordinators and administrators must sign in with a second factor (on unless DEBUG).
VCC_REQUIRE_2FA_FOR_STAFF = env_bool("VCC_REQUIRE_2FA_FOR_STAFF", not DEBUG)
# The issuer authenticator apps show beside the account.
OTP_TOTP_ISSUER = "vcc"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Front-end libraries come from npm (package.json, installed by make) and are served as ours.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/cytoscape", BASE_DIR / "node_modules" / "cytoscape" / "dist"),
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise serves what collectstatic gathered, and (without collectstatic, as in `make run`
# with DEBUG off or a benchmark's gunicorn) straight from the apps' and npm's static folders.
WHITENOISE_USE_FINDERS = True

# HTTPS: the defaults follow SITE_URL. A site whose address is https:// gets secure cookies,
# the redirect to HTTPS and a year of HSTS; `make run`, the tests and the benchmarks (plain
# http on loopback) get none of them. Each can be set on its own.
_HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("VCC_SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("VCC_HSTS_SECONDS", str(365 * 24 * 3600 if _HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VCC_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("VCC_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
# Behind a proxy that ends TLS (nginx, Caddy, a load balancer): trust its X-Forwarded-Proto for
# "is this HTTPS?" and its X-Forwarded-For for the client's address (the rate limits and the
# sign-in lockout count per address). Only set it when the proxy overwrites those headers.
VCC_BEHIND_PROXY = env_bool("VCC_BEHIND_PROXY", False)
if VCC_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only our own scripts, styles and images; no inline
# script, handler or style attribute anywhere (behaviour is in static/vcc/*.js, looks in
# static/vcc/*.css). Nothing needs a nonce: htmx reads its configuration from a meta tag.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Powerful browser features vcc never uses, switched off for every page.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

# The cache holds the rate limits' counters, so it must be shared by every process: Redis when
# REDIS_URL is set, else files in var/cache (the embedded default; its counters are not atomic,
# which is good enough for one machine's `make run`).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "vcc",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Sign-in lockout (django-axes). An account is locked after VCC_SIGNIN_FAILURE_LIMIT wrong
# passwords from anywhere (a password guessed from many addresses), and an address after as
# many wrong passwords for any accounts (one address trying many accounts), for
# VCC_SIGNIN_LOCKOUT_MINUTES after the last one. A coordinator can lift a person's lock from the
# person's page (partners.views.person_unlock). A right password does not clear the count
# (AXES_RESET_ON_SUCCESS off): axes would clear the address's count with the account's, so
# one account of their own would let a guesser try other accounts without end.
AXES_FAILURE_LIMIT = int(os.environ.get("VCC_SIGNIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("VCC_SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "vcc.ratelimits.signin_locked_out"
AXES_CLIENT_IP_CALLABLE = "vcc.ratelimits.client_ip"
AXES_VERBOSE = False

# Rate limits (django-ratelimit's counters in the cache above). Each entry: a URL name, and
# the limits its requests count against ("ip": per address; vcc.ratelimits.posted_email: per
# email posted, such as the one a password reset is asked for, whatever its case). A request
# over a limit gets the 429 page. Intake forms use the decorator vcc.ratelimits.limit(...).
RATELIMIT_IP_META_KEY = "vcc.ratelimits.client_ip"
_PER_EMAIL = "vcc.ratelimits.posted_email"
VCC_RATE_LIMITS = {
    # Password reset requests (the view arrives with the accounts work: keyed on its name).
    "password_reset": [("ip", "10/h", "POST"), (_PER_EMAIL, "5/h", "POST")],
    "accounts:password_reset": [("ip", "10/h", "POST"), (_PER_EMAIL, "5/h", "POST")],
    # One-click links from emails: signed, but a guessing client should not hammer them.
    "convenings:rsvp_link": [("ip", "60/h", "ALL")],
    "matchmaking:introduction_answer": [("ip", "60/h", "ALL")],
    "outbox:opt_out": [("ip", "60/h", "ALL")],
    # Personal calendar feeds: calendar apps poll hourly at most; guessing tokens is throttled.
    "convenings:feed": [("ip", "120/h", "ALL")],
}

# Mail: SMTP when EMAIL_HOST is set; otherwise files in var/mail that the user can read.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vcc <coordinator@vcc.localhost>")
if os.environ.get("EMAIL_HOST"):
    # Django's SMTP backend, telling the outbox when a message is handed over (outbox.handover).
    EMAIL_BACKEND = "outbox.handover.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport (no server needed).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    _broker_dir = VAR_DIR / "broker"
    # The folders the transport reads and writes (it fails without them; `make` makes them too).
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # The exchange tables: without it kombu writes them to ./control in the working folder.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# The directory page size, and how few partners at a stage count as a gap.
VCC_PAGE_SIZE = int(os.environ.get("VCC_PAGE_SIZE", "50"))

# Intake forms (intake/): how often one address may post a public form (django-ratelimit's
# rate, e.g. "10/h").
VCC_INTAKE_RATE_LIMIT = os.environ.get("VCC_INTAKE_RATE_LIMIT", "10/h")
VCC_THIN_STAGE_THRESHOLD = int(os.environ.get("VCC_THIN_STAGE_THRESHOLD", "3"))
# An open introduction with no change for this many days is flagged as stalled.
VCC_STALLED_AFTER_DAYS = int(os.environ.get("VCC_STALLED_AFTER_DAYS", "30"))

# Outcomes and imports: the largest spreadsheet a coordinator may upload (bytes).
VCC_IMPORT_MAX_BYTES = int(os.environ.get("VCC_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
# The outbox: its scan, how long a claim lasts, how often a send is retried.
VCC_OUTBOX_SCAN_SECONDS = float(os.environ.get("VCC_OUTBOX_SCAN_SECONDS", "1"))
VCC_OUTBOX_LEASE_SECONDS = int(os.environ.get("VCC_OUTBOX_LEASE_SECONDS", "60"))
VCC_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("VCC_OUTBOX_MAX_ATTEMPTS", "5"))
VCC_INTRODUCTION_FOLLOWUP_DAYS = int(os.environ.get("VCC_INTRODUCTION_FOLLOWUP_DAYS", "14"))
VCC_NOT_CONTACTED_DAYS = int(os.environ.get("VCC_NOT_CONTACTED_DAYS", "90"))

# Email capture (capture/): the mailbox beat polls every minute, off when unset, e.g.
# imaps://log%40example.org:password@imap.example.org/INBOX; its own address (default: the
# URL's user when it has an @); the largest attachment kept (10 MB).
VCC_CAPTURE_IMAP_URL = os.environ.get("VCC_CAPTURE_IMAP_URL", "")
VCC_CAPTURE_ADDRESS = os.environ.get("VCC_CAPTURE_ADDRESS", "")
VCC_CAPTURE_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("VCC_CAPTURE_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024))
)

# Every periodic task, in one place (django-celery-beat reads it into its tables at start).
CELERY_BEAT_SCHEDULE = {
    # The outbox's scan: queue what is due, settle the claims of workers that died.
    "followups-dispatch-due": {
        "task": "outbox.tasks.dispatch_due",
        "schedule": VCC_OUTBOX_SCAN_SECONDS,
    },
    # Commitment reminders and the Monday digest (idempotent keys: hourly is safe).
    "followups-periodic": {
        "task": "followups.tasks.schedule_periodic_followups",
        "schedule": 3600.0,
    },
    # Email capture: read the mailbox (nothing when VCC_CAPTURE_IMAP_URL is unset).
    "capture-poll-mailbox": {
        "task": "capture.tasks.poll_mailbox",
        "schedule": 60.0,
    },
    # Relationship strengths fade as joint interactions age, with nothing logged to trigger it.
    "refresh-relationship-strengths": {
        "task": "matchmaking.tasks.refresh_relationship_strengths",
        "schedule": crontab(hour=3, minute=15),
    },
    # The full recompute of matchmaking suggestions.
    "matchmaking-recompute-nightly": {
        "task": "matchmaking.tasks.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Server errors are emailed to ADMINS through the outbox ("Name <address>, ..."), one email
# per distinct error an hour (outbox/error_mail.py).
ADMINS = [
    (name, address)
    for name, address in getaddresses([os.environ.get("VCC_ADMINS", "")])
    if "@" in address
]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Logs: plain text for people, or one JSON object per line (LOG_FORMAT=json) for a log
# collector, with the request id, route, status and user id (vcc/logs.py); no personal data.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").upper()
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT == "json":
    import logging

    logging.captureWarnings(True)  # Python's warnings as JSON lines too (logger py.warnings)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "vcc.logs.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": JSON_FORMATTER,
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_context"],
            "level": LOG_LEVEL,
        },
        # One line per request (vcc.requests), at INFO, whatever LOG_LEVEL says.
        "requests": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_context"],
        },
        "mail_admins": {
            "class": "outbox.error_mail.ServerErrorEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own loggers mail server errors through the outbox (not Django's SMTP
        # AdminEmailHandler) and print what reaches LOG_LEVEL through the root's console.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A Celery task that raised (the worker's server errors) is mailed the same way.
        "celery.app.trace": {"handlers": ["mail_admins"], "level": "INFO"},
        # A request for another host name is a scanner's, not a bug: logged, not emailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        # Request lines: with JSON logs by default (a log collector's access log); in plain
        # text only when LOG_LEVEL=INFO or lower (runserver prints its own).
        "vcc.requests": {
            "handlers": ["requests"],
            "level": "INFO" if LOG_FORMAT == "json" else LOG_LEVEL,
            "propagate": False,
        },
    },
}

# Optional error tracking with Sentry's official SDK: only when SENTRY_DSN is set; no personal
# data is sent (no users, cookies, request bodies or local variables; tests/test_logs.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from vcc.logs import scrub_sentry_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        # A frame's local variables hold what a request carried (session keys, addresses).
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_sentry_event,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
