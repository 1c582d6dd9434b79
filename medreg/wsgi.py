"""WSGI entry point for gunicorn: `gunicorn medreg.wsgi` (docs/operations.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medreg.settings.production")
application = get_wsgi_application()
