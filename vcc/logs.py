"""Logs an operator can follow: a request id on every line, one line per request, and JSON
lines (LOG_FORMAT=json) for a log collector.

The request id is the incoming `X-Request-ID` (from a proxy that sets one; letters, digits and
dashes, 64 at most) or a new one, and is sent back in the response's `X-Request-ID`; a Celery
task's lines carry its task id instead. A request's line gives its method, the URL *pattern*
it matched (not the path: links carry signed tokens), status, duration and the user's id;
never a name, an email address, a query string or a form field.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)

requests_log = logging.getLogger("vcc.requests")

_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")

# The JSON lines' formatter, for settings.LOGGING and gunicorn's own lines (vcc/gunicorn_conf.py).
JSON_FORMATTER = {
    "()": "vcc.logs.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s",
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": "time",  # ISO 8601, UTC
}


class RequestContextFilter(logging.Filter):
    """Adds `request_id` (and `user_id` when known) to every record a handler emits."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "user_id"):
            record.user_id = user_id_var.get()
            # Django's request loggers attach the request (the JSON formatter drops it).
            request = getattr(record, "request", None)
            if record.user_id is None and request is not None:
                try:
                    record.user_id = loaded_user_id(request)
                except Exception:  # a log line never fails on who asked
                    pass
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter, dropping what must not leave the process: the request
    object Django attaches to its records and Django's `status_code` duplicate."""

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.pop("request", None)
        if "status_code" in log_data and "status" not in log_data:
            log_data["status"] = log_data.pop("status_code")
        log_data.pop("status_code", None)
        log_data.pop("color_message", None)


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route.lstrip("^").rstrip("$")
    return "(unmatched)"


def loaded_user_id(request) -> int | None:
    """The signed-in user's id if the request already read its user (a page that never asks
    who is signed in costs no session query for its log line)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return wrapped.pk if wrapped.is_authenticated else None


class RequestLogMiddleware:
    """Sets the request id for the request's log lines and logs one line when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        user_token = user_id_var.set(None)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            user_id = loaded_user_id(request)
            user_id_var.set(user_id)
            response["X-Request-ID"] = request_id
            requests_log.info(
                "%s %s %s",
                request.method,
                route_of(request),
                response.status_code,
                extra={
                    "method": request.method,
                    "path": route_of(request),
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user_id,
                },
            )
            return response
        finally:
            user_id_var.reset(user_token)
            request_id_var.reset(token)


def scrub_sentry_event(event: dict, hint: dict) -> dict:
    """Sentry's `before_send`: a request's address as its URL pattern (the transaction name,
    e.g. "/calendar/{token}.ics"), without its query string: links carry signed tokens and
    filters carry what people searched for."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("query_string", None)
        request.pop("cookies", None)
        request.pop("data", None)
        if event.get("transaction"):
            request["url"] = event["transaction"]
    return event
