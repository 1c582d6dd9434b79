"""Registry search at the demo scale: time `registry.selectors.search` for Chinese names, pinyin,
credit codes and approval numbers, against a bare primary-key lookup on the same database.

Reproduce: .venv/bin/python bench/registry_search_bench.py [--scale 1.0]   (embedded SQLite)
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def setup(scale: float) -> None:
    path = Path(tempfile.mkdtemp()) / "search.sqlite3"
    os.environ.update(DJANGO_SETTINGS_MODULE="medreg.settings.demo", MEDREG_DATABASE_URL=f"sqlite:///{path}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", "load", "--scale", str(scale), stdout=open(os.devnull, "w"))  # noqa: SIM115


def timings(action, runs: int = 30) -> list[float]:  # type: ignore[no-untyped-def]
    result = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        result.append((time.perf_counter() - start) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    setup(parser.parse_args().scale)
    from medreg.core.scoping import SYSTEM_SCOPE, Scope, ScopeKind
    from medreg.registry import selectors
    from medreg.registry.models import Drug, Enterprise

    ent = Enterprise.objects.order_by("pk")[100]
    drug = Drug.objects.order_by("pk")[100]
    provincial = Scope(ScopeKind.JURISDICTION, jurisdiction_path="/000000/330000/", role="provincial_regulator")
    queries = {
        "Chinese name": ent.name[2:6],
        "pinyin initials": "yy",
        "credit code": ent.uscc,
        "approval number": drug.approval_number,
        "generic name": drug.generic_name[:3],
    }
    print(f"enterprises {Enterprise.objects.count()}, drugs {Drug.objects.count()}")
    bare = timings(lambda: Enterprise.objects.filter(pk=ent.pk).first())
    print(f"limit: primary-key lookup median {statistics.median(bare):.2f} ms")
    for label, text in queries.items():
        for name, scope in (("national", SYSTEM_SCOPE), ("provincial", provincial)):
            ms = timings(lambda t=text, s=scope: {k: len(v) for k, v in selectors.search(s, t).items()})
            med, p95 = statistics.median(ms), statistics.quantiles(ms, n=20)[18]
            ratio = med / statistics.median(bare)
            print(f"{label:16} {name:10} median {med:6.1f} ms  p95 {p95:6.1f} ms  ratio {ratio:5.0f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
