"""A real console for the browser tests: a fresh database, `medreg migrate`, `medreg demo load`,
`medreg runserver` in a subprocess, and Debian's Chromium driven through Playwright.

The database is a temporary SQLite file, or, when the suite runs on PostgreSQL
(MEDREG_DATABASE_URL=postgresql://...), a database created for the run on that server and dropped
afterwards. MEDREG_BROWSER_DATA=seed loads tests/browser/seed.py instead of `medreg demo load`.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("MEDREG_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "medreg-console-screens"))
SERVER_START_SECONDS = 30


@dataclass(frozen=True)
class Console:
    """The running console and the demo records the tests drive."""

    base_url: str
    enterprise_name: str
    enterprise_uscc: str
    foreign_uscc: str
    own_uscc: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def console_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a fresh, empty database for the console server."""
    suite_url = os.environ.get("MEDREG_DATABASE_URL", "")
    if not suite_url.startswith(("postgresql://", "postgres://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('console') / 'console.sqlite3'}"
        return
    import psycopg  # noqa: PLC0415 -- only needed on PostgreSQL

    name = f"medreg_browser_{uuid.uuid4().hex[:12]}"
    server = urlparse(suite_url)
    with psycopg.connect(urlunparse(server._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(urlunparse(server._replace(path="/postgres")), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server_env(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medreg.settings.demo",
        "MEDREG_DATABASE_URL": database_url,
        "MEDREG_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(REPO_ROOT),
    }


def _run(env: dict[str, str], *args: str) -> str:
    """Run a Python module in the server's environment; fail the test with its output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(args)}` failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, load the data and read back the records the tests drive (tests/browser/prepare.py)."""
    output = _run(env, "tests.browser.prepare", os.environ.get("MEDREG_BROWSER_DATA", "demo"))
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _wait_until_serving(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the console server exited ({server.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"the console server did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def console(console_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """Migrate and load the demo data, then serve the console on a free local port until the session ends."""
    var_dir = tmp_path_factory.mktemp("console-var")
    env = _server_env(console_database, var_dir)
    records = _prepare(env)
    port = _free_port()
    log = var_dir / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "medreg.cli", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_serving(base_url, server, log)
        yield Console(base_url, records["name"], records["uscc"], records["foreign_uscc"], records["own_uscc"])
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- only the browser tests need it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
