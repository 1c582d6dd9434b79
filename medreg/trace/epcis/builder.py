"""Build the normalized :class:`EpcisEvent` from a validated JSON-LD event dict."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from medreg.trace.epcis.model import EpcisEvent, QuantityElement
from medreg.trace.epcis.vocabulary import Kind, classify

__all__ = ["build_event"]

_QUANTITY_ROLES = (("quantityList", "quantity"), ("childQuantityList", "child"),
                   ("inputQuantityList", "input"), ("outputQuantityList", "output"))  # fmt: skip
_MDA_PREFIXES = ("cbvmda:", "urn:epcglobal:cbv:mda:", "https://ref.gs1.org/cbv/mda/")
_EMPTY: Mapping[str, Any] = {}


def _utc(text: str) -> datetime:
    """A validated timestamp as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _vocabulary(value: Any, kind: Kind) -> str | None:
    """Bare CBV name or the URI as given (None when absent)."""
    return None if value is None else classify(value, kind)[0]


def _as_list(value: Any) -> list[Any]:
    """A JSON-LD set that may be written as a single value."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _quantities(event: Mapping[str, Any]) -> tuple[QuantityElement, ...]:
    """All quantity lists merged, each element tagged with its role."""
    result = []
    for key, role in _QUANTITY_ROLES:
        for item in event.get(key, ()):
            quantity = item.get("quantity")
            result.append(QuantityElement(item["epcClass"], None if quantity is None else float(quantity),
                                          item.get("uom"), role))  # fmt: skip
    return tuple(result)


def _typed(event: Mapping[str, Any], key: str, member: str) -> tuple[tuple[Any, str], ...]:
    """(type, value) pairs of a bizTransaction/source/destination list."""
    kind = Kind.BIZ_TRANSACTION_TYPE if key == "bizTransactionList" else Kind.SOURCE_DESTINATION_TYPE
    return tuple((_vocabulary(item.get("type"), kind), item[member]) for item in _as_list(event.get(key)))


def _ilmd(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """ILMD with the CBV master-data prefix removed from the keys."""
    ilmd = event.get("ilmd")
    if not ilmd:
        return _EMPTY
    result = {}
    for key, value in ilmd.items():
        for prefix in _MDA_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]  # noqa: PLW2901 - the key is renamed on purpose
                break
        result[key] = value
    return result


def _location(event: Mapping[str, Any], key: str) -> str | None:
    value = event.get(key)
    return value.get("id") if isinstance(value, dict) else None


def build_event(event: Mapping[str, Any], index: int, identity: str) -> EpcisEvent:
    """The normalized event (the dict must have passed :func:`validation.check_event`)."""
    record_time = event.get("recordTime")
    return EpcisEvent(
        index=index, type=event["type"], event_time=_utc(event["eventTime"]),
        event_time_zone_offset=event["eventTimeZoneOffset"],
        record_time=_utc(record_time) if record_time else None,
        event_id=event.get("eventID"), identity=identity, action=event.get("action"),
        biz_step=_vocabulary(event.get("bizStep"), Kind.BIZ_STEP),
        disposition=_vocabulary(event.get("disposition"), Kind.DISPOSITION),
        read_point=_location(event, "readPoint"), biz_location=_location(event, "bizLocation"),
        epc_list=tuple(event.get("epcList", ())), parent_id=event.get("parentID"),
        child_epcs=tuple(event.get("childEPCs", ())), input_epcs=tuple(event.get("inputEPCList", ())),
        output_epcs=tuple(event.get("outputEPCList", ())), quantities=_quantities(event),
        biz_transactions=_typed(event, "bizTransactionList", "bizTransaction"),
        sources=_typed(event, "sourceList", "source"),
        destinations=_typed(event, "destinationList", "destination"),
        ilmd=_ilmd(event), error_declaration=event.get("errorDeclaration"), raw=event,
    )  # fmt: skip
