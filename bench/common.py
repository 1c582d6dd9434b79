"""Shared helpers for the benchmarks: a throwaway database (PostgreSQL cluster or SQLite file),
Django set-up, machine facts, timing, fast bulk loading (COPY / executemany) and a synthetic
traceability supply chain.

Import this module before Django: `setup_django` sets the settings module and database URL first.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the EPCIS builders of tests/ are reused, not copied

PG_PORT = 26432  # below the ephemeral port range (32768-60999): wrk's client ports cannot hold it
DRUG_APPROVAL_NUMBER = "国药准字H20240001"
ITEM = "00001"
DRUG_IDENTIFICATION_CODE = "8612301"
BASE_TIME = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------- command line, output, timing


def arguments(description: str, pg_packs: int, sqlite_packs: int, **extra: Any) -> argparse.Namespace:
    """--db, --packs (default depends on the database), --repeats, --port and the script's own options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--packs", type=int, default=None, help=f"packs stored ({pg_packs:,} PG / {sqlite_packs:,} SQLite)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=PG_PORT, help="port of the throwaway PostgreSQL cluster")
    for name, (kind, default, help_text) in extra.items():
        if kind is bool:
            parser.add_argument(f"--{name}", action="store_true", help=help_text)
        else:
            parser.add_argument(f"--{name}", type=kind, default=default, help=help_text)
    args = parser.parse_args()
    if args.packs is None:
        args.packs = pg_packs if args.db == "postgres" else sqlite_packs
    return args


def say(text: str = "") -> None:
    print(text, flush=True)


@contextlib.contextmanager
def stopwatch(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    say(f"  {label}: {time.perf_counter() - started:.1f} s")


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


@dataclass
class CpuUse:
    """CPU seconds spent during a measured stretch: by this process, by PostgreSQL's processes (its
    backends and background writers), and the machine's busy fraction of all cores (/proc/stat)."""

    wall: float = 0.0
    own: float = 0.0
    postgres: float = 0.0
    busy: float = 0.0  # fraction of all cores, 0..1

    def add(self, other: CpuUse) -> None:
        total = self.wall + other.wall
        self.busy = (self.busy * self.wall + other.busy * other.wall) / total if total else 0.0
        self.wall, self.own, self.postgres = total, self.own + other.own, self.postgres + other.postgres


def _postgres_cpu() -> float:
    """CPU seconds of every running process named postgres on the machine (Linux /proc; 0 elsewhere):
    the benchmark's cluster when nothing else runs, which is how the figures are taken."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except (OSError, ValueError):
            continue
        if text[text.find("(") + 1 : text.rfind(")")] == "postgres":
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of all cores since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def cpu_timed(function: Callable[[], Any]) -> CpuUse:
    """Run `function`; its wall time and the CPU it and PostgreSQL used meanwhile."""
    own, postgres, (busy, ticks) = time.process_time(), _postgres_cpu(), _machine_ticks()
    wall = timed(function)
    busy_after, ticks_after = _machine_ticks()
    return CpuUse(
        wall=wall,
        own=time.process_time() - own,
        postgres=_postgres_cpu() - postgres,
        busy=(busy_after - busy) / max(1, ticks_after - ticks),
    )


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def fmt_runs(values: Sequence[float], unit: str = "", digits: int = 0) -> str:
    runs = ", ".join(f"{v:,.{digits}f}" for v in values)
    return f"median {median(values):,.{digits}f}{unit} (runs: {runs})"


# ---------------------------------------------------------------- database and Django


@contextlib.contextmanager
def database(kind: str, port: int = PG_PORT) -> Iterator[str]:
    """A URL for an empty database on a throwaway cluster or in a temporary SQLite file; removed after."""
    work = Path(tempfile.mkdtemp(prefix="medreg-bench-"))
    work.chmod(0o755)  # as root, the cluster runs as `postgres`, which must reach its directory
    try:
        if kind == "sqlite":
            yield f"sqlite:///{work}/bench.sqlite3"
            return
        script = str(REPO / "scripts" / "pg-cluster.sh")
        started = subprocess.run(
            [script, "start", str(work / "pg"), str(port)], capture_output=True, text=True, check=False
        )
        if started.returncode != 0:
            raise RuntimeError(f"pg-cluster.sh start failed (is port {port} free? use --port):\n{started.stderr}")
        try:
            maintenance = started.stdout.strip().splitlines()[-1]
            import psycopg

            with psycopg.connect(maintenance, autocommit=True) as conn:
                conn.execute("CREATE DATABASE medreg_bench")
                # e.g. MEDREG_BENCH_PG_SETTINGS="max_wal_size='8GB';wal_compression='on'" (throwaway cluster only)
                settings = [s for s in os.environ.get("MEDREG_BENCH_PG_SETTINGS", "").split(";") if s.strip()]
                for setting in settings:
                    conn.execute(f"ALTER SYSTEM SET {setting}")
                if settings:
                    conn.execute("SELECT pg_reload_conf()")
            yield maintenance.rsplit("/", 1)[0] + "/medreg_bench"
        finally:
            subprocess.run([script, "stop", str(work / "pg")], capture_output=True, check=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def setup_django(url: str) -> None:
    """Demo settings on `url`, set before django.setup(); then migrate."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "medreg.settings.demo"
    os.environ["MEDREG_DATABASE_URL"] = url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def machine() -> dict[str, str]:
    """nproc, memory, CPU, Python, database server version."""
    from django.db import connection

    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SHOW server_version")
            server = "PostgreSQL " + cursor.fetchone()[0]
        else:
            server = "SQLite " + sqlite3.sqlite_version
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "python": platform.python_version(),
        "database": server,
    }


