"""Signal reads, scoped to the caller: the queue per product family and jurisdiction, runs, history.

Who sees signals: national regulators all of them; provincial, city and county regulators those
whose jurisdiction lies inside their own (a province sees its provincial signals, nobody below
the national level sees national ones); inspectors, enterprises and the public none, because a
signal before assessment is a regulator's working hypothesis, not a finding.
"""

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet

from medreg.core.errors import NotFound
from medreg.core.scoping import Scope
from medreg.vigilance.models.signal import Signal, SignalRun, SignalStatistic, SignalThreshold


def signals(scope: Scope) -> QuerySet[Signal]:
    if not (scope.is_regulator or scope.role == "system"):
        return Signal.objects.none()
    return scope.apply(Signal.objects.all())


def signal_queue(scope: Scope, *, family: str = "", status: str = "", jurisdiction_path: str = "") -> QuerySet[Signal]:
    """The signals waiting in one queue (product family, status, jurisdiction), oldest first."""
    queryset = signals(scope)
    if family:
        queryset = queryset.filter(product_family=family)
    if status:
        queryset = queryset.filter(status=status)
    if jurisdiction_path:
        queryset = queryset.filter(jurisdiction_path=jurisdiction_path)
    return queryset.order_by("detected_at", "pk")


def signal(scope: Scope, signal_id: int) -> Signal:
    found = signals(scope).filter(pk=signal_id).first()
    if found is None:
        raise NotFound("signal")
    return found


def signal_case_ids(found: Signal) -> list[int]:
    return list(found.cases.order_by("pk").values_list("pk", flat=True))


def signal_statistics_history(found: Signal) -> QuerySet[SignalStatistic]:
    """The pair's statistics in every successful run of the signal's family and jurisdiction."""
    return (
        SignalStatistic.objects.filter(
            product_key=found.product_key,
            reaction_key=found.reaction_key,
            run__product_family=found.product_family,
            run__jurisdiction_path=found.jurisdiction_path,
        )
        .annotate(run_date=F("run__run_date"))
        .order_by("run__requested_at", "run_id")
    )


def signal_runs(scope: Scope) -> QuerySet[SignalRun]:
    if not (scope.is_regulator or scope.role == "system"):
        return SignalRun.objects.none()
    return scope.apply(SignalRun.objects.all())


def signal_run(scope: Scope, run_id: int) -> SignalRun:
    found = signal_runs(scope).filter(pk=run_id).first()
    if found is None:
        raise NotFound("signal run")
    return found


def thresholds_in_force(on: dt.date) -> list[dict[str, Any]]:
    """For each measure, its latest threshold row dated on or before `on`; retired measures left out."""
    latest: dict[str, SignalThreshold] = {}
    for row in SignalThreshold.objects.filter(valid_from__lte=on).order_by("measure", "valid_from"):
        latest[row.measure] = row
    return [
        {
            "measure": row.measure,
            "minimum": row.minimum,
            "valid_from": row.valid_from.isoformat(),
            "reference": row.reference,
        }
        for row in latest.values()
        if row.minimum is not None
    ]
