"""Traceability models: capture jobs, events and their EPCs, pack state, recalls, alerts."""

from medreg.trace.models.alert import Alert, AlertRule, AlertStatus
from medreg.trace.models.capture import CaptureJob, CaptureStatus
from medreg.trace.models.event import EpcRole, Event, EventEpc
from medreg.trace.models.pack import Pack, PackStatus, Recall, SpecialControlShipmentPack

__all__ = [
    "Alert",
    "AlertRule",
    "AlertStatus",
    "CaptureJob",
    "CaptureStatus",
    "EpcRole",
    "Event",
    "EventEpc",
    "Pack",
    "PackStatus",
    "Recall",
    "SpecialControlShipmentPack",
]
