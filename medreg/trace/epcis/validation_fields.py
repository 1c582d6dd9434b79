"""Checks of the individual standard fields of an EPCIS event (schema + CBV layers).

Every checker has the signature ``(value, path, out)`` and reports into a
:class:`Collector`; :func:`field_checkers` maps field names to checkers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from medreg.trace.epcis.model import EventError
from medreg.trace.epcis.values import (
    Problem,
    all_fast_epcs,
    check_epc,
    check_epc_class,
    check_offset,
    check_uri,
    parse_time,
)
from medreg.trace.epcis.vocabulary import Kind, Vocabulary, classify, expected_values

__all__ = ["FIELD_CHECKERS", "Collector", "check_extension_key"]

Checker = Callable[[Any, str, "Collector"], None]
ACTIONS = frozenset(["ADD", "OBSERVE", "DELETE"])
_UOM_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class Collector:
    """Errors of one event, with the document's namespace prefixes for extension keys."""

    __slots__ = ("errors", "index", "prefixes")

    def __init__(self, index: int | None, prefixes: Mapping[str, str]) -> None:
        """Start an empty error list for event ``index``."""
        self.index = index
        self.prefixes = prefixes
        self.errors: list[EventError] = []

    def add(self, field: str, code: str, message: str, fix: str) -> None:
        """Record one error."""
        self.errors.append(EventError(self.index, field, code, message, fix))

    def problem(self, field: str, problem: Problem | None) -> None:
        """Record a ``(code, message, fix)`` problem, if any."""
        if problem is not None:
            self.add(field, *problem)


def check_extension_key(key: str, path: str, out: Collector) -> None:
    """A non-standard key must be a namespaced extension (``prefix:name``, prefix in @context) or a URI."""
    prefix, sep, local = key.partition(":")
    if sep and local and (prefix in out.prefixes or local.startswith("//") or prefix == "urn"):
        return
    out.add(path, "schema.unknown_field", f"{key!r} is not an EPCIS field or a namespaced extension.",
            "Remove it, or name it prefix:name with the prefix declared in @context.")  # fmt: skip


def _is_list(value: Any, path: str, out: Collector) -> bool:
    """Report a value that is not a JSON array."""
    if isinstance(value, list):
        return True
    out.add(path, "schema.type", f"{path} must be an array.", f"Give {path} as a list [...].")
    return False


def _is_object(value: Any, path: str, out: Collector) -> bool:
    """Report a value that is not a JSON object."""
    if isinstance(value, dict):
        return True
    out.add(path, "schema.type", f"{path} must be an object.", f"Give {path} as an object {{...}}.")
    return False


def _time(value: Any, path: str, out: Collector) -> None:
    """A dateTime with a zone."""
    out.problem(path, parse_time(value)[1])


def _offset(value: Any, path: str, out: Collector) -> None:
    """A time-zone offset."""
    out.problem(path, check_offset(value))


def _uri(value: Any, path: str, out: Collector) -> None:
    """An absolute URI."""
    out.problem(path, check_uri(value))


def _epc(value: Any, path: str, out: Collector) -> None:
    """One EPC (parentID)."""
    out.problem(path, check_epc(value))


def _certification(value: Any, path: str, out: Collector) -> None:
    """certificationInfo: a URI or a list of URIs."""
    for i, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
        out.problem(path if i is None else f"{path}[{i}]", check_uri(item))


def _action(value: Any, path: str, out: Collector) -> None:
    """ADD, OBSERVE or DELETE."""
    if type(value) is not str or value not in ACTIONS:
        out.add(path, "schema.action", f"{str(value)[:20]!r} is not an action.", "Use ADD, OBSERVE or DELETE.")


def _vocabulary(kind: Vocabulary) -> Checker:
    """A checker for a CBV-or-URI vocabulary value."""

    lookup = kind.lookup

    def check(value: Any, path: str, out: Collector) -> None:
        """Report a value that is not a CBV value or a URI."""
        if type(value) is str and value in lookup:
            return
        if not isinstance(value, str):
            out.add(path, "schema.type", f"{path} must be a string.", "Give a CBV value or a URI.")
            return
        code = classify(value, kind)[1]
        if code is not None:
            out.add(path, code, f"{value[:60]!r} is not a CBV 2.0 {kind.web} value or a URI.",
                    f"Use one of {expected_values(kind)}, or a URI of your own vocabulary.")  # fmt: skip

    return check