def print_machine() -> dict[str, str]:
    facts = machine()
    say("machine: " + ", ".join(f"{k}={v}" for k, v in facts.items()))
    return facts


def table_rows(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return int(cursor.fetchone()[0])


# ---------------------------------------------------------------- bulk loading


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def bulk_load(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], chunk: int = 50_000) -> int:
    """COPY (PostgreSQL) or executemany (SQLite) `rows` into `table`; values must not hold tabs,
    newlines or backslashes; on PostgreSQL a row may be a ready COPY text line. Returns the row count.
    Runs in the caller's transaction, if any."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        if is_postgres():
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                buffer: list[str] = []
                for row in rows:
                    buffer.append(row if isinstance(row, str) else "\t".join(map(_copy_text, row)))
                    if len(buffer) >= chunk:
                        copy.write("\n".join(buffer) + "\n")
                        count, buffer = count + len(buffer), []
                if buffer:
                    copy.write("\n".join(buffer) + "\n")
                    count += len(buffer)
            return count
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append([_sqlite_value(v) for v in row])
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
        return count


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@contextlib.contextmanager
def indexes_dropped(tables: Sequence[str]) -> Iterator[None]:
    """Drop the secondary indexes, unique and foreign-key constraints of `tables` (primary keys stay),
    then rebuild them: a bulk load followed by CREATE INDEX is several times faster than a load into
    indexed tables (MACHINE_LIMITS.md)."""
    from django.db import connection

    with connection.cursor() as cursor:
        recreate = _drop_postgres(cursor, tables) if is_postgres() else _drop_sqlite(cursor, tables)
    yield
    with connection.cursor() as cursor, stopwatch(f"rebuild {len(recreate)} indexes and constraints"):
        if is_postgres():
            cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in recreate:
            cursor.execute(statement)
        cursor.execute("ANALYZE" if not is_postgres() else f"ANALYZE {', '.join(tables)}")


def _drop_postgres(cursor: Any, tables: Sequence[str]) -> list[str]:
    names = list(tables)
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u') ORDER BY contype",
        [names],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [names],
    )
    plain = cursor.fetchall()
    for table, name, _, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in plain:
        cursor.execute(f"DROP INDEX {name}")
    recreate = [definition for _, definition in plain]
    recreate += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, kind in constraints if kind == "u"]
    recreate += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, kind in constraints if kind == "f"]
    return recreate


def _drop_sqlite(cursor: Any, tables: Sequence[str]) -> list[str]:
    placeholders = ", ".join(["%s"] * len(tables))
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({placeholders})",
        list(tables),
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def reset_sequences(*tables: str) -> None:
    """After loading explicit ids on PostgreSQL, move each table's id sequence past them."""
    from django.db import connection

    if not is_postgres():
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


