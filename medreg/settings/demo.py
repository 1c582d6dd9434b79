"""`make demo`: embedded SQLite under var/, served by Django's development server."""

from medreg.settings.base import *  # noqa: F403

DEBUG = True
WHITENOISE_AUTOREFRESH = True  # serve from the apps' static folders without collectstatic
