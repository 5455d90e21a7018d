"""The Celery app. Periodic tasks are declared in one place: settings.CELERY_BEAT_SCHEDULE."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")

app = Celery("vcc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