def _epc_list(value: Any, path: str, out: Collector) -> None:
    """A list of unique EPCs (one pattern match for the whole list on the fast path)."""
    if type(value) is list and all_fast_epcs(value):
        if len(set(value)) != len(value):
            out.add(path, "schema.duplicate", f"{path} lists an EPC more than once.", "List each EPC once.")
        return
    if not _is_list(value, path, out):
        return
    for i, item in enumerate(value):
        out.problem(f"{path}[{i}]", check_epc(item))
    if len(set(map(str, value))) != len(value):
        out.add(path, "schema.duplicate", f"{path} lists an EPC more than once.", "List each EPC once.")


def _quantity_element(item: Any, path: str, out: Collector) -> None:
    """epcClass (required), quantity (number), uom (2-3 upper-case letters/digits), nothing else."""
    if not _is_object(item, path, out):
        return
    if "epcClass" not in item:
        out.add(f"{path}.epcClass", "schema.required", "epcClass is required.", "Add the EPC class.")
    else:
        out.problem(f"{path}.epcClass", check_epc_class(item["epcClass"]))
    quantity = item.get("quantity", 0)
    if isinstance(quantity, bool) or not isinstance(quantity, int | float):
        out.add(f"{path}.quantity", "schema.number", f"{str(quantity)[:20]!r} is not a number.",
                "Give quantity as a JSON number, e.g. 20 or 12.5.")  # fmt: skip
    uom = item.get("uom", "KGM")
    if not isinstance(uom, str) or not 2 <= len(uom) <= 3 or not _UOM_CHARS.issuperset(uom):
        out.add(f"{path}.uom", "schema.uom", f"{str(uom)[:10]!r} is not a UN/CEFACT unit code.",
                "Use a UN/CEFACT Rec 20 code such as KGM, LTR, EA.")  # fmt: skip
    for key in item:
        if key not in ("epcClass", "quantity", "uom"):
            out.add(f"{path}.{key}", "schema.unknown_field", f"{key!r} is not allowed in a quantity element.",
                    "A quantity element has only epcClass, quantity and uom.")  # fmt: skip


def _quantity_list(value: Any, path: str, out: Collector) -> None:
    """A list of quantity elements."""
    if _is_list(value, path, out):
        for i, item in enumerate(value):
            _quantity_element(item, f"{path}[{i}]", out)


def _location(value: Any, path: str, out: Collector) -> None:
    """readPoint / bizLocation: ``{"id": URI}`` plus extensions."""
    if type(value) is dict and len(value) == 1 and check_uri(value.get("id", 0)) is None:
        return
    if not _is_object(value, path, out):
        return
    if "id" not in value:
        out.add(f"{path}.id", "schema.required", f"{path}.id is required.", "Give the location identifier in id.")
    for key, item in value.items():
        if key == "id":
            out.problem(f"{path}.id", check_uri(item))
        elif key != "type":
            check_extension_key(key, f"{path}.{key}", out)


def _typed_list(member: str, kind: Vocabulary, type_required: bool) -> Checker:
    """bizTransactionList / sourceList / destinationList entries ``{type, <member>}``."""
    vocabulary = _vocabulary(kind)

    typed = frozenset(["type", member])
    fast_keys = (typed,) if type_required else (typed, frozenset([member]))
    lookup = kind.lookup

    def fast(item: Any) -> bool:
        """A well-formed entry with a CBV type (or none, where optional) and a URI."""
        if type(item) is not dict or item.keys() not in fast_keys:
            return False
        if "type" in item and (type(item["type"]) is not str or item["type"] not in lookup):
            return False
        return check_uri(item[member]) is None

    def check(value: Any, path: str, out: Collector) -> None:
        """Check each entry; the fast path accepts a well-formed list at once."""
        if type(value) is list and all(map(fast, value)):
            return
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{path}[{i}]"
            if not _is_object(item, where, out):
                continue
            if "type" in item:
                vocabulary(item["type"], f"{where}.type", out)
            elif type_required:
                out.add(f"{where}.type", "schema.required", "type is required.", "Add the type, e.g. owning_party.")
            if member not in item:
                out.add(f"{where}.{member}", "schema.required", f"{member} is required.", f"Add {member}.")
            else:
                out.problem(f"{where}.{member}", check_uri(item[member]))
            for key in item.keys() - {"type", member}:
                out.add(f"{where}.{key}", "schema.unknown_field", f"{key!r} is not allowed here.",
                        f"An entry has only type and {member}.")  # fmt: skip

    return check


