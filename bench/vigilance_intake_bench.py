"""E2B(R3) intake throughput: time `import_batch` (the path of POST /api/vigilance/e2b) on distinct
synthetic reports, against `parse_batch` alone on the same bytes (the limit, measured in the same run).

The reports are FDA's Scenario 1 with distinct C.1.8.1 case ids, patients, reporters and drugs
(tests/vigilance/factories.py), exported by the platform's E2B exporter into MCCI_IN200100UV01 files
of --batch reports each, and sent by a marketing authorisation holder's user. Each repeat imports a
fresh set of case ids, so every report is a new initial case version.

Run: .venv/bin/python bench/vigilance_intake_bench.py --db sqlite
     .venv/bin/python bench/vigilance_intake_bench.py --db postgres --port 57432
"""

from __future__ import annotations

import argparse
import time

from common import database, fmt_runs, median, print_machine, say, setup_django


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="sqlite")
    parser.add_argument("--reports", type=int, default=500, help="distinct reports per repeat")
    parser.add_argument("--batch", type=int, default=50, help="reports per MCCI_IN200100UV01 file")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=57432, help="port of the throwaway PostgreSQL cluster")
    return parser.parse_args()


def build_files(repeat: int, reports: int, batch: int) -> list[bytes]:
    """MCCI_IN200100UV01 files of `batch` distinct reports each; case ids unique across repeats."""
    from tests.vigilance.factories import e2b_xml, make_report

    made = [
        make_report(
            f"CN-BENCH-{repeat}-{n:06d}",
            patient_name=f"患者{repeat}-{n}",
            reporter_family=f"Reporter{n}",
            drug_name=f"Drug {n % 97}",
        )
        for n in range(reports)
    ]
    return [e2b_xml(*made[i : i + batch]) for i in range(0, reports, batch)]


def time_parse(files: list[bytes]) -> float:
    from medreg.vigilance.e2b import parse_batch

    started = time.perf_counter()
    for xml in files:
        result = parse_batch(xml)
        if not result.ok:
            raise RuntimeError(f"synthetic batch does not validate: {result.errors[:3]}")
    return time.perf_counter() - started


def time_import(files: list[bytes], user: object, expected: int) -> float:
    from medreg.core.actor import Actor
    from medreg.core.scoping import scope_for
    from medreg.vigilance.services import import_batch

    actor, scope = Actor(user=user, channel="api"), scope_for(user)
    stored = 0
    started = time.perf_counter()
    for xml in files:
        result = import_batch(actor=actor, scope=scope, xml_bytes=xml)
        if result.code != "AA":
            raise RuntimeError(f"batch acknowledged {result.code}: {result.refused[:3]}")
        stored += len(result.stored)
    elapsed = time.perf_counter() - started
    if stored != expected:
        raise RuntimeError(f"stored {stored} case versions, expected {expected}")
    return elapsed


def main() -> None:
    args = arguments()
    with database(args.db, args.port) as url:
        setup_django(url)
        from medreg.core.models import Role
        from medreg.vigilance.models import CaseVersion
        from tests import factories

        print_machine()
        holder = factories.make_enterprise("杭州基准药业有限公司", "330106", ("marketing_authorization_holder",))
        user = factories.make_user("bench_mah", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)

        started = time.perf_counter()
        repeats = [build_files(r, args.reports, args.batch) for r in range(args.repeats)]
        sizes = [len(xml) for xml in repeats[0]]
        say(
            f"data: {args.reports} distinct reports per repeat, {len(sizes)} files of {args.batch} reports "
            f"({median(sizes) / 1e6:.2f} MB each, {sum(sizes) / args.reports / 1e3:.1f} KB per report); "
            f"built in {time.perf_counter() - started:.1f} s"
        )

        parse_rates, import_rates, ratios = [], [], []
        for r, files in enumerate(repeats):
            parse_s = time_parse(files)
            import_s = time_import(files, user, args.reports)
            parse_rates.append(args.reports / parse_s)
            import_rates.append(args.reports / import_s)
            ratios.append(import_s / parse_s)
            say(
                f"  repeat {r + 1}: parse_batch {args.reports / parse_s:,.1f} reports/s ({parse_s:.2f} s), "
                f"import_batch {args.reports / import_s:,.1f} reports/s ({import_s:.2f} s), "
                f"{import_s / parse_s:.2f}x the parse time"
            )
        say(f"case versions stored: {CaseVersion.objects.count():,}")
        say(f"limit, parse_batch alone: {fmt_runs(parse_rates, ' reports/s', 1)}")
        say(f"platform, import_batch:   {fmt_runs(import_rates, ' reports/s', 1)}")
        say(f"ratio (import time / parse time): {fmt_runs(ratios, 'x', 2)}")


if __name__ == "__main__":
    main()
