"""WSGI entry point (gunicorn vcc.wsgi:application)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the worker: move
# it out of the garbage collector's sight, so its collections walk only what requests create.
gc.freeze()
