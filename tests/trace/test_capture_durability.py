"""Acknowledged means durable: the server killed with SIGKILL right after answering 202 loses
nothing, and the worker that comes after stores every event exactly once."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.liveserver import REPO, environment, fresh_database, medreg, server
from tests.trace.epcis_builders import commissioning_document

SEED = """
import json
from tests.trace.epcis_builders import build_chain
chain = build_chain()
print(json.dumps(chain.tokens))
"""
COUNTS = """
from medreg.trace.models import CaptureJob, Event, EventEpc, Pack
print(CaptureJob.objects.count(), CaptureJob.objects.filter(status="succeeded").count(), Event.objects.count(),
      EventEpc.objects.count(), Pack.objects.count())
"""
EVENTS = 50
PER_EVENT = 10


def _doc() -> dict[str, Any]:
    return commissioning_document("dur", EVENTS, PER_EVENT)


def _post(base: str, token: str, doc: dict[str, Any]) -> int:
    request = urllib.request.Request(
        f"{base}/epcis/capture",
        data=json.dumps(doc).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


def _python(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "medreg.cli", "shell", "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_capture_survives_kill_9_between_202_and_processing(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        env = environment(url)
        medreg(env, "migrate", "--no-input", "-v", "0")
        token = json.loads(_python(env, SEED))["manufacturer"]
        # when the server acknowledges a document and is killed before any worker ran
        with server(env) as (base, process):
            assert _post(base, token, _doc()) == 202
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        # then the document is there, waiting, and nothing was processed yet
        assert _python(env, COUNTS) == "1 0 0 0 0"
        # when the worker runs after the restart
        medreg(env, "db_worker", "--batch", "--no-startup-delay")
        # then every event is stored once and every pack exists
        assert _python(env, COUNTS) == f"1 1 {EVENTS} {EVENTS * PER_EVENT} {EVENTS * PER_EVENT}"
        # and sending the same document again (the sender never saw the answer) doubles nothing
        with server(env) as (base, _):
            assert _post(base, token, _doc()) == 202
        medreg(env, "db_worker", "--batch", "--no-startup-delay")
        assert _python(env, COUNTS) == f"2 2 {EVENTS} {EVENTS * PER_EVENT} {EVENTS * PER_EVENT}"