# ---------------------------------------------------------------- a supply chain


@dataclass
class Party:
    code: str  # unified social credit code
    location: str  # 5-digit location reference of its site: sgln(location) / pgln(location)
    gln: str
    path: str  # jurisdiction path


@dataclass
class Supply:
    """A manufacturer, distributors and pharmacies with registered sites and licences, one drug."""

    manufacturer: Party
    distributors: list[Party]
    pharmacies: list[Party]
    gtin: str
    tokens: dict[str, str] = field(default_factory=dict)


def build_supply(distributors: int = 1, pharmacies: int = 1) -> Supply:
    """Registry rows for the chain, written directly (the given of a benchmark, not its subject)."""
    from medreg.core.actor import Actor
    from medreg.core.models import Role
    from medreg.core.tokens import issue_token
    from medreg.registry.models import PackageLevel
    from tests import factories
    from tests.trace.epcis_builders import gtin

    location_numbers = iter(range(1, 100_000))
    manufacturer = _party(
        factories,
        "杭州基准制药有限公司",
        "330106",
        ("marketing_authorization_holder", "drug_manufacturer"),
        "",
        next(location_numbers),
    )
    wholesalers = [
        _party(
            factories,
            f"宁波基准医药{i}有限公司",
            "330203",
            ("drug_wholesaler",),
            "drug_wholesale",
            next(location_numbers),
        )
        for i in range(distributors)
    ]
    retailers = [
        _party(
            factories,
            f"宁波基准大药房{i}有限公司",
            "330203",
            ("retail_pharmacy",),
            "drug_retail",
            next(location_numbers),
        )
        for i in range(pharmacies)
    ]
    drug = factories.make_drug(_enterprise(manufacturer.code), DRUG_APPROVAL_NUMBER, "阿莫西林胶囊")
    PackageLevel.objects.filter(drug=drug, level=1).update(
        gtin=gtin(ITEM), drug_identification_code=DRUG_IDENTIFICATION_CODE
    )
    regulator = factories.make_user("bench_national", Role.NATIONAL_REGULATOR, "000000")
    supply = Supply(manufacturer, wholesalers, retailers, gtin(ITEM))
    supply.tokens["national"] = issue_token(actor=Actor.system(), user=regulator, name="bench")[1]
    return supply


def _enterprise(code: str) -> Any:
    from medreg.registry.models import Enterprise

    return Enterprise.objects.get(uscc=code)


def _party(factories: Any, name: str, division: str, types: tuple[str, ...], licence: str, number: int) -> Party:
    from medreg.registry.models import Licence, Site
    from medreg.trace.locations import gln_of
    from tests.trace.epcis_builders import sgln

    enterprise = factories.make_enterprise(name, division, types)
    location = f"{number:05d}"
    gln = gln_of(sgln(location))
    Site.objects.create(
        enterprise=enterprise, kind="warehouse", address="地址", jurisdiction=enterprise.jurisdiction, gln=gln
    )
    if licence:
        Licence.objects.create(
            enterprise=enterprise,
            kind=licence,
            number=f"浙{number:08d}",
            scope="化学药制剂",
            issued_by=enterprise.jurisdiction,
            issued_on=dt.date(2022, 1, 1),
            valid_until=dt.date(2030, 1, 1),
        )
    return Party(enterprise.uscc, location, gln or "", enterprise.jurisdiction.path)


