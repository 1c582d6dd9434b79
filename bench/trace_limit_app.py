"""Throwaway WSGI app for the verify benchmark's limits: a bare Django view doing one raw point lookup
by key on trace_pack (`/k/<serial>`), and the same view without the lookup (`/b/<serial>`, the ceiling
of Django under gunicorn on the machine, MACHINE_LIMITS.md's "bare" row). Not part of the platform.

gunicorn trace_limit_app:application --pythonpath bench   (MEDREG_DATABASE_URL, TRACE_BENCH_GTIN set)
"""

import os
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from medreg.settings.database import database_from_env

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    DATABASES={"default": database_from_env(os.environ["MEDREG_DATABASE_URL"], Path("/tmp"))},
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    USE_TZ=True,
)
django.setup()

GTIN = os.environ.get("TRACE_BENCH_GTIN", "06901234000016")


def lookup(request: HttpRequest, serial: str) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, status, lot, expiry, approval_number FROM trace_pack WHERE key = %s",
            [f"gs1:01/{GTIN}/21/{serial}"],
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"genuine": False}, status=404)
    return JsonResponse({"code": row[0], "genuine": True, "status": row[1], "batch": row[2], "expiry": str(row[3])})


def bare(request: HttpRequest, serial: str) -> JsonResponse:
    return JsonResponse({"code": f"gs1:01/{GTIN}/21/{serial}", "genuine": True})


urlpatterns = [path("k/<str:serial>", lookup), path("b/<str:serial>", bare)]

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after settings.configure

application = get_wsgi_application()
