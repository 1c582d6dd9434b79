"""Signal reads, scoped to the caller: the queue per product family and jurisdiction, runs, history.

Who sees signals: national regulators all of them; provincial, city and county regulators those
whose jurisdiction lies inside their own (a province sees its provincial signals, nobody below
the national level sees national ones); inspectors, enterprises and the public none, because a
signal before assessment is a regulator's working hypothesis, not a finding.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet

from medreg.core.errors import NotFound
from medreg.core.models import AuditRecord
from medreg.core.scoping import Scope
from medreg.vigilance.models.signal import (
    OPEN_SIGNAL_STATUSES,
    Signal,
    SignalRun,
    SignalStatistic,
    SignalThreshold,
)

STEP_FIELDS = ("validation_note", "causality_assessment", "proposed_action", "action_rationale", "closing_note")


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


def queue_page(scope: Scope, *, family: str = "", status: str = "", jurisdiction_code: str = "") -> QuerySet[Signal]:
    """The console's queue: open signals (or those of one status), grouped by product family and
    jurisdiction, oldest first in each group, with their case counts."""
    statuses = [status] if status else list(OPEN_SIGNAL_STATUSES)
    queryset = signals(scope).filter(status__in=statuses)
    if family:
        queryset = queryset.filter(product_family=family)
    if jurisdiction_code:
        queryset = queryset.filter(jurisdiction_code=jurisdiction_code)
    return queryset.annotate(case_count=Count("cases")).order_by(
        "product_family", "jurisdiction_code", "detected_at", "pk"
    )


def queue_counts(queryset: QuerySet[Signal]) -> list[dict[str, Any]]:
    """Signals per product family, jurisdiction and status of a queue (one query)."""
    return list(
        queryset.order_by()
        .values("product_family", "jurisdiction_code", "status")
        .annotate(count=Count("pk", distinct=True))
        .order_by("product_family", "jurisdiction_code", "status")
    )


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


@dataclass(frozen=True)
class SignalStep:
    """One step of a signal's history, read from its audit records: who, when, what."""

    position: int
    occurred_at: dt.datetime
    actor_username: str
    step: str  # detected, validate, refute, assess or close
    status_before: str
    status_after: str
    changes: list[tuple[str, str]]  # workflow field, the value the step wrote


def signal_history(found: Signal) -> list[SignalStep]:
    """The signal's steps, oldest first: its detection and each workflow step (audit records)."""
    records = AuditRecord.objects.filter(object_type="vigilance.signal", object_id=str(found.pk)).order_by("position")
    steps = []
    for record in records:
        before, after = record.before or {}, record.after or {}
        changes = [
            (name, str(after.get(name) or ""))
            for name in STEP_FIELDS
            if after.get(name) and after.get(name) != before.get(name)
        ]
        steps.append(
            SignalStep(
                position=record.position,
                occurred_at=record.occurred_at,
                actor_username=record.actor_username,
                step=record.action.removeprefix("vigilance.signal."),
                status_before=str(before.get("status") or ""),
                status_after=str(after.get("status") or ""),
                changes=changes,
            )
        )
    return steps


def threshold_history(on: dt.date) -> list[tuple[SignalThreshold, str]]:
    """Every threshold row, by measure and date, with its state on `on`: in_force, scheduled
    (a later date), superseded (a later row in force), or retired (the row in force has no minimum)."""
    rows = list(SignalThreshold.objects.order_by("measure", "valid_from"))
    current = {row.measure: row.pk for row in rows if row.valid_from <= on}  # the last one per measure wins
    states = []
    for row in rows:
        if row.valid_from > on:
            state = "scheduled"
        elif current[row.measure] != row.pk:
            state = "superseded"
        else:
            state = "in_force" if row.minimum is not None else "retired"
        states.append((row, state))
    return states
