"""Test settings: the database comes from MEDREG_DATABASE_URL (PostgreSQL or SQLite)."""

from medreg.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses PBKDF2
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# WhiteNoise serves the apps' static folders through the finders (WHITENOISE_USE_FINDERS); it only
# needs STATIC_ROOT to exist. AUTOREFRESH would re-scan the disk on every request.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