def _persistent_disposition(value: Any, path: str, out: Collector) -> None:
    """``{"set": [...], "unset": [...]}`` of dispositions, at least one of them."""
    if not _is_object(value, path, out):
        return
    if not value.get("set") and not value.get("unset"):
        out.add(path, "schema.required", "persistentDisposition needs set or unset.", "Add set or unset.")
    check = _vocabulary(Kind.DISPOSITION)
    for key, items in value.items():
        if key not in ("set", "unset"):
            out.add(f"{path}.{key}", "schema.unknown_field", f"{key!r} is not allowed here.", "Use set or unset.")
        elif _is_list(items, f"{path}.{key}", out):
            for i, item in enumerate(items):
                check(item, f"{path}.{key}[{i}]", out)


def _error_declaration(value: Any, path: str, out: Collector) -> None:
    """declarationTime (required), reason (CBV error reason or URI), correctiveEventIDs (URIs)."""
    if not _is_object(value, path, out):
        return
    if "declarationTime" not in value:
        out.add(f"{path}.declarationTime", "schema.required", "declarationTime is required.", "Add it.")
    for key, item in value.items():
        where = f"{path}.{key}"
        if key == "declarationTime":
            _time(item, where, out)
        elif key == "reason":
            _vocabulary(Kind.ERROR_REASON)(item, where, out)
        elif key == "correctiveEventIDs":
            if _is_list(item, where, out):
                for i, event_id in enumerate(item):
                    out.problem(f"{where}[{i}]", check_uri(event_id))
        else:
            check_extension_key(key, where, out)


def _ilmd(value: Any, path: str, out: Collector) -> None:
    """Instance/lot master data: an object of namespaced extension keys."""
    if _is_object(value, path, out):
        for key in value:
            check_extension_key(key, f"{path}.{key}", out)


def _sensor_elements(value: Any, path: str, out: Collector) -> None:
    """sensorElementList: objects with a sensorReport list; timestamps checked."""
    if not _is_list(value, path, out):
        return
    for i, element in enumerate(value):
        where = f"{path}[{i}]"
        if not _is_object(element, where, out):
            continue
        reports = element.get("sensorReport")
        if not isinstance(reports, list) or not reports:
            out.add(f"{where}.sensorReport", "schema.required", "sensorReport must be a non-empty list.", "Add it.")
        metadata = element.get("sensorMetadata", {})
        for key in ("time", "startTime", "endTime"):
            if isinstance(metadata, dict) and key in metadata:
                _time(metadata[key], f"{where}.sensorMetadata.{key}", out)


def _field_checkers() -> Mapping[str, Checker]:
    """Field name -> checker, for every standard event field that has one."""
    source_type = Kind.SOURCE_DESTINATION_TYPE
    return {
        "eventTime": _time, "recordTime": _time, "eventTimeZoneOffset": _offset, "eventID": _uri,
        "certificationInfo": _certification, "errorDeclaration": _error_declaration, "action": _action,
        "bizStep": _vocabulary(Kind.BIZ_STEP), "disposition": _vocabulary(Kind.DISPOSITION),
        "epcList": _epc_list, "childEPCs": _epc_list, "inputEPCList": _epc_list, "outputEPCList": _epc_list,
        "parentID": _epc, "transformationID": _uri,
        "quantityList": _quantity_list, "childQuantityList": _quantity_list,
        "inputQuantityList": _quantity_list, "outputQuantityList": _quantity_list,
        "readPoint": _location, "bizLocation": _location,
        "bizTransactionList": _typed_list("bizTransaction", Kind.BIZ_TRANSACTION_TYPE, type_required=False),
        "sourceList": _typed_list("source", source_type, type_required=True),
        "destinationList": _typed_list("destination", source_type, type_required=True),
        "persistentDisposition": _persistent_disposition, "ilmd": _ilmd, "sensorElementList": _sensor_elements,
    }  # fmt: skip


FIELD_CHECKERS: Mapping[str, Checker] = _field_checkers()
