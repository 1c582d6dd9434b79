"""Signal management endpoints: the signal queue, one signal with its history, workflow steps, runs."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.vigilance import signal_selectors
from medreg.vigilance.models.signal import Signal, SignalRun
from medreg.vigilance.services.signals import request_signal_run, transition_signal

router = Router(tags=["vigilance signals"])


class SignalFilter(Schema):
    family: str = Field(default="", max_length=10, description="drug, device or cosmetic")
    status: str = Field(default="", max_length=10, description="detected, validated, refuted, assessed, closed")
    jurisdiction: str = Field(default="", max_length=6, description="division code of the signal's jurisdiction")
    product: str = Field(default="", max_length=500, description="product key (normalized name)")
    offset: int = Field(default=0, ge=0, le=10_000_000)
    limit: int = Field(default=50, ge=1, le=500)


class SignalOut(Schema):
    id: int
    product_key: str
    reaction_key: str
    reaction_label: str
    product_family: str
    jurisdiction_code: str
    approval_number: str
    status: str
    detected_by_id: int
    detected_at: dt.datetime
    updated_at: dt.datetime
    validation_note: str
    causality_assessment: str
    proposed_action: str
    action_rationale: str
    closing_note: str
    version: int


class StatisticOut(Schema):
    run_id: int
    run_date: dt.date
    n: int
    expected: float
    prr: float | None
    ror: float | None
    ror_lower: float | None
    ror_upper: float | None
    ic: float | None
    ic025: float | None
    ebgm: float | None
    eb05: float | None
    eb95: float | None


class SignalDetailOut(SignalOut):
    statistics: list[StatisticOut]
    case_ids: list[int]


class TransitionIn(Schema):
    action: str = Field(max_length=10, description="validate, refute, assess or close")
    note: str = Field(default="", max_length=5000)
    causality_assessment: str = Field(default="", max_length=20000)
    proposed_action: str = Field(default="", max_length=16, description="label_change, dhpc_letter, restrict, …")
    rationale: str = Field(default="", max_length=20000, description="assess: why the proposed action")
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The signal's version you read; 409 stale_version if it changed"
    )


class RunIn(Schema):
    product_family: str = Field(default="drug", max_length=10)
    run_date: dt.date | None = Field(default=None, description="Date whose thresholds apply; default today.")
    province: str = Field(default="", max_length=6, description="National callers: scope the run to a province.")
    data_cutoff: dt.date | None = Field(
        default=None, description="Screen the cases first received on or before this date; default all."
    )


class RunOut(Schema):
    id: int
    status: str
    stage: str
    product_family: str
    jurisdiction_code: str
    run_date: dt.date
    data_cutoff: dt.date | None
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    report_count: int
    row_count: int
    pair_count: int
    flagged_count: int
    new_signal_count: int
    hyperparameters: dict[str, Any]
    thresholds: list[dict[str, Any]]
    error: str


@router.get("", response=list[SignalOut])
def list_signals(request: HttpRequest, filters: Query[SignalFilter]) -> list[Signal]:
    queryset = signal_selectors.signal_queue(request_scope(request), family=filters.family, status=filters.status)
    if filters.jurisdiction:
        queryset = queryset.filter(jurisdiction_code=filters.jurisdiction)
    if filters.product:
        queryset = queryset.filter(product_key=filters.product)
    return list(queryset[filters.offset : filters.offset + filters.limit])


@router.post("/runs", response={202: RunOut})
def start_run(request: HttpRequest, payload: RunIn) -> Status:
    """Queue a signal run over the caller's jurisdiction; poll GET runs/{id} for its progress."""
    run = request_signal_run(
        actor=_actor(request),
        scope=request_scope(request),
        product_family=payload.product_family,
        run_date=payload.run_date,
        province=payload.province,
        data_cutoff=payload.data_cutoff,
    )
    return Status(202, run)


@router.get("/runs/{run_id}", response=RunOut)
def get_run(request: HttpRequest, run_id: int) -> SignalRun:
    return signal_selectors.signal_run(request_scope(request), run_id)


@router.get("/{signal_id}", response=SignalDetailOut)
def get_signal(request: HttpRequest, signal_id: int) -> dict[str, Any]:
    found = signal_selectors.signal(request_scope(request), signal_id)
    history = signal_selectors.signal_statistics_history(found)
    return {
        **SignalOut.from_orm(found).dict(),
        "statistics": list(history),
        "case_ids": signal_selectors.signal_case_ids(found),
    }


@router.post("/{signal_id}/transition", response=SignalOut)
def transition(request: HttpRequest, signal_id: int, payload: TransitionIn) -> Signal:
    fields = {
        "validate": ("note",),
        "refute": ("note",),
        "close": ("note",),
        "assess": ("causality_assessment", "proposed_action", "rationale"),
    }.get(payload.action, ())
    return transition_signal(
        actor=_actor(request),
        scope=request_scope(request),
        signal_id=signal_id,
        action=payload.action,
        version=payload.version,
        **{name: getattr(payload, name) for name in fields},
    )


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.api_user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]
