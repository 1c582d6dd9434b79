"""Two task workers may run capture jobs at the same moment: jobs naming the same packs still apply
their events one after the other (the packs' row locks, decision 0111; SQLite's one writer), so no
pack state is lost and a pack commissioned by both jobs is seen as commissioned twice, whichever job
comes first (the second starts over when the first stored the pack after its read)."""

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.liveserver import REPO, environment, fresh_database, medreg
from tests.trace.epcis_builders import commissioning_document

EVENTS, PER_EVENT = 100, 10

SEED = """
import json
from medreg.trace.models import CaptureJob
from tests.trace.epcis_builders import build_chain
chain = build_chain()
documents = json.loads(open({path!r}).read())
ids = [str(CaptureJob.objects.create(sender_enterprise_code=chain.manufacturer.uscc,
                                     jurisdiction_path=chain.manufacturer.jurisdiction.path, format="json",
                                     document=json.dumps(d).encode(), size_bytes=1).pk) for d in documents]
print(json.dumps(ids))
"""
PROCESS = """
import time
from medreg.trace.services.processing import process_job
time.sleep(max(0.0, {start_at} - time.time()))
process_job({job_id!r})
"""
OUTCOME = """
import json
from medreg.trace.models import Alert, CaptureJob, Event, Pack
print(json.dumps([sorted(CaptureJob.objects.values_list("status", flat=True)), Event.objects.count(),
                  Pack.objects.count(), Pack.objects.filter(status="commissioned").count(),
                  Alert.objects.filter(rule="commissioned_twice").count()]))
"""


def _python(env: dict[str, str], code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "medreg.cli", "shell", "-c", code],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _output(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out.strip().splitlines()[-1] if out.strip() else ""


def _stored_jobs(env: dict[str, str], tmp_path: Path, documents: list[dict[str, Any]]) -> list[str]:
    """The ids of capture jobs stored for `documents` (the manufacturer's), in order."""
    path = tmp_path / "documents.json"
    path.write_text(json.dumps(documents))
    return list(json.loads(_output(_python(env, SEED.format(path=str(path))))))


def _run_at_once(env: dict[str, str], job_ids: list[str]) -> None:
    """One worker process per job, all starting their job at the same instant; waits for them all."""
    start_at = time.time() + 4  # after every process has loaded Django
    workers = [_python(env, PROCESS.format(start_at=start_at, job_id=job_id)) for job_id in job_ids]
    for worker in workers:
        _output(worker)


@pytest.mark.slow
def test_two_workers_commissioning_the_same_packs_at_once_lose_nothing(tmp_path: Path) -> None:
    # given two stored jobs commissioning the same 1,000 packs, in a fresh database
    with fresh_database(tmp_path) as url:
        env = environment(url)
        medreg(env, "migrate", "--no-input", "-v", "0")
        # the same packs commissioned by events of their own (other eventIDs: not duplicate events)
        runs = [commissioning_document(run, EVENTS, PER_EVENT) for run in ("first", "second")]
        job_ids = _stored_jobs(env, tmp_path, runs)

        # when two worker processes start processing them at the same instant
        _run_at_once(env, job_ids)

        # then both succeeded, every event is stored, and the second job to run found the packs the
        # first had commissioned: one "commissioned twice" alert per pack, no pack state overwritten
        packs = EVENTS * PER_EVENT
        assert json.loads(_output(_python(env, OUTCOME))) == [
            ["succeeded", "succeeded"],
            2 * EVENTS,
            packs,
            packs,
            packs,
        ]


DUPLICATES = """
import json
from medreg.trace.models import CaptureJob, Event, EventEpc, Pack
jobs = CaptureJob.objects.order_by("stored_count")
print(json.dumps([[(j.status, j.stored_count, j.duplicate_count, j.errors) for j in jobs], Event.objects.count(),
                  EventEpc.objects.count(), Pack.objects.count()]))
"""


@pytest.mark.slow
def test_two_workers_storing_the_same_events_in_opposite_orders_store_them_once(tmp_path: Path) -> None:
    # given two stored jobs with the same 100 events, the second listing them in reverse order
    with fresh_database(tmp_path) as url:
        env = environment(url)
        medreg(env, "migrate", "--no-input", "-v", "0")
        forward = commissioning_document("same", EVENTS, PER_EVENT)
        backward = {**forward, "epcisBody": {"eventList": forward["epcisBody"]["eventList"][::-1]}}
        job_ids = _stored_jobs(env, tmp_path, [forward, backward])

        # when two worker processes start processing them at the same instant
        _run_at_once(env, job_ids)

        # then neither waited for the other in a circle: one stored every event, the other found them
        # all stored (at its first check, or after starting over) and counted them as duplicates
        assert json.loads(_output(_python(env, DUPLICATES))) == [
            [["succeeded", 0, EVENTS, []], ["succeeded", EVENTS, 0, []]],
            EVENTS,
            EVENTS * PER_EVENT,
            EVENTS * PER_EVENT,
        ]
