"""gunicorn's settings, read with `--config python:vcc.gunicorn_conf`.

With LOG_FORMAT=json gunicorn's own lines (its start, a worker that timed out or died) are
JSON lines like the app's. Requests are logged by the app (vcc.requests, vcc/logs.py), with
the URL pattern rather than the path, so gunicorn's access log stays off.
"""

import os

from vcc.logs import JSON_FORMATTER

if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": JSON_FORMATTER},
        "filters": {"request_context": {"()": "vcc.logs.RequestContextFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_context"],
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": "WARNING", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }
