"""Database settings from one URL: postgresql://user:pass@host:port/name or sqlite:///path."""

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


def database_from_env(url: str | None, var_dir: Path) -> dict[str, Any]:
    """Return Django's DATABASES['default'] for `url`; embedded SQLite when no URL is given."""
    if not url:
        return _sqlite(var_dir / "medreg.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return _sqlite(Path(unquote(parsed.path)) if parsed.path not in ("", "/") else var_dir / "medreg.sqlite3")
    if parsed.scheme in ("postgres", "postgresql"):
        return _postgres(parsed)
    raise ValueError(f"MEDREG_DATABASE_URL: unsupported scheme {parsed.scheme!r}; use postgresql:// or sqlite:///")


def _sqlite(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Keep a worker's connection between requests, as on PostgreSQL: opening the file and running
        # the PRAGMAs of init_command on every request cost more than a verification's lookup.
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        },
    }


def _postgres(parsed: Any) -> dict[str, Any]:
    query = parse_qs(parsed.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": query.get("host", [parsed.hostname or ""])[0],
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,  # prepared statements: medreg/core/db.py
    }
