"""A signal run: the case base exported in bulk into DuckDB, screened by `compute_signals`, stored.

The export streams `values_list` rows of the current versions (suspect and interacting drugs,
reactions) into temporary CSV files that DuckDB reads in one statement each; the product and
reaction keys, the pairs and every measure are then set-based SQL. Python only sees the pairs over
threshold; the measures of every pair are streamed from DuckDB into `SignalStatistic` (COPY on
PostgreSQL) without becoming objects. `execute_run` is what the task and the `signal_run` command call.
"""

import csv
import dataclasses
import logging
import math
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry import selectors as registry
from medreg.vigilance import meddra_selectors, signal_selectors
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, DrugRole
from medreg.vigilance.models.signal import SignalRun, SignalRunStatus, SignalStatistic
from medreg.vigilance.services.signals import FlaggedPair, record_run_results
from medreg.vigilance.signals import compute_signals

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]
SUSPECTED_ROLES = (DrugRole.SUSPECT, DrugRole.INTERACTING)
STATISTIC_COLUMNS = (
    "N",
    "E",
    "PRR",
    "PRR_chi2",
    "ROR",
    "ROR_lower",
    "ROR_upper",
    "IC",
    "IC025",
    "EBGM",
    "EB05",
    "EB95",
)
CHUNK = 20_000


def execute_run(run_id: int, *, progress: Progress | None = None) -> SignalRun:
    """Run a queued signal run to the end; a failure is recorded on the run, never half-stored."""
    report = progress or (lambda stage: None)
    claimed = SignalRun.objects.filter(pk=run_id, status=SignalRunStatus.QUEUED).update(
        status=SignalRunStatus.RUNNING, started_at=timezone.now(), stage="exporting"
    )
    run = SignalRun.objects.get(pk=run_id)
    if not claimed:  # already run or running: a task delivered twice does nothing
        return run
    try:
        _screen(run, report)
    except Exception as error:  # recorded on the run for the operator; the task itself succeeds
        logger.exception("signal run %s failed", run_id)
        SignalRun.objects.filter(pk=run_id).update(
            status=SignalRunStatus.FAILED, finished_at=timezone.now(), stage="failed", error=str(error)[:2000]
        )
    run.refresh_from_db()
    report(f"{run.status}: {run.pair_count} pairs, {run.flagged_count} over threshold, {run.new_signal_count} new")
    return run


def _screen(run: SignalRun, report: Progress) -> None:
    thresholds = signal_selectors.thresholds_in_force(run.run_date)
    if not thresholds:
        raise ValueError(f"No signal threshold is in force on {run.run_date}; add SignalThreshold rows.")
    con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    try:
        with tempfile.TemporaryDirectory(prefix="medreg-signals-") as folder:
            report("exporting cases")
            counts = export_case_rows(con, run, Path(folder))
        if not counts["row_count"]:  # nothing to screen: an empty, successful run
            record_run_results(run, hyperparameters={}, thresholds=thresholds, flagged=[], seconds={})
            return
        _stage(run, "computing", report, **counts)
        result = compute_signals(con, "signal_input")
        _stage(run, "storing", report, pair_count=result.n_pairs)
        flagged = flagged_pairs(con, result.table, thresholds)
        hyper = {k: _finite(v) for k, v in dataclasses.asdict(result.hyperparameters).items()}
        record_run_results(
            run,
            hyperparameters=hyper,
            thresholds=thresholds,
            flagged=flagged,
            seconds=result.seconds,
            store_statistics=lambda: store_statistics(con, result.table, run.pk, thresholds),
        )
    finally:
        con.close()


def _stage(run: SignalRun, stage: str, report: Progress, **counts: int) -> None:
    SignalRun.objects.filter(pk=run.pk).update(stage=stage, **counts)
    report(f"{stage} ({', '.join(f'{k}={v}' for k, v in counts.items())})")


