"""Capture jobs lock the packs they name, not the whole of capture (decision 0111): on PostgreSQL a job
about other packs runs to its end while a job holds its packs, and a job naming the same packs
waits for the holder's commit, then applies its events to the state the holder wrote. SQLite lets
one writer in at a time: there the holder's job ends first."""

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from medreg.trace.codes import parse_code
from tests.liveserver import environment, fresh_database, medreg
from tests.trace.epcis_builders import sscc
from tests.trace.test_capture_concurrency import _output, _python

# The start of every seed: `job(party, *events)` stores a capture job of the events from `party`.
JOBS = """
import json
from medreg.trace.models import CaptureJob
from medreg.trace.services.processing import process_job
from tests.trace.epcis_builders import document
def job(party, *events):
    return str(CaptureJob.objects.create(sender_enterprise_code=party.uscc, format="json", size_bytes=1,
                                         jurisdiction_path=party.jurisdiction.path,
                                         document=json.dumps(document(*events)).encode()).pk)
"""
# Packs A (serials 1-6) and B (7-12) commissioned; then stored, not yet run: the manufacturer ships A,
# the manufacturer ships B, the distributor receives A.
SEED = (
    JOBS
    + """
from tests.trace.epcis_builders import build_chain, receiving, sgtin
from tests.trace.test_alert_rules_parties import commissioning, shipping
chain = build_chain()
a, b = [sgtin("00001", n) for n in range(1, 7)], [sgtin("00001", n) for n in range(7, 13)]
process_job(job(chain.manufacturer, commissioning(a + b)))
print(json.dumps([job(chain.manufacturer, shipping("urn:uuid:sa", "2026-03-01T10:00:00+08:00", a, "00002")),
                  job(chain.manufacturer, shipping("urn:uuid:sb", "2026-03-01T10:00:00+08:00", b, "00002")),
                  job(chain.distributor, receiving("urn:uuid:ra", "2026-03-02T09:00:00+08:00", a, "00002"))]))
"""
)
# The start of the scripts that pause a job: `pause(reached, until)` writes file `reached`, then waits
# for file `until` (the test's word to go on), at most 120 s.
PAUSE = """
import os, time
from unittest import mock
def pause(reached, until):
    open(reached, "w").close()
    deadline = time.time() + 120
    while not os.path.exists(until):
        if time.time() > deadline:
            raise SystemExit(f"the test never wrote {{until}}")
        time.sleep(0.02)
"""
# Runs a job that, having read (and locked) its packs, says so in file `held` and waits for file
# `release` before it writes them and commits.
HOLDER = (
    PAUSE
    + """
from medreg.trace.services import processing
real = processing.store_packs
def held(book):
    pause({held!r}, {release!r})
    return real(book)
with mock.patch.object(processing, "store_packs", held):
    processing.process_job({job_id!r})
"""
)
RUN = "from medreg.trace.services.processing import process_job; process_job({job_id!r})"
# What the backends of this database that wait for a lock wait for, once one does (PostgreSQL).
WAITING = """
import json, time
from django.db import connection
deadline, waits = time.time() + 60, []
while not waits and time.time() < deadline:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event FROM pg_stat_activity "
                       "WHERE wait_event_type = 'Lock' AND datname = current_database()")
        waits = sorted(row[0] for row in cursor.fetchall())
    time.sleep(0.02)
print(json.dumps(waits))
"""
OUTCOME = """
import json
from django.db import connection
from medreg.trace.models import Alert, CaptureJob, Pack
jobs = [CaptureJob.objects.get(pk=pk) for pk in {job_ids!r}]
print(json.dumps([connection.vendor, [j.status for j in jobs], jobs[1].finished_at < jobs[0].finished_at,
                  sorted(Pack.objects.values_list("status", flat=True)),
                  list(Alert.objects.values_list("rule", flat=True))]))
"""


class Held:
    """A worker running a job that holds its packs (read and locked, not yet written) until `release`,
    and the workers `start`ed beside it."""

    def __init__(self, env: dict[str, str], tmp_path: Path, job_id: str) -> None:
        self.env, self.release_file, self.held_file = env, tmp_path / "release", tmp_path / "held"
        self.holder = _python(env, HOLDER.format(held=str(self.held_file), release=str(self.release_file),
                                                 job_id=job_id))  # fmt: skip
        self.workers = [self.holder]

    def start(self, job_id: str) -> subprocess.Popen[str]:
        self.workers.append(_python(self.env, RUN.format(job_id=job_id)))
        return self.workers[-1]

    def release(self) -> None:
        """Let the holder write and commit; wait for the end of every worker not yet waited for."""
        self.release_file.touch()
        while self.workers:
            _output(self.workers.pop(0))


