"""WSGI entry point (gunicorn vcc.wsgi:application)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
# A web request's queries are short. Gathering a parallel plan's workers costs 10-25 ms on a
# small server (more than most of these queries take alone), the workers take cores from the
# other requests, and JIT compilation costs more than it saves on queries this size. Web
# connections do without both; the Celery worker's batch queries keep PostgreSQL's defaults.
os.environ.setdefault("VCC_PG_OPTIONS", "-c max_parallel_workers_per_gather=0 -c jit=off")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the worker: move
# it out of the garbage collector's sight, so its collections walk only what requests create.
gc.freeze()