# ---------------------------------------------------------------- preloading packs and events


def serial(number: int) -> str:
    """Zero-padded serials: keys sort in load order, and wrk's Lua can format them."""
    return f"{number:010d}"


def pack_key(gtin: str, number: int) -> str:
    return f"gs1:01/{gtin}/21/{serial(number)}"


def sgtin_code(number: int) -> str:
    return f"urn:epc:id:sgtin:6901234.0{ITEM}.{serial(number)}"


PACK_COLUMNS = (
    "key", "gtin", "serial", "lot", "expiry", "approval_number", "package_level", "status",
    "holder_enterprise_code", "commissioned_by_enterprise_code", "location", "jurisdiction_path",
    "destination_enterprise_code", "shipment", "special_control", "parent_key", "commissioned_at",
    "updated_at", "last_event_identity",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "identity", "type", "action", "biz_step", "disposition", "event_time", "record_time", "read_point",
    "biz_location", "sender_enterprise_code", "owner_enterprise_code", "jurisdiction_path", "job_id", "payload",
)  # fmt: skip
EPCS_PER_EVENT = 10


def preload_job(supply: Supply) -> str:
    """The capture job the preloaded events belong to (the foreign key is required)."""
    from medreg.trace.models import CaptureJob, CaptureStatus

    job = CaptureJob.objects.create(
        sender_enterprise_code=supply.manufacturer.code,
        jurisdiction_path=supply.manufacturer.path,
        format="json",
        document=b"{}",
        size_bytes=2,
        status=CaptureStatus.SUCCEEDED,
    )
    return job.pk.hex  # SQLite stores UUIDs as 32 hex digits; PostgreSQL accepts both spellings


def default_holding(supply: Supply, number: int) -> tuple[str, Party, str]:
    """(status, holder, location gln) of preloaded pack `number`: spread along the chain."""
    kind = number % 10
    if kind < 3:
        return "in_stock", supply.manufacturer, supply.manufacturer.gln
    if kind < 5:
        holder = supply.distributors[number % len(supply.distributors)]
        return "received", holder, holder.gln
    holder = supply.pharmacies[number % len(supply.pharmacies)]
    return ("dispensed" if kind == 9 else "received"), holder, holder.gln


def preload(
    supply: Supply,
    first: int,
    count: int,
    *,
    events: bool = True,
    lot_of: Callable[[int], str] = lambda n: f"L{n // 100_000:05d}",
    holding: Callable[[Supply, int], tuple[str, Party, str]] = default_holding,
) -> None:
    """Pack rows numbered first .. first+count-1 and, with `events`, one commissioning Event per
    10 packs and one EventEpc row per pack, loaded with COPY / executemany into unindexed tables."""
    from django.db import transaction

    job_id = preload_job(supply) if events else ""
    tables = ["trace_pack", "trace_event", "trace_eventepc"] if events else ["trace_pack"]
    first_event = _next_id("trace_event")
    label = f"load {count:,} packs" + (" + events + EPC rows" if events else "")
    with indexes_dropped(tables), transaction.atomic(), stopwatch(label):
        bulk_load("trace_pack", PACK_COLUMNS, _pack_rows(supply, first, count, lot_of, holding))
        if events:
            bulk_load("trace_event", EVENT_COLUMNS, _event_rows(supply, first, count, first_event, job_id))
            bulk_load("trace_eventepc", ("event_id", "key", "role"), _epc_rows(supply, first, count, first_event))
    reset_sequences("trace_event", "trace_eventepc")


def _next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])


