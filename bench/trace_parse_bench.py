"""Throughput of the EPCIS document layer (parse + schema + vocabulary), as a ratio to the bare parsers.

Reproduce: ``.venv/bin/python bench/trace_parse_bench.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson
from lxml import etree

from medreg.trace.epcis.document import parse_document

EVENTS = 10_000
EPCS_PER_EVENT = 10


def _json_event(i: int) -> dict[str, Any]:
    return {
        "type": "ObjectEvent", "eventTime": "2026-07-22T06:45:00.000+08:00", "eventTimeZoneOffset": "+08:00",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
        "epcList": [f"urn:epc:id:sgtin:0614141.107346.{i * EPCS_PER_EVENT + j}" for j in range(EPCS_PER_EVENT)],
        "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
        "bizLocation": {"id": "urn:epc:id:sgln:0614141.07346.0"},
        "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152"}],
    }  # fmt: skip


def json_document(events: int = EVENTS) -> bytes:
    """A JSON capture document of typical ObjectEvents."""
    return orjson.dumps({
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
        "schemaVersion": "2.0", "creationDate": "2026-07-22T10:30:00Z",
        "epcisBody": {"eventList": [_json_event(i) for i in range(events)]},
    })  # fmt: skip


def xml_document(events: int = EVENTS) -> bytes:
    """The same document as XML."""
    parts = []
    for i in range(events):
        epcs = "".join(f"<epc>urn:epc:id:sgtin:0614141.107346.{i * EPCS_PER_EVENT + j}</epc>"
                       for j in range(EPCS_PER_EVENT))  # fmt: skip
        parts.append(
            f"<ObjectEvent><eventTime>2026-07-22T06:45:00.000+08:00</eventTime><eventTimeZoneOffset>+08:00"
            f"</eventTimeZoneOffset><eventID>urn:uuid:00000000-0000-4000-8000-{i:012d}</eventID><epcList>{epcs}"
            "</epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>"
            "<disposition>urn:epcglobal:cbv:disp:in_transit</disposition><readPoint><id>"
            "urn:epc:id:sgln:0614141.07346.1234</id></readPoint><bizLocation><id>urn:epc:id:sgln:0614141.07346.0"
            '</id></bizLocation><bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">'
            "urn:epcglobal:cbv:bt:0614141073467:1152</bizTransaction></bizTransactionList></ObjectEvent>"
        )
    return (
        '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
        f'creationDate="2026-07-22T10:30:00Z"><EPCISBody><EventList>{"".join(parts)}</EventList></EPCISBody>'
        "</epcis:EPCISDocument>"
    ).encode()


def _best_of(runs: int, action: Callable[[], object]) -> float:
    """Fastest wall time of ``runs`` calls (the machine is shared and noisy)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    for render, baseline, content_type in (
        (json_document, orjson.loads, "application/json"),
        (xml_document, etree.fromstring, "application/xml"),
    ):
        data = render()
        result = parse_document(data, content_type)
        assert (len(result.events), result.errors) == (EVENTS, ())
        ours = _best_of(3, lambda d=data, c=content_type: parse_document(d, c))
        bare = _best_of(3, lambda d=data, b=baseline: b(d))
        print(
            f"{content_type}: {EVENTS / ours:,.0f} events/s ({EVENTS * EPCS_PER_EVENT / ours:,.0f} EPC/s); "
            f"bare parser {EVENTS / bare:,.0f} events/s; ratio {ours / bare:.1f}"
        )


if __name__ == "__main__":
    main()