@contextmanager
def holding(env: dict[str, str], tmp_path: Path, job_id: str) -> Iterator[Held]:
    """`Held` for `job_id`; its workers are killed if the block fails before they end."""
    held = Held(env, tmp_path, job_id)
    try:
        _wait_for(held.held_file)
        yield held
    finally:
        for worker in held.workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()


@contextmanager
def second_waits_for_first(tmp_path: Path, seed: str) -> Iterator[tuple[dict[str, str], list[str]]]:
    """In a fresh database set up by `seed`, which prints the ids of two stored jobs: a worker runs the
    first job and holds its packs; a second worker runs the second job, which on PostgreSQL waits for
    a row lock; then the first job commits. Yields the environment and the ids, both jobs ended."""
    with fresh_database(tmp_path) as url:
        env = environment(url)
        medreg(env, "migrate", "--no-input", "-v", "0")
        job_ids = json.loads(_output(_python(env, seed)))
        with holding(env, tmp_path, job_ids[0]) as held:
            held.start(job_ids[1])
            if url.startswith("postgres"):  # the second waits for packs the first holds, nothing else
                assert json.loads(_output(_python(env, WAITING))) == ["transactionid"]
            held.release()
        yield env, job_ids


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


@pytest.mark.slow
def test_a_job_about_other_packs_runs_while_a_job_holds_its_own_and_one_about_the_same_packs_waits(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        env = environment(url)
        medreg(env, "migrate", "--no-input", "-v", "0")
        job_ids = json.loads(_output(_python(env, SEED)))
        ship_a, ship_b, receive_a = job_ids
        postgresql = url.startswith("postgres")
        # given a worker whose job (shipping packs A) has read and locked its packs and not yet committed
        with holding(env, tmp_path, ship_a) as held:
            # when a second worker runs the job shipping packs B, and a third the job receiving packs A
            other = held.start(ship_b)
            held.start(receive_a)
            if postgresql:
                # then on PostgreSQL the job about packs B ends while the holder still holds packs A
                _output(other)
                assert held.holder.poll() is None
                # and the job about packs A waits for the holder's transaction (a row lock), nothing else
                assert json.loads(_output(_python(env, WAITING))) == ["transactionid"]
            held.release()

        # then every job succeeded; A was received on the state the holder wrote (no "received
        # without a shipment"), B is in transit; on SQLite the holder's job ended first
        vendor, statuses, b_ended_first, packs, alerts = json.loads(
            _output(_python(env, OUTCOME.format(job_ids=job_ids)))
        )
        assert (vendor, statuses, b_ended_first) == (
            "postgresql" if postgresql else "sqlite",
            ["succeeded", "succeeded", "succeeded"],
            postgresql,
        )
        assert packs == ["in_transit"] * 6 + ["received"] * 6
        assert alerts == []


# Six narcotic packs commissioned and shipped to the distributor under DA1; then stored, not yet run:
# the distributor receives the first three, and in another document the other three.
SPLIT_RECEIPT = (
    JOBS
    + """
from tests.trace.epcis_builders import build_chain, receiving
from tests.trace.test_alert_rules_parties import PACKS, commissioning, shipping
chain = build_chain(special_control="narcotic")
process_job(job(chain.manufacturer, commissioning()))
process_job(job(chain.manufacturer, shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", PACKS, "00002")))
print(json.dumps([job(chain.distributor, receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:3], "00002")),
                  job(chain.distributor, receiving("urn:uuid:r2", "2026-03-02T09:05:00+08:00", PACKS[3:], "00002"))]))
"""
)
MISMATCHES = """
import json
from medreg.trace.models import Alert, CaptureJob, Pack
print(json.dumps([sorted(CaptureJob.objects.filter(pk__in={job_ids!r}).values_list("status", flat=True)),
                  sorted(Pack.objects.values_list("status", flat=True)),
                  [(a.rule, a.text_fields["count"]) for a in Alert.objects.all()]]))
"""


@pytest.mark.slow
def test_two_jobs_receiving_parts_of_a_special_control_shipment_at_once_count_it_as_one_after_the_other(
    tmp_path: Path,
) -> None:
    # given a worker whose job receiving the first three packs has read the shipment and not yet
    # committed (the three others still in transit for it: the quantity rule's finding)
    # when a second worker runs the job receiving the other three, and the first then commits
    with second_waits_for_first(tmp_path, SPLIT_RECEIPT) as (env, job_ids):
        # then the first job's receipt raised the one alert (three packs missing) and the second,
        # which counted after the first had committed, none: as if they had run one after the other
        assert json.loads(_output(_python(env, MISMATCHES.format(job_ids=job_ids)))) == [
            ["succeeded", "succeeded"],
            ["received"] * 6,
            [["special_quantity_mismatch", "3"]],
        ]


# Seven packs commissioned, six of them packed into case C; then stored, not yet run: the manufacturer
# packs the seventh into C and ships C, and the distributor receives C.
PACKED_ON = (
    JOBS
    + """
from tests.trace.epcis_builders import aggregation, build_chain, receiving, sgtin, sscc
from tests.trace.test_alert_rules_parties import commissioning, shipping
chain = build_chain()
packs, case = [sgtin("00001", n) for n in range(1, 8)], sscc(1)
process_job(job(chain.manufacturer, commissioning(packs)))
process_job(job(chain.manufacturer, aggregation("urn:uuid:p1", "2026-03-01T09:10:00+08:00", case, packs[:6], "00001")))
print(json.dumps([job(chain.manufacturer,
                      aggregation("urn:uuid:p2", "2026-03-01T09:30:00+08:00", case, packs[6:], "00001"),
                      shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", [case], "00002")),
                  job(chain.distributor, receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", [case], "00002"))]))
"""
)
CONTAINED = """
import json
from medreg.trace.models import Alert, CaptureJob, Pack
print(json.dumps([sorted(CaptureJob.objects.filter(pk__in={job_ids!r}).values_list("status", flat=True)),
                  sorted((status, parent or "") for status, parent in Pack.objects.values_list("status", "parent_key")),
                  list(Alert.objects.values_list("rule", flat=True))]))
"""


@pytest.mark.slow
def test_a_job_that_waited_for_a_case_finds_the_pack_another_job_packed_into_it(tmp_path: Path) -> None:
    # given a worker whose job has packed a seventh pack into case C and shipped C, not yet committed
    # when a second worker runs the job receiving C, and the first then commits
    with second_waits_for_first(tmp_path, PACKED_ON) as (env, job_ids):
        # then the receipt of C received all seven packs inside it, the one packed while it waited too
        case = parse_code(sscc(1)).key
        assert json.loads(_output(_python(env, CONTAINED.format(job_ids=job_ids)))) == [
            ["succeeded", "succeeded"],
            [["received", ""]] + [["received", case]] * 7,
            [],
        ]


# Packs A (serials 1-6) commissioned; then stored, not yet run: the manufacturer commissions packs B
# (7-12) and ships A and B in one document; the distributor receives A and B.
COMMISSIONED_AND_SHIPPED = (
    JOBS
    + """
from tests.trace.epcis_builders import build_chain, object_event, receiving, sgtin
from tests.trace.test_alert_rules_parties import LOT, commissioning, shipping
chain = build_chain()
a, b = [sgtin("00001", n) for n in range(1, 7)], [sgtin("00001", n) for n in range(7, 13)]
ilmd = {"ilmd": {"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2028-02-29"}}
process_job(job(chain.manufacturer, commissioning(a)))
print(json.dumps([job(chain.manufacturer,
                      object_event("urn:uuid:c2", "2026-03-01T09:30:00+08:00", "commissioning", "active", b, "00001",
                                   "ADD", **ilmd),
                      shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", a + b, "00002")),
                  job(chain.distributor, receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", a + b, "00002"))]))
"""
)
# Packs p1-p6 and q commissioned; then stored, not yet run: the manufacturer packs p1-p6 into a new
# case C and ships C and q; the distributor receives C and q.
NEW_CASE_SHIPPED = (
    JOBS
    + """
from tests.trace.epcis_builders import aggregation, build_chain, receiving, sgtin, sscc
from tests.trace.test_alert_rules_parties import commissioning, shipping
chain = build_chain()
packs, q, case = [sgtin("00001", n) for n in range(1, 7)], sgtin("00001", 9), sscc(1)
process_job(job(chain.manufacturer, commissioning(packs + [q])))
print(json.dumps([job(chain.manufacturer,
                      aggregation("urn:uuid:p1", "2026-03-01T09:30:00+08:00", case, packs, "00001"),
                      shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", [case, q], "00002")),
                  job(chain.distributor, receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", [case, q], "00002"))]))
"""
)
STATUSES = """
import json
from medreg.trace.models import Alert, CaptureJob, Pack
print(json.dumps([sorted(CaptureJob.objects.filter(pk__in={job_ids!r}).values_list("status", flat=True)),
                  sorted(Pack.objects.values_list("status", flat=True)),
                  list(Alert.objects.values_list("rule", flat=True))]))
"""


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "packs"), [(COMMISSIONED_AND_SHIPPED, 12), (NEW_CASE_SHIPPED, 8)])
def test_a_job_that_waited_for_packs_finds_the_packs_the_other_job_stored_beside_them(
    tmp_path: Path, seed: str, packs: int
) -> None:
    # given a worker whose job stores new packs (commissioned, or a new case) and ships them with packs
    # already stored, not yet committed
    # when a second worker runs the job receiving all of them, and the first then commits
    with second_waits_for_first(tmp_path, seed) as (env, job_ids):
        # then the second found every pack the first stored and received them all, as if it had run
        # after the first: no "not commissioned", nothing left in transit
        assert json.loads(_output(_python(env, STATUSES.format(job_ids=job_ids)))) == [
            ["succeeded", "succeeded"],
            ["received"] * packs,
            [],
        ]


