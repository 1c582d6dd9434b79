"""The normalized EPCIS 2.0 event produced by the capture document layer.

Both renderings of a capture document (JSON / JSON-LD and XML) are read into
:class:`EpcisEvent`; problems found by the schema and CBV vocabulary layers are
:class:`EventError` values, collected in :class:`ParsedDocument`.  Pure Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["EpcisEvent", "EventError", "ParsedDocument", "QuantityElement"]


@dataclass(frozen=True, slots=True)
class QuantityElement:
    """One quantity element; ``role`` names the list it came from.

    ``role`` is ``"quantity"`` (quantityList), ``"child"`` (childQuantityList),
    ``"input"`` (inputQuantityList) or ``"output"`` (outputQuantityList).
    """

    epc_class: str
    quantity: float | None
    uom: str | None
    role: str = "quantity"


@dataclass(frozen=True, slots=True)
class EpcisEvent:
    """One EPCIS event that passed the schema and vocabulary layers.

    ``biz_step``/``disposition`` and the source/destination types are bare CBV names
    (``"shipping"``) when the value is a CBV 2.0 value and the full URI otherwise;
    ``raw`` is the event as a JSON-LD dict (converted from XML when needed).
    """

    index: int
    type: str
    event_time: datetime
    event_time_zone_offset: str
    record_time: datetime | None
    event_id: str | None
    identity: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    epc_list: tuple[str, ...]
    parent_id: str | None
    child_epcs: tuple[str, ...]
    input_epcs: tuple[str, ...]
    output_epcs: tuple[str, ...]
    quantities: tuple[QuantityElement, ...]
    biz_transactions: tuple[tuple[str | None, str], ...]
    sources: tuple[tuple[str, str], ...]
    destinations: tuple[tuple[str, str], ...]
    ilmd: Mapping[str, Any]
    error_declaration: Mapping[str, Any] | None
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EventError:
    """A problem with one event (``index``) or the whole document (``index is None``).

    ``code`` starts with the layer that found it: ``document.``, ``schema.`` or
    ``vocabulary.``; ``field`` is a path such as ``epcList[3]``.
    """

    index: int | None
    field: str
    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class ParsedDocument:
    """Result of :func:`medreg.trace.epcis.document.parse_document`.

    ``events`` holds only the events without errors; the errors of the others (and
    document-level errors, after which ``events`` is empty) are in ``errors``.
    """

    events: tuple[EpcisEvent, ...]
    errors: tuple[EventError, ...]
    schema_version: str
    creation_date: datetime | None
    sender: str | None
    format: str
    event_count: int = 0
