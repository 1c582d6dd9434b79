"""A real server process on a fresh database, for tests that need the platform as it runs:
the browser test, the crash-durability test. The database is a temporary SQLite file, or a fresh
database on the suite's PostgreSQL server when the suite runs on PostgreSQL."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A database URL for a new, empty database, dropped afterwards."""
    suite_url = os.environ.get("MEDREG_DATABASE_URL", "")
    if not suite_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path}/live.sqlite3"
        return
    name = f"medreg_live_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(suite_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield suite_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(suite_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medreg.settings.demo",
        "MEDREG_DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }


def medreg(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(BIN / "medreg"), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"medreg {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@contextmanager
def server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """gunicorn serving the platform; yields its base URL and process."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "medreg.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--env",
            "DJANGO_SETTINGS_MODULE=medreg.settings.demo",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            with urllib.request.urlopen(f"{base}/api/core/me", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start within 60 s")
