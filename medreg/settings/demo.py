"""`make demo`: embedded SQLite under var/, served by Django's development server."""

from medreg.settings.base import *  # noqa: F403

DEBUG = True

# WhiteNoise serves the apps' static folders through the finders (WHITENOISE_USE_FINDERS); it only
# needs STATIC_ROOT to exist. AUTOREFRESH would re-scan the disk on every request.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