def run_cases(run: SignalRun) -> QuerySet[Case]:
    """The run's case base: its product family, inside its jurisdiction, not nullified, and first
    received on or before the run's data cut-off when it has one."""
    found = Case.objects.filter(
        product_family=run.product_family,
        jurisdiction_path__startswith=run.jurisdiction_path,
        nullified=False,
    )
    if run.data_cutoff is not None:
        found = found.filter(first_received__lte=run.data_cutoff)
    return found


def export_case_rows(con: duckdb.DuckDBPyConnection, run: SignalRun, folder: Path) -> dict[str, int]:
    """Load drug, reaction and registry-name rows into DuckDB and build `signal_input` (id, var1, var2)."""
    cases = run_cases(run).values("pk")
    drugs = CaseDrug.objects.filter(case__in=cases, role__in=SUSPECTED_ROLES).values_list(
        "case_id", "matched_approval_number", "active_ingredient", "name_as_reported"
    )
    reactions = CaseReaction.objects.filter(case__in=cases).values_list("case_id", "meddra_code", "reported_term")
    approvals = set(drugs.exclude(matched_approval_number="").values_list("matched_approval_number", flat=True))
    names = [(n, d.generic_name) for n, d in registry.drug_facts(SYSTEM_SCOPE, approvals).items()]
    _load(con, "drug_rows", folder, ("case_id", "approval", "ingredient", "name"), drugs.iterator(CHUNK))
    _load(con, "reaction_rows", folder, ("case_id", "code", "term"), reactions.iterator(CHUNK))
    _load(con, "generic_names", folder, ("approval", "generic_name"), names)
    _load(con, "meddra_rollup", folder, ("llt", "pt", "pt_name"), meddra_selectors.llt_rollup_rows())
    con.execute(SIGNAL_INPUT_SQL)
    con.execute("CREATE TEMP VIEW signal_input AS SELECT id, var1, var2 FROM signal_detail")
    reports, rows = con.execute("SELECT count(DISTINCT id), count(*) FROM signal_detail").fetchone() or (0, 0)
    return {"report_count": reports, "row_count": rows}