# Narcotic packs 1-3 commissioned and shipped to the distributor under DA1; then stored, not yet run:
# the manufacturer commissions packs 4-7 and ships 4-6 under DA1 and 7 under DA2; the distributor
# receives packs 1-7.
SHIPPED_ON_TOO = (
    JOBS
    + """
from tests.trace.epcis_builders import build_chain, object_event, receiving, sgtin
from tests.trace.test_alert_rules_parties import LOT, commissioning, shipping
chain = build_chain(special_control="narcotic")
packs = [sgtin("00001", n) for n in range(1, 8)]
ilmd = {"ilmd": {"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2028-02-29"}}
da2 = "urn:epcglobal:cbv:bt:0614141000005:DA2"
process_job(job(chain.manufacturer, commissioning(packs[:3])))
process_job(job(chain.manufacturer, shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", packs[:3], "00002")))
print(json.dumps([job(chain.manufacturer,
                      object_event("urn:uuid:c2", "2026-03-01T11:00:00+08:00", "commissioning", "active", packs[3:],
                                   "00001", "ADD", **ilmd),
                      shipping("urn:uuid:s2", "2026-03-01T12:00:00+08:00", packs[3:6], "00002"),
                      shipping("urn:uuid:s3", "2026-03-01T12:00:00+08:00", packs[6:], "00002", advice=da2)),
                  job(chain.distributor, receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", packs, "00002"))]))
"""
)
# Runs a job that, once it has read (and locked) the packs it names, says so in file `named` and waits
# for file `go` before it reads anything else.
PAUSED_AFTER_NAMED = (
    PAUSE
    + """
from medreg.trace.services import persistence, processing
real, calls = persistence._inside, []
def paused(containers):
    if not calls:
        pause({named!r}, {go!r})
    calls.append(containers)
    return real(containers)
with mock.patch.object(persistence, "_inside", paused):
    processing.process_job({job_id!r})
print(len(calls))
"""
)


