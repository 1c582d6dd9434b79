"""Benchmarks: the production settings (DEBUG off, HSTS, secure cookies, security headers),
served over plain HTTP on 127.0.0.1 with no TLS proxy in front, so without the HTTPS redirect.
Used by bench/trace_verify.py; never for a real deployment."""

from medreg.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing; no static is served
