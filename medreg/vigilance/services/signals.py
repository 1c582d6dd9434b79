"""Signal management writes: request a run, store a run's results, move a signal through its workflow.

Each function runs in one transaction with its audit record. Runs and the workflow are for
national and provincial regulators only; a provincial regulator works on its own province's
signals and runs, a national one on national runs and every signal.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import Change, record_change, record_changes, snapshot
from medreg.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from medreg.core.models import Jurisdiction, Role
from medreg.core.scoping import Scope
from medreg.vigilance import signal_selectors
from medreg.vigilance.models import ProductFamily
from medreg.vigilance.models.signal import (
    OPEN_SIGNAL_STATUSES,
    ProposedAction,
    Signal,
    SignalRun,
    SignalRunStatus,
    SignalStatistic,
    SignalStatus,
)

NATIONAL_DIVISION = "000000"
SIGNAL_ROLES = frozenset({Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, "system"})
WORKFLOW_FIELDS = (
    "status",
    "validation_note",
    "causality_assessment",
    "proposed_action",
    "action_rationale",
    "closing_note",
    "version",
)


@dataclass(frozen=True)
class FlaggedPair:
    """A pair over threshold in a run, as the run hands it over for storage."""

    product_key: str
    reaction_key: str
    measures: Mapping[str, Any]
    case_ids: list[int]
    approval_number: str = ""
    reaction_label: str = ""


def _require_signal_role(scope: Scope) -> None:
    if scope.role not in SIGNAL_ROLES:
        raise PermissionDenied("Only national and provincial regulators run signal detection and manage signals.")


def request_signal_run(
    *,
    actor: Actor,
    scope: Scope,
    product_family: str = ProductFamily.DRUG,
    run_date: dt.date | None = None,
    province: str = "",
    enqueue: bool = True,
    data_cutoff: dt.date | None = None,
) -> SignalRun:
    """Queue a run over the caller's jurisdiction (national, or the province; national callers may
    name a province), over the cases first received on or before `data_cutoff` (default: all).
    The task is enqueued once the run is committed."""
    _require_signal_role(scope)
    if product_family not in ProductFamily.values:
        raise DomainError.single(
            "product_family",
            "invalid",
            f"Unknown product family {product_family!r}.",
            f"Use one of {', '.join(ProductFamily.values)}.",
        )
    if data_cutoff is not None and data_cutoff > timezone.localdate():
        raise DomainError.single(
            "data_cutoff",
            "in_future",
            f"The data cut-off {data_cutoff.isoformat()} is in the future.",
            "Give today or an earlier date, or none to screen every case received so far.",
        )
    jurisdiction = _run_jurisdiction(scope, province)
    with transaction.atomic():
        run = SignalRun.objects.create(
            product_family=product_family,
            jurisdiction_path=jurisdiction.path,
            jurisdiction_code=jurisdiction.code,
            run_date=run_date or timezone.localdate(),
            data_cutoff=data_cutoff,
            requested_by=actor.user,
        )
        record_change(
            actor=actor,
            action="vigilance.signal_run.requested",
            object_type="vigilance.signal_run",
            object_id=run.pk,
            before=None,
            after=snapshot(run),
        )
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from medreg.vigilance.tasks import run_signal_detection  # noqa: PLC0415 - the task imports the run module

    run_signal_detection.enqueue(run_id)


def _run_jurisdiction(scope: Scope, province: str) -> Jurisdiction:
    if scope.role == Role.PROVINCIAL_REGULATOR:
        return Jurisdiction.objects.get(path=scope.jurisdiction_path)
    code = province or NATIONAL_DIVISION
    found = Jurisdiction.objects.filter(code=code).first()
    if found is None or (province and found.path.count("/") != 3):
        raise DomainError.single(
            "province",
            "invalid",
            f"{code!r} is not a province-level division code.",
            "Give a GB/T 2260 province code such as 330000, or none for a national run.",
        )
    return found


def record_run_results(
    run: SignalRun,
    *,
    hyperparameters: dict[str, Any],
    thresholds: list[dict[str, Any]],
    flagged: list[FlaggedPair],
    seconds: Mapping[str, float],
    store_statistics: Callable[[], int] | None = None,
) -> SignalRun:
    """Store the statistics, open a signal for each new pair over threshold, link cases; one transaction.

    `store_statistics` writes every pair's measures (the run streams them from DuckDB); without it
    only the flagged pairs' statistics are stored.
    """
    with transaction.atomic():
        run = SignalRun.objects.select_for_update().get(pk=run.pk)  # the counts the stages recorded
        if store_statistics is None:
            SignalStatistic.objects.bulk_create([_statistic(run, pair) for pair in flagged], batch_size=2000)
        else:
            store_statistics()
        signals = _open_signals(run, flagged)
        new = [s for s in signals.values() if s.pk is None]
        Signal.objects.bulk_create(new, batch_size=2000)
        links = [
            Signal.cases.through(signal_id=signals[(p.product_key, p.reaction_key)].pk, case_id=case_id)
            for p in flagged
            for case_id in p.case_ids
        ]
        Signal.cases.through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
        before = snapshot(run)
        run.status, run.stage, run.finished_at = SignalRunStatus.SUCCEEDED, "done", timezone.now()
        run.hyperparameters, run.thresholds, run.seconds = hyperparameters, thresholds, dict(seconds)
        run.flagged_count, run.new_signal_count = len(flagged), len(new)
        run.save()
        actor = Actor.system(channel="task")
        changes = [Change("vigilance.signal.detected", "vigilance.signal", s.pk, None, snapshot(s)) for s in new]
        changes.append(Change("vigilance.signal_run.finished", "vigilance.signal_run", run.pk, before, snapshot(run)))
        record_changes(actor=actor, changes=changes)
    return run


def _statistic(run: SignalRun, pair: FlaggedPair) -> SignalStatistic:
    m = pair.measures
    return SignalStatistic(
        run=run,
        product_key=pair.product_key,
        reaction_key=pair.reaction_key,
        approval_number=pair.approval_number,
        flagged=True,
        n=m["N"],
        expected=m["E"],
        prr=m["PRR"],
        prr_chi2=m["PRR_chi2"],
        ror=m["ROR"],
        ror_lower=m["ROR_lower"],
        ror_upper=m["ROR_upper"],
        ic=m["IC"],
        ic025=m["IC025"],
        ebgm=m["EBGM"],
        eb05=m["EB05"],
        eb95=m["EB95"],
    )


def _open_signals(run: SignalRun, flagged: list[FlaggedPair]) -> dict[tuple[str, str], Signal]:
    """The open signal of each flagged pair: the existing one, else a new unsaved one."""
    existing = Signal.objects.filter(
        product_family=run.product_family,
        jurisdiction_path=run.jurisdiction_path,
        status__in=OPEN_SIGNAL_STATUSES,
        product_key__in={p.product_key for p in flagged},
    )
    found = {(s.product_key, s.reaction_key): s for s in existing}
    for pair in flagged:
        found.setdefault(
            (pair.product_key, pair.reaction_key),
            Signal(
                product_key=pair.product_key,
                reaction_key=pair.reaction_key,
                reaction_label=pair.reaction_label[:500],
                product_family=run.product_family,
                jurisdiction_path=run.jurisdiction_path,
                jurisdiction_code=run.jurisdiction_code,
                approval_number=pair.approval_number,
                detected_by=run,
            ),
        )
    keys = {(p.product_key, p.reaction_key) for p in flagged}
    return {key: s for key, s in found.items() if key in keys}


# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "validate": ((SignalStatus.DETECTED,), SignalStatus.VALIDATED),
    "refute": ((SignalStatus.DETECTED,), SignalStatus.REFUTED),
    "assess": ((SignalStatus.VALIDATED,), SignalStatus.ASSESSED),
    "close": ((SignalStatus.DETECTED, SignalStatus.ASSESSED), SignalStatus.CLOSED),
}


def allowed_actions(scope: Scope, found: Signal) -> list[str]:
    """The workflow steps the caller may take on a signal it can see, in workflow order (none for
    roles that do not manage signals): the rules the step functions below enforce."""
    if scope.role not in SIGNAL_ROLES:
        return []
    return [action for action, (sources, _target) in TRANSITIONS.items() if found.status in sources]


def validate_signal(
    *, actor: Actor, scope: Scope, signal_id: int, note: str = "", version: int | None = None
) -> Signal:
    """Detected -> validated: the signal is worth assessing (GVP IX validation)."""
    return _transition(actor, scope, signal_id, "validate", {"validation_note": note}, version=version)


def refute_signal(*, actor: Actor, scope: Scope, signal_id: int, note: str, version: int | None = None) -> Signal:
    """Detected -> refuted: not a signal (known, artefact, duplicates); the reason is required."""
    _require_text("note", note, "Say why the signal is refuted.")
    return _transition(actor, scope, signal_id, "refute", {"validation_note": note}, version=version)


def assess_signal(
    *,
    actor: Actor,
    scope: Scope,
    signal_id: int,
    causality_assessment: str,
    proposed_action: str,
    rationale: str = "",
    version: int | None = None,
) -> Signal:
    """Validated -> assessed: the causality assessment, the proposed regulatory action and why."""
    _require_text("causality_assessment", causality_assessment, "Write the causality assessment.")
    if proposed_action not in ProposedAction.values:
        raise DomainError.single(
            "proposed_action",
            "invalid",
            f"Unknown proposed action {proposed_action!r}.",
            f"Use one of {', '.join(ProposedAction.values)}.",
        )
    fields = {
        "causality_assessment": causality_assessment,
        "proposed_action": proposed_action,
        "action_rationale": rationale,
    }
    return _transition(actor, scope, signal_id, "assess", fields, version=version)


def close_signal(*, actor: Actor, scope: Scope, signal_id: int, note: str = "", version: int | None = None) -> Signal:
    """Assessed (or detected, when already handled elsewhere) -> closed; the note says the outcome."""
    return _transition(actor, scope, signal_id, "close", {"closing_note": note}, version=version)


def transition_signal(
    *, actor: Actor, scope: Scope, signal_id: int, action: str, version: int | None = None, **fields: str
) -> Signal:
    """Dispatch one workflow step by name (the API's transition endpoint and the console's forms).

    `version` is the signal's version the caller read; when given and no longer current, the step
    is refused with 409 `stale_version` and nothing is written."""
    steps = {"validate": validate_signal, "refute": refute_signal, "assess": assess_signal, "close": close_signal}
    if action not in steps:
        raise DomainError.single("action", "invalid", f"Unknown action {action!r}.", f"Use one of {', '.join(steps)}.")
    return steps[action](actor=actor, scope=scope, signal_id=signal_id, version=version, **fields)  # type: ignore[operator]


def _require_text(field: str, value: str, fix: str) -> None:
    if not value.strip():
        raise DomainError.single(field, "required", f"{field} is required for this step.", fix)


def _transition(
    actor: Actor, scope: Scope, signal_id: int, action: str, fields: dict[str, str], *, version: int | None
) -> Signal:
    _require_signal_role(scope)
    signal_selectors.signal(scope, signal_id)  # 404 outside the caller's scope
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        found = Signal.objects.select_for_update().filter(pk=signal_id).first()
        if found is None:
            raise NotFound("signal")
        if version is not None and found.version != version:
            raise Conflict(found.version)
        if found.status not in sources:
            raise DomainError.single(
                "status",
                "invalid_transition",
                f"A {found.status} signal cannot be {action}d.",
                f"Allowed from: {', '.join(sources)}.",
                status=409,
            )
        before = snapshot(found, exclude=("updated_at",))
        found.status, found.version = target, found.version + 1
        for name, value in fields.items():
            setattr(found, name, value)
        found.save(update_fields=[*WORKFLOW_FIELDS, "updated_at"])
        record_change(
            actor=actor,
            action=f"vigilance.signal.{action}",
            object_type="vigilance.signal",
            object_id=found.pk,
            before=before,
            after=snapshot(found, exclude=("updated_at",)),
        )
    return found
