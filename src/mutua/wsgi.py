"""WSGI entry point for gunicorn: `gunicorn mutua.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
application = get_wsgi_application()
