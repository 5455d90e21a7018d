"""The Celery app. Periodic tasks are declared in one place: settings.CELERY_BEAT_SCHEDULE."""

import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")

app = Celery("vcc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def use_django_logging(**kwargs):
    """The worker and beat log as the web does (settings.LOGGING: JSON lines), instead of
    Celery's own format (kept for plain text, at the command line's --loglevel)."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json":
    setup_logging.connect(use_django_logging, weak=False)


@task_prerun.connect
def _task_log_context(task_id=None, **kwargs):
    """A task's log lines carry its task id where a request's carry the request id."""
    from vcc.logs import request_id_var

    request_id_var.set(task_id or "-")


@task_postrun.connect
def _task_log_context_end(**kwargs):
    from vcc.logs import request_id_var

    request_id_var.set("-")
