"""WSGI entry point (gunicorn vcc.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcc.settings")
application = get_wsgi_application()
