"""Schema and CBV vocabulary layers for one EPCIS 2.0 event (a JSON-LD dict).

Mirrors the GS1 EPCIS 2.0 JSON Schema (required fields per event type, value types and
formats, which keys an event may carry) by hand-written checks, which are two orders of
magnitude faster than a generic JSON Schema validator; the CBV layer checks vocabulary
values and EPC identifiers.  XML events are converted to the same dict shape first, so
one set of rules serves both renderings.  Departures from the GS1 JSON Schema are listed
in ``docs/decisions/0102-epcis-upstream-example-defects.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from medreg.trace.epcis.model import EventError
from medreg.trace.epcis.validation_fields import FIELD_CHECKERS, Collector, check_extension_key

__all__ = ["COMMON_FIELDS", "EVENT_FIELDS", "Collector", "check_event"]

COMMON_FIELDS = frozenset(
    ["@context", "id", "@id", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "certificationInfo",
     "errorDeclaration"]
)  # fmt: skip
_LINKS = ["readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList"]
EVENT_FIELDS: dict[str, frozenset[str]] = {
    "ObjectEvent": frozenset(["action", "epcList", "quantityList", "bizStep", "disposition",
                              "persistentDisposition", "ilmd", *_LINKS]),
    "AggregationEvent": frozenset(["parentID", "childEPCs", "childQuantityList", "action", "bizStep",
                                   "disposition", "persistentDisposition", *_LINKS]),
    "TransactionEvent": frozenset(["parentID", "epcList", "quantityList", "action", "bizStep", "disposition",
                                   "persistentDisposition", *_LINKS]),
    "TransformationEvent": frozenset(["inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList",
                                      "transformationID", "bizStep", "disposition", "persistentDisposition",
                                      "ilmd", *_LINKS]),
    "AssociationEvent": frozenset(["parentID", "childEPCs", "childQuantityList", "action", "bizStep",
                                   "disposition", "persistentDisposition", *_LINKS]),
}  # fmt: skip
_FIX_TYPE = "Set type to ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent."


def _present(event: Mapping[str, Any], key: str) -> bool:
    """A list field is present and not empty."""
    value = event.get(key)
    return isinstance(value, list) and len(value) > 0


def _require(event: Mapping[str, Any], out: Collector, *keys: str) -> None:
    """Report each missing required field."""
    for key in keys:
        if key not in event:
            out.add(key, "schema.required", f"{key} is required.", f"Add {key} to the event.")


#: Per event type: (field named in the error, what is missing, how to fix it).
_WHAT_MESSAGES = {
    "ObjectEvent": ("epcList", "An ObjectEvent needs epcList or quantityList.",
                    "Add epcList (EPCs) or quantityList (EPC classes with quantities)."),
    "AggregationEvent": ("childEPCs", "An AggregationEvent needs childEPCs or childQuantityList.",
                         "List the contained objects in childEPCs or childQuantityList."),
    "AssociationEvent": ("childEPCs", "An AssociationEvent needs childEPCs or childQuantityList.",
                         "List the associated objects in childEPCs or childQuantityList."),
    "TransactionEvent": ("epcList", "A TransactionEvent needs epcList or quantityList.",
                         "Add epcList or quantityList."),
}  # fmt: skip


def _has_what(event: Mapping[str, Any], kind: str) -> bool:
    """The event names the objects it is about (a DELETE may omit them, except on ObjectEvent)."""
    if kind == "ObjectEvent":
        sensors = _present(event, "sensorElementList") and "readPoint" in event
        return "epcList" in event or _present(event, "quantityList") or sensors
    if event.get("action") == "DELETE":
        return True
    if kind == "TransactionEvent":
        return "epcList" in event or _present(event, "quantityList")
    return _present(event, "childEPCs") or _present(event, "childQuantityList")


def _what_rules(event: Mapping[str, Any], kind: str, out: Collector) -> None:
    """Which identifiers an event must carry (the 'what' dimension)."""
    if not _has_what(event, kind):
        out.add(_WHAT_MESSAGES[kind][0], "schema.identifiers_missing", *_WHAT_MESSAGES[kind][1:])


def _transformation_rules(event: Mapping[str, Any], out: Collector) -> None:
    """Inputs and outputs, or at least one side and a transformationID."""
    inputs = _present(event, "inputEPCList") or _present(event, "inputQuantityList")
    outputs = _present(event, "outputEPCList") or _present(event, "outputQuantityList")
    if inputs and outputs:
        return
    if (inputs or outputs) and "transformationID" in event:
        return
    out.add("inputEPCList", "schema.identifiers_missing",
            "A TransformationEvent needs inputs and outputs (or one of them plus transformationID).",
            "Add inputEPCList/inputQuantityList and outputEPCList/outputQuantityList.")  # fmt: skip


def _type_rules(event: Mapping[str, Any], kind: str, out: Collector) -> None:
    """Required fields and combinations per event type.

    ilmd is accepted on an ObjectEvent whatever its action, as the XSD has it (the GS1 JSON
    Schema allows it only with ADD): lot data is read only from commissioning ADD events, so
    ilmd elsewhere is kept in the stored event and changes nothing (decision 0102).
    """
    _require(event, out, "eventTime", "eventTimeZoneOffset")
    if kind == "TransformationEvent":
        _transformation_rules(event, out)
        return
    _require(event, out, "action")
    if kind == "AssociationEvent" or (kind == "AggregationEvent" and event.get("action") in ("ADD", "DELETE")):
        _require(event, out, "parentID")
    if kind == "TransactionEvent" and not _present(event, "bizTransactionList"):
        out.add("bizTransactionList", "schema.required", "A TransactionEvent needs a non-empty bizTransactionList.",
                "Add the business transaction(s) the objects take part in.")  # fmt: skip
    _what_rules(event, kind, out)


def _no_check(value: Any, path: str, out: Collector) -> None:
    """Fields checked elsewhere (type) or free-form (@context, id)."""


#: Per event type: allowed key -> checker (one dict lookup per key on the fast path).
_TYPE_CHECKERS: dict[str, dict[str, Callable[[Any, str, Collector], None]]] = {
    kind: {key: FIELD_CHECKERS.get(key, _no_check) for key in fields | COMMON_FIELDS}
    for kind, fields in EVENT_FIELDS.items()
}


def _check_fields(event: Mapping[str, Any], kind: str, out: Collector) -> None:
    """Check every key: standard fields by type, others must be namespaced extensions."""
    checkers = _TYPE_CHECKERS[kind]
    for key, value in event.items():
        checker = checkers.get(key)
        if checker is not None:
            checker(value, key, out)
        else:
            check_extension_key(key, key, out)


def check_event(event: Any, index: int, prefixes: Mapping[str, str]) -> list[EventError]:
    """All schema and vocabulary errors of one event (empty list when it is valid)."""
    out = Collector(index, prefixes)
    if not isinstance(event, dict):
        out.add("", "schema.type", "An event must be a JSON object.", "Give each event as an object.")
        return out.errors
    kind = event.get("type")
    if not isinstance(kind, str) or kind not in EVENT_FIELDS:
        out.add("type", "schema.event_type", f"Unknown event type {str(kind)[:40]!r}.", _FIX_TYPE)
        return out.errors
    _type_rules(event, kind, out)
    _check_fields(event, kind, out)
    return out.errors