def _pack_rows(
    supply: Supply, first: int, count: int, lot_of: Callable[[int], str], holding: Callable[..., Any]
) -> Iterator[Any]:
    """Pack rows; on PostgreSQL ready COPY lines (formatting per value dominates a 10M-row load)."""
    maker, gtin, approval, when = supply.manufacturer.code, supply.gtin, DRUG_APPROVAL_NUMBER, BASE_TIME.isoformat()
    text = is_postgres()
    for number in range(first, first + count):
        status, holder, location = holding(supply, number)
        number_text = f"{number:010d}"
        event = f"urn:uuid:preload-{(number - first) // EPCS_PER_EVENT + first}"
        if text:
            yield (
                f"gs1:01/{gtin}/21/{number_text}\t{gtin}\t{number_text}\t{lot_of(number)}\t2028-12-31\t{approval}\t1\t"
                f"{status}\t{holder.code}\t{maker}\t{location}\t{holder.path}\t\t\t\t\\N\t{when}\t{when}\t{event}"
            )
        else:
            yield (
                f"gs1:01/{gtin}/21/{number_text}", gtin, number_text, lot_of(number), "2028-12-31", approval, 1,
                status, holder.code, maker, location, holder.path, "", "", "", None, when, when, event,
            )  # fmt: skip


def _event_rows(supply: Supply, first: int, count: int, first_event: int, job_id: str) -> Iterator[tuple[Any, ...]]:
    maker = supply.manufacturer
    when = BASE_TIME.isoformat()
    for offset in range(0, count, EPCS_PER_EVENT):
        yield (
            first_event + offset // EPCS_PER_EVENT, f"urn:uuid:preload-{offset // EPCS_PER_EVENT + first}",
            "ObjectEvent", "ADD", "commissioning", "active", when, when, maker.gln, maker.gln, maker.code,
            maker.code, maker.path, job_id, "{}",
        )  # fmt: skip


def _epc_rows(supply: Supply, first: int, count: int, first_event: int) -> Iterator[tuple[Any, ...]]:
    for offset in range(count):
        yield (first_event + offset // EPCS_PER_EVENT, pack_key(supply.gtin, first + offset), 0)


# ---------------------------------------------------------------- servers and wrk


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int, health_path: str, pythonpath: str = "") -> Iterator[str]:
    """gunicorn sync workers serving `app`; yields the base URL."""
    import urllib.request

    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers",
               str(workers), "--backlog", "2048", "--log-level", "warning",
               *os.environ.get("MEDREG_BENCH_GUNICORN_ARGS", "--worker-class sync").split()]  # fmt: skip
    if pythonpath:
        command += ["--pythonpath", pythonpath]
    log = tempfile.NamedTemporaryFile(prefix="medreg-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{Path(log.name).read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(base + health_path, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        os.unlink(log.name)


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk(url: str, lua: str, seconds: int, connections: int = 32, threads: int = 2) -> WrkResult:
    """Run wrk with a Lua script text; parse requests/s, p50, p99 and non-2xx/socket errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    return WrkResult(
        _wrk_number(out, "Requests/sec:"), _wrk_latency(out, "50%"), _wrk_latency(out, "99%"), _wrk_errors(out)
    )


def _wrk_number(out: str, label: str) -> float:
    line = next(line for line in out.splitlines() if line.strip().startswith(label))
    return float(line.split()[-1])


def _wrk_latency(out: str, label: str) -> float:
    line = next(line for line in out.splitlines() if line.strip().startswith(label))
    value = line.split()[-1]
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def _wrk_errors(out: str) -> int:
    errors = 0
    for raw in out.splitlines():
        line = raw.strip()
        if line.startswith("Non-2xx"):
            errors += int(line.split()[-1])
        if line.startswith("Socket errors:"):
            errors += sum(int(part.split()[-1]) for part in line.split(":", 1)[1].split(","))
    return errors


def random_path_lua(prefix: str, low: int, high: int) -> str:
    """A wrk script requesting prefix + a random zero-padded serial in [low, high]."""
    return (
        f"math.randomseed({int(time.time())})\n"
        "request = function()\n"
        f'  return wrk.format("GET", "{prefix}" .. string.format("%010d", math.random({low}, {high})))\n'
        "end\n"
    )