def _load(con: duckdb.DuckDBPyConnection, table: str, folder: Path, columns: tuple[str, ...], rows: Iterable) -> None:  # type: ignore[type-arg]
    """Stream rows to a CSV file and read it into a DuckDB temporary table as text columns."""
    path = folder / f"{table}.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        writer.writerows(rows)
    types = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    con.execute(
        f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv(?, header = true, columns = {{{types}}}, "  # noqa: S608 - fixed names
        "quote = '\"', escape = '\"', allow_quoted_nulls = false)",
        [str(path)],
    )


# Product key: the registry generic name of the matched approval number, else the reported active
# ingredient, else the reported name; reaction key: the MedDRA code rolled up to its PT in the
# release in use (label: the PT name), else the code, else the reported term.
# Both upper-cased with white space collapsed, so spelling variants of one name meet.
SIGNAL_INPUT_SQL = """
CREATE TEMP TABLE signal_detail AS
WITH d AS (
    SELECT CAST(d.case_id AS BIGINT) AS id, coalesce(d.approval, '') AS approval,
           coalesce(nullif(trim(g.generic_name), ''), nullif(trim(d.ingredient), ''), trim(d.name)) AS product
    FROM drug_rows d LEFT JOIN generic_names g ON g.approval = d.approval
), r AS (
    SELECT CAST(case_id AS BIGINT) AS id, coalesce(m.pt, nullif(trim(code), ''), trim(term)) AS reaction,
           coalesce(nullif(m.pt_name, ''), nullif(trim(term), ''), code) AS term
    FROM reaction_rows LEFT JOIN meddra_rollup m ON m.llt = trim(reaction_rows.code)
)
SELECT DISTINCT d.id,
       upper(regexp_replace(coalesce(d.product, ''), '\\s+', ' ', 'g')) AS var1,
       upper(regexp_replace(coalesce(r.reaction, ''), '\\s+', ' ', 'g')) AS var2,
       d.approval, r.term
FROM d JOIN r USING (id)
WHERE coalesce(d.product, '') <> '' AND coalesce(r.reaction, '') <> ''
"""


STORED_COLUMNS = (
    "run_id",
    "product_key",
    "reaction_key",
    "approval_number",
    "flagged",
    "n",
    "expected",
    "prr",
    "prr_chi2",
    "ror",
    "ror_lower",
    "ror_upper",
    "ic",
    "ic025",
    "ebgm",
    "eb05",
    "eb95",
)


def _flag_condition(thresholds: list[dict[str, Any]]) -> str:
    """A pair meets every threshold (measure names come from SignalMeasure choices; values are bound)."""
    return " AND ".join(
        f'(CAST("{t["measure"]}" AS DOUBLE) >= ? AND NOT isnan(CAST("{t["measure"]}" AS DOUBLE)))' for t in thresholds
    )


def store_statistics(con: duckdb.DuckDBPyConnection, table: str, run_id: int, thresholds: list[dict[str, Any]]) -> int:
    """Every pair's measures as `SignalStatistic` rows, streamed in chunks; infinite and NaN as null."""
    measures = ", ".join(
        f'CASE WHEN isfinite(CAST(p."{c}" AS DOUBLE)) THEN CAST(p."{c}" AS DOUBLE) END' for c in STATISTIC_COLUMNS[1:]
    )
    query = f"""
        WITH approvals AS (
            SELECT var1, var2, coalesce(mode(nullif(approval, '')), '') AS approval
            FROM signal_detail GROUP BY var1, var2
        )
        SELECT {int(run_id)}, p.var1, p.var2, a.approval, coalesce({_flag_condition(thresholds)}, false), p."N",
               {measures}
        FROM {table} p JOIN approvals a USING (var1, var2) ORDER BY p.var1, p.var2
    """  # noqa: S608 - the table and measure names are fixed, the run id an integer, values bound
    cursor = con.execute(query, [t["minimum"] for t in thresholds])
    stored = 0
    while rows := cursor.fetchmany(CHUNK):
        _insert_statistics(rows)
        stored += len(rows)
    return stored


def _insert_statistics(rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite (inside the caller's transaction)."""
    table = SignalStatistic._meta.db_table
    columns = ", ".join(STORED_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(STORED_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - fixed names


def flagged_pairs(con: duckdb.DuckDBPyConnection, table: str, thresholds: list[dict[str, Any]]) -> list[FlaggedPair]:
    """The pairs meeting every threshold, with their measures, case ids, main approval number and label."""
    conditions = _flag_condition(thresholds)
    measures = ", ".join(f'p."{c}"' for c in STATISTIC_COLUMNS)
    query = f"""
        WITH flagged AS (SELECT * FROM {table} WHERE {conditions})
        SELECT p.var1, p.var2, {measures}, list(DISTINCT i.id ORDER BY i.id) AS case_ids,
               coalesce(mode(nullif(i.approval, '')), '') AS approval, min(i.term) AS label
        FROM flagged p JOIN signal_detail i ON i.var1 = p.var1 AND i.var2 = p.var2
        GROUP BY ALL ORDER BY p.var1, p.var2
    """  # noqa: S608 - measure names come from SignalMeasure choices, values are bound
    rows = con.execute(query, [t["minimum"] for t in thresholds]).fetchall()
    width = len(STATISTIC_COLUMNS)
    return [
        FlaggedPair(
            product_key=row[0],
            reaction_key=row[1],
            measures={c: _finite(v) for c, v in zip(STATISTIC_COLUMNS, row[2 : 2 + width], strict=True)},
            case_ids=list(row[2 + width]),
            approval_number=row[3 + width] or "",
            reaction_label=row[4 + width] or "",
        )
        for row in rows
    ]


def _finite(value: Any) -> Any:
    """Infinite and undefined measures are stored as null (JSON and both databases agree on null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
