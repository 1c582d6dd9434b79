"""WSGI entry point for gunicorn: `gunicorn medreg.wsgi` (docs/operations.md).

`application` sends anonymous `GET /api/trace/verify/<code>` to the lean public route
(medreg.trace.api.public_verify, decision 0104) and everything else to Django's full stack,
`django_application`.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medreg.settings.production")
django_application = get_wsgi_application()

from medreg.trace.api.public_verify import PublicVerifyRoute  # noqa: E402 - needs the apps loaded

application = PublicVerifyRoute(django_application)
