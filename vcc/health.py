"""`/healthz`: is this vcc able to serve? The database answers, the Celery broker answers and
every migration is applied. No sign-in, JSON, never cached.

One endpoint for liveness and readiness alike: a web process whose database or broker is gone
cannot do its work, so the orchestrator should see it unhealthy either way.

It is answered by a middleware placed first in MIDDLEWARE, before the host check and any HTTPS
redirect, so that a container's health check (`http://127.0.0.1:8000/healthz`, whatever
ALLOWED_HOSTS holds) reaches it; each check has a short timeout so that a dead dependency
answers 503 rather than hanging the check.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

PATH = "/healthz"
TIMEOUT_SECONDS = 2.0


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    """A short connection to Celery's broker: Redis answers PING; the filesystem broker's
    folders exist and are writable; another transport connects through kombu."""
    url = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss"}:
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    if scheme == "filesystem":
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = options.get(key)
            if folder and not os.access(folder, os.W_OK | os.X_OK):
                raise OSError(f"{key} {folder} is missing or not writable")
        return "ok"
    from kombu import Connection

    with Connection(url, connect_timeout=TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    return "ok"


def check_migrations() -> str:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        pending = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        raise RuntimeError(f"{len(plan)} not applied: {pending}{more}")
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    # Needs the database: reported as failed too when the database is down.
    "migrations": check_migrations,
}


def health() -> tuple[bool, dict]:
    """Each check's result ("ok" or what went wrong) and whether all are ok."""
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as error:  # a failed dependency is the answer, not a server error
            log.warning("health check %s failed: %s", name, error)
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    healthy = all(result["ok"] for result in results.values())
    return healthy, {"status": "ok" if healthy else "failing", "checks": results}


def healthz(request: HttpRequest) -> HttpResponse:
    healthy, body = health()
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    # The failing check is logged above; Django's "Service Unavailable" error line (and its
    # email to ADMINS at every probe) would only repeat it.
    response._has_been_logged = True
    return response


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz before anything else runs (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH and request.method in {"GET", "HEAD"}:
            return healthz(request)
        return self.get_response(request)