@pytest.mark.slow
def test_a_job_reads_its_book_again_when_packs_it_did_not_find_were_stored_while_it_read(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        env = environment(url)
        medreg(env, "migrate", "--no-input", "-v", "0")
        commission_and_ship, receive = json.loads(_output(_python(env, SHIPPED_ON_TOO)))
        named, go = tmp_path / "named", tmp_path / "go"
        postgresql = url.startswith("postgres")
        # given a worker whose job (commissioning packs 4-7, shipping them) has read and not yet written
        with holding(env, tmp_path, commission_and_ship) as held:
            if not postgresql:  # SQLite: the second job cannot begin while the first writes
                held.release()
            # and a second worker whose job receiving packs 1-7 has found 1-3 (stored) and not 4-7
            receiver = _python(env, PAUSED_AFTER_NAMED.format(named=str(named), go=str(go), job_id=receive))
            try:
                _wait_for(named)
                # when the first job commits, and only then the second reads on (the quantity rule's
                # read of shipment DA1 now finds packs 4-6 in transit)
                held.release()
                go.touch()
                reads = int(_output(receiver))
            finally:
                if receiver.poll() is None:
                    receiver.kill()
                    receiver.communicate()

        # then the second job, having found packs it had not found stored, read its book again
        # (PostgreSQL: two reads of what is inside its packs; SQLite reads once, one writer at a
        # time) and received all seven packs, as if it had run after the first: no "not commissioned"
        assert reads == (2 if url.startswith("postgres") else 1)
        assert json.loads(_output(_python(env, STATUSES.format(job_ids=[commission_and_ship, receive])))) == [
            ["succeeded", "succeeded"],
            ["received"] * 7,
            [],
        ]
