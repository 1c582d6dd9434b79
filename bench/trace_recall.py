"""Benchmark: recall scope of one batch of --batch packs (default 100,000) spread over a distribution
chain — 1 manufacturer -> 10 distributors -> 500 pharmacies, 30% dispensed — among --packs other
packs: medreg.trace.selectors.recall_scope in process, and GET /api/trace/batches/recall-scope as
the national regulator (JSON and CSV).

Limit measured in the same run: the one set-based query the answer needs (group the batch's packs by
holder and status) as raw SQL.

Run: .venv/bin/python bench/trace_recall.py [--db postgres|sqlite] [--packs N] [--batch 100000]
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request

import common
from common import say

LOT = "LRECALL1"


def recall_holding(supply: common.Supply, number: int) -> tuple[str, common.Party, str]:
    """Batch packs: 5% at the manufacturer, 20% at distributors (5% of all in transit to pharmacies),
    45% received by pharmacies, 30% dispensed by them."""
    share = number % 100
    distributor = supply.distributors[number // 7 % len(supply.distributors)]
    pharmacy = supply.pharmacies[number // 100 % len(supply.pharmacies)]
    if share < 5:
        return "in_stock", supply.manufacturer, supply.manufacturer.gln
    if share < 20:
        return "received", distributor, distributor.gln
    if share < 25:
        return "in_transit", distributor, distributor.gln
    if share < 70:
        return "received", pharmacy, pharmacy.gln
    return "dispensed", pharmacy, pharmacy.gln


def raw_limit() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT holder_enterprise_code, status, count(*) FROM trace_pack "
            "WHERE approval_number = %s AND lot = %s GROUP BY 1, 2",
            [common.DRUG_APPROVAL_NUMBER, LOT],
        )
        cursor.fetchall()


def in_process(batch: int, repeats: int) -> list[float]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from medreg.core.scoping import SYSTEM_SCOPE
    from medreg.trace.selectors import recall_scope

    with CaptureQueriesContext(connection) as queries:
        answer = recall_scope(SYSTEM_SCOPE, common.DRUG_APPROVAL_NUMBER, LOT)  # first (cold) call
    assert answer.total == batch, answer.total
    say(f"  answer: {answer.total:,} packs, {len(answer.holders)} holder rows, {len(answer.dispensed)} dispensed rows")
    say(f"  recall_scope() runs {len(queries)} queries (first call):")
    for query in queries.captured_queries:
        say(f"    {query['time']} s  {query['sql'][:170]}")
    runs = [common.timed(lambda: recall_scope(SYSTEM_SCOPE, common.DRUG_APPROVAL_NUMBER, LOT)) for _ in range(repeats)]
    reset_queries()
    return runs


def scoped(supply: common.Supply, batch: int, repeats: int) -> dict[str, list[float]]:
    """recall_scope() as a provincial regulator (the jurisdiction subtree of the manufacturer's
    province) and as the manufacturer (which commissioned every pack of the batch) see it."""
    from medreg.core.scoping import Scope, ScopeKind
    from medreg.trace.selectors import recall_scope

    province = "/".join(supply.manufacturer.path.split("/")[:3]) + "/"  # "/000000/330000/": the province
    scopes = {
        f"jurisdiction {province}": Scope(ScopeKind.JURISDICTION, jurisdiction_path=province),
        "enterprise (the manufacturer)": Scope(ScopeKind.ENTERPRISE, enterprise_code=supply.manufacturer.code),
    }
    results = {}
    for name, scope in scopes.items():
        answer = recall_scope(scope, common.DRUG_APPROVAL_NUMBER, LOT)
        say(f"  scope {name}: {answer.total:,} packs of {batch:,} in scope")
        results[name] = [common.timed(lambda s=scope: recall_scope(s, common.DRUG_APPROVAL_NUMBER, LOT))
                         for _ in range(repeats)]  # fmt: skip
    return results


def http(supply: common.Supply, repeats: int) -> dict[str, list[float]]:
    query = urllib.parse.urlencode({"approval_number": common.DRUG_APPROVAL_NUMBER, "lot": LOT})
    headers = {"Authorization": f"Bearer {supply.tokens['national']}"}
    results: dict[str, list[float]] = {}
    with common.gunicorn("medreg.wsgi", {**os.environ}, 2, "/api/core/me") as base:
        for fmt in ("json", "csv"):
            url = f"{base}/api/trace/batches/recall-scope?{query}&format={fmt}"

            def fetch(url: str = url) -> None:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as response:
                    assert response.status == 200
                    response.read()

            fetch()  # warm the worker
            results[fmt] = [common.timed(fetch) for _ in range(repeats)]
    return results


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0], 1_000_000, 200_000, batch=(int, 100_000, "packs in the recalled batch")
    )
    with common.database(args.db, args.port) as url:
        common.setup_django(url)
        common.print_machine()
        say(
            f"command: bench/trace_recall.py --db {args.db} --packs {args.packs} --batch {args.batch} "
            f"--repeats {args.repeats}"
        )
        with common.stopwatch("registry: 1 manufacturer, 10 distributors, 500 pharmacies"):
            supply = common.build_supply(distributors=10, pharmacies=500)
        other = args.packs

        def lot_of(number: int) -> str:
            return LOT if number > other else f"L{number // 100_000:05d}"

        def holding(supply: common.Supply, number: int) -> tuple[str, common.Party, str]:
            return recall_holding(supply, number) if number > other else common.default_holding(supply, number)

        common.preload(supply, 1, other + args.batch, events=False, lot_of=lot_of, holding=holding)
        say(f"-- {common.table_rows('trace_pack'):,} packs stored, {args.batch:,} in batch {LOT}")
        limit = [common.timed(raw_limit) for _ in range(args.repeats)]
        say(f"  limit, one raw GROUP BY over the batch: {common.fmt_runs(limit, ' s', 3)}")
        runs = in_process(args.batch, args.repeats)
        say(
            f"  recall_scope() in process: {common.fmt_runs(runs, ' s', 3)} "
            f"= {common.median(runs) / common.median(limit):.1f} x limit"
        )
        for name, times in scoped(supply, args.batch, args.repeats).items():
            say(f"  recall_scope() in process, scope {name}: {common.fmt_runs(times, ' s', 3)}")
        from django.db import connections

        connections.close_all()
        for fmt, times in http(supply, args.repeats).items():
            say(f"  GET /api/trace/batches/recall-scope ({fmt}): {common.fmt_runs(times, ' s', 3)}")


if __name__ == "__main__":
    main()
