"""Build the normalized :class:`EpcisEvent` from a validated JSON-LD event dict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from medreg.trace.epcis.model import EpcisEvent, QuantityElement
from medreg.trace.epcis.vocabulary import Kind, Vocabulary, classify

__all__ = ["build_event", "fast_event"]

_QUANTITY_ROLES = (("quantityList", "quantity"), ("childQuantityList", "child"),
                   ("inputQuantityList", "input"), ("outputQuantityList", "output"))  # fmt: skip
_MDA_PREFIXES = ("cbvmda:", "urn:epcglobal:cbv:mda:", "https://ref.gs1.org/cbv/mda/")
_EMPTY: Mapping[str, Any] = {}


def _utc(text: str) -> datetime:
    """A validated timestamp as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _vocabulary(value: Any, kind: Vocabulary) -> str | None:
    """Bare CBV name or the URI as given (None when absent)."""
    if value is None:
        return None
    return kind.lookup.get(value) or classify(value, kind)[0]


def _as_list(value: Any) -> list[Any]:
    """A JSON-LD set that may be written as a single value."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _quantities(event: Mapping[str, Any]) -> tuple[QuantityElement, ...]:
    """All quantity lists merged, each element tagged with its role."""
    result: list[QuantityElement] = []
    for key, role in _QUANTITY_ROLES:
        if key not in event:
            continue
        for item in event.get(key, ()):
            quantity = item.get("quantity")
            result.append(QuantityElement(item["epcClass"], None if quantity is None else float(quantity),
                                          item.get("uom"), role))  # fmt: skip
    return tuple(result)


def _typed(event: Mapping[str, Any], key: str, member: str) -> tuple[tuple[Any, str], ...]:
    """(type, value) pairs of a bizTransaction/source/destination list."""
    if key not in event:
        return ()
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
    """The id of readPoint / bizLocation."""
    value = event.get(key)
    return value.get("id") if isinstance(value, dict) else None


_SLOT_SETTERS = tuple(getattr(EpcisEvent, f.name).__set__ for f in fields(EpcisEvent))
_new = object.__new__


def fast_event(values: tuple[Any, ...]) -> EpcisEvent:
    """``EpcisEvent(*values)`` without the frozen ``__init__``'s 24 ``object.__setattr__`` calls.

    Sets the slots through their descriptors, which is about twice as fast on the capture
    hot path; the result is equal to the constructor's (a test checks it).
    """
    event = _new(EpcisEvent)
    for setter, value in zip(_SLOT_SETTERS, values, strict=True):
        setter(event, value)
    return event


def _with_context(event: Mapping[str, Any], context: Any) -> Mapping[str, Any]:
    """``raw`` for storage: the document @context is added when the event uses prefixed extension keys."""
    if context is None or "@context" in event:
        return event
    ilmd = event.get("ilmd")
    keys = [*event, *(ilmd if isinstance(ilmd, dict) else ())]
    return {"@context": context, **event} if any(":" in key for key in keys) else event


def build_event(event: Mapping[str, Any], index: int, identity: str, context: Any = None) -> EpcisEvent:
    """The normalized event (the dict must have passed :func:`validation.check_event`).

    ``context`` is the JSON document's @context, copied into ``raw`` when the event needs it
    to be read on its own (XML events already carry theirs).
    """
    get = event.get
    record_time = get("recordTime")
    return fast_event((
        index, event["type"], _utc(event["eventTime"]), event["eventTimeZoneOffset"],
        _utc(record_time) if record_time else None, get("eventID"), identity, get("action"),
        _vocabulary(get("bizStep"), Kind.BIZ_STEP), _vocabulary(get("disposition"), Kind.DISPOSITION),
        _location(event, "readPoint"), _location(event, "bizLocation"),
        tuple(get("epcList", ())), get("parentID"), tuple(get("childEPCs", ())),
        tuple(get("inputEPCList", ())), tuple(get("outputEPCList", ())), _quantities(event),
        _typed(event, "bizTransactionList", "bizTransaction"), _typed(event, "sourceList", "source"),
        _typed(event, "destinationList", "destination"), _ilmd(event), get("errorDeclaration"),
        _with_context(event, context),
    ))  # fmt: skip
