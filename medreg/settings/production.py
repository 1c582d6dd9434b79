"""Production: PostgreSQL, HTTPS behind a proxy, secrets from the environment (docs/operations.md)."""

import os

from django.core.exceptions import ImproperlyConfigured

from medreg.settings.base import *  # noqa: F403

SECRET_KEY = os.environ.get("MEDREG_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("MEDREG_SECRET_KEY must be set to a random string of at least 50 characters")
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
