"""Production settings pass Django's deployment checks; the demo settings default to SQLite."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from medreg.settings.database import database_from_env

REPO = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_for_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medreg.settings.production",
        "MEDREG_SECRET_KEY": secrets.token_urlsafe(60),
        "MEDREG_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "medreg.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (0 silenced).")


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medreg.settings.production",
        "MEDREG_SECRET_KEY": "short",
        "MEDREG_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-m", "medreg.cli", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "MEDREG_SECRET_KEY must be set to a random string of at least 50 characters" in result.stderr


def test_database_urls(tmp_path: Path) -> None:
    embedded = database_from_env(None, tmp_path)
    assert (embedded["NAME"], embedded["CONN_MAX_AGE"]) == (str(tmp_path / "medreg.sqlite3"), 60)
    pg = database_from_env("postgresql://u:p%40ss@db.example:6432/medreg", tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "medreg",
        "u",
        "p@ss",
        "db.example",
        "6432",
    )
    assert "OPTIONS" not in pg  # psycopg's prepared statements are set when a connection is made (core.db)
