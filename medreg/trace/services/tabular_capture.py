"""Capture for small pharmacies and clinics: a CSV/Excel file of one code per row, or codes scanned
on the console's scan page. Rows become the same normalized events as EPCIS documents and go
through the same business rules, pack state and alerts.

Columns: event_time, step, code, parent_code, location, destination, lot, expiry, shipment.
parent_code (the case or pallet) counts on packing and unpacking rows only; other rows ignore it.
"""

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from urllib.parse import quote

from medreg.core.tabular import Limits, read_table
from medreg.trace.codes import CodeError, parse_code
from medreg.trace.epcis.model import EpcisEvent, EventError
from medreg.trace.epcis.values import check_epc
from medreg.trace.epcis.vocabulary import ABSOLUTE_URI

STEPS = {
    "commissioning": ("ObjectEvent", "ADD", "active"),
    "packing": ("AggregationEvent", "ADD", "in_progress"),
    "unpacking": ("AggregationEvent", "DELETE", "in_progress"),
    "shipping": ("ObjectEvent", "OBSERVE", "in_transit"),
    "receiving": ("ObjectEvent", "OBSERVE", "in_progress"),
    "dispensing": ("ObjectEvent", "OBSERVE", "dispensed"),
    "returning": ("ObjectEvent", "OBSERVE", "returned"),
    "destroying": ("ObjectEvent", "OBSERVE", "destroyed"),
}
# Table steps that CBV 2.0 does not name: in the stored EPCIS payload, a URI of the platform's own
# vocabulary (decision 0107); the event's business step stays the table's word for the rules.
PAYLOAD_STEPS = {"returning": "urn:medreg:cbv:bizstep:returning"}
CONTAINER_STEPS = ("packing", "unpacking")
COLUMNS = ("event_time", "step", "code", "parent_code", "location", "destination", "lot", "expiry", "shipment")
REQUIRED = ("event_time", "step", "code", "location")
CHINA = dt.timezone(dt.timedelta(hours=8))
GLN = re.compile(r"[0-9]{13}")  # ASCII digits: str.isdigit() accepts any script's


def events_from_file(data: bytes, filename: str, sender: str) -> tuple[list[EpcisEvent], list[EventError]]:
    """Read an uploaded table into events; a file-level fault raises DomainError (one clear error)."""
    sheet = read_table(data, filename, Limits.from_settings())
    header = [h.strip().lower() for h in sheet.header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            EventError(
                None,
                "header",
                "missing_columns",
                f"Missing columns: {', '.join(missing)}.",
                f"The first row must name the columns {', '.join(COLUMNS)}.",
            )
        ]
    rows = [(number, dict(zip(header, cells, strict=False))) for number, cells in sheet.rows]
    return events_from_rows(rows, sender)


def events_from_rows(
    rows: Iterable[tuple[int, dict[str, str]]], sender: str
) -> tuple[list[EpcisEvent], list[EventError]]:
    events: list[EpcisEvent] = []
    errors: list[EventError] = []
    for number, row in rows:
        event = event_from_row(number, row, sender)
        (errors if isinstance(event, EventError) else events).append(event)  # type: ignore[arg-type]
    return events, errors


def event_from_row(number: int, row: dict[str, str], sender: str) -> EpcisEvent | EventError:
    """One row, one event; `number` is the spreadsheet row (header = 1) and becomes the event index."""
    step = (row.get("step") or "").strip().lower()
    if step not in STEPS:
        return EventError(number, "step", "unknown_step", f"{step!r} is not a step.", f"Use one of {', '.join(STEPS)}.")
    when = _time(row.get("event_time", ""))
    if when is None:
        return EventError(
            number,
            "event_time",
            "invalid_time",
            "The time is not a date and time.",
            "Write it as 2026-03-01 09:30 (China time) or in ISO 8601 with an offset.",
        )
    for field in ("code", "parent_code") if step in CONTAINER_STEPS else ("code",):  # empty is refused
        problem = _code_problem(number, field, (row.get(field) or "").strip())
        if problem is not None:
            return problem
    for field, fix in (
        ("location", "Use the GLN registered for your site."),
        ("destination", "Use the GLN of the receiving party's site, or leave the cell empty."),
    ):
        gln = (row.get(field) or "").strip()
        if (gln or field == "location") and GLN.fullmatch(gln) is None:
            return EventError(number, field, "invalid_gln", f"{gln!r} is not a 13-digit GLN.", fix)
    return _event(number, row, step, when, sender)


def _code_problem(number: int, field: str, value: str) -> EventError | None:
    try:
        parse_code(value)
    except CodeError as error:
        return EventError(number, field, "invalid_code", f"{error.field}: {error.problem}", error.fix)
    return None


def _time(text: str) -> dt.datetime | None:
    value = text.strip().replace("T", " ")
    for candidate in (value, value + ":00"):
        try:
            parsed = dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)).astimezone(dt.UTC)
    return None


def _event(number: int, row: dict[str, str], step: str, when: dt.datetime, sender: str) -> EpcisEvent:
    kind, action, disposition = STEPS[step]
    aggregation = kind == "AggregationEvent"
    code = (row.get("code") or "").strip()
    parent = (row.get("parent_code") or "").strip() if aggregation else None  # other steps ignore it
    gln = row["location"].strip()
    location = f"urn:epc:id:sgln:{gln[:7]}.{gln[7:12]}.0"
    destination = (row.get("destination") or "").strip()
    destinations = (("owning_party", _party(destination)),) if destination else ()
    shipment = (row.get("shipment") or "").strip()
    transaction = _transaction(step, shipment, gln) if shipment else None
    ilmd = _ilmd(row)
    # The event as an EPCIS 2.0 JSON event, with everything the row says: stored as the event's
    # payload (what the query interface returns and the distribution tree reads), and its identity.
    raw = {
        "type": kind,
        "eventTime": when.isoformat(),
        "eventTimeZoneOffset": "+08:00",
        "action": action,
        "bizStep": PAYLOAD_STEPS.get(step, step),
        "disposition": disposition,
        "bizLocation": {"id": location},
        ("childEPCs" if aggregation else "epcList"): [_epc(code)],
        **({"parentID": _epc(parent)} if parent else {}),
        **({"bizTransactionList": [transaction]} if transaction else {}),
        **({"destinationList": [{"type": t, "destination": d} for t, d in destinations]} if destinations else {}),
        **(
            {"ilmd": {f"cbvmda:{k}": v for k, v in ilmd.items()}}
            if ilmd and action == "ADD" and not aggregation
            else {}
        ),
    }
    identity = "urn:medreg:row:" + hashlib.sha256(json.dumps([sender, raw], sort_keys=True).encode()).hexdigest()
    return EpcisEvent(
        index=number,
        type=kind,
        event_time=when,
        event_time_zone_offset="+08:00",
        record_time=None,
        event_id=identity,
        identity=identity,
        action=action,
        biz_step=step,
        disposition=disposition,
        read_point=location,
        biz_location=location,
        epc_list=() if aggregation else (code,),
        parent_id=parent,
        child_epcs=(code,) if aggregation else (),
        input_epcs=(),
        output_epcs=(),
        quantities=(),
        biz_transactions=((transaction.get("type"), transaction["bizTransaction"]),) if transaction else (),
        sources=(),
        destinations=destinations,
        ilmd=ilmd,
        error_declaration=None,
        raw={**raw, "eventID": identity},
    )


def _epc(code: str) -> str:
    """A code (checked by `event_from_row`) as an EPCIS 2.0 event names it: an EPC URI as written, a
    scanned GS1 code as its Digital Link URI (batch and expiry kept), China's 20-digit code as its
    canonical key `cn:<digits>`, which the code parser reads back; any other code (an LGTIN class
    URN) as its Digital Link URI (decision 0107)."""
    if ABSOLUTE_URI.match(code) and check_epc(code) is None:
        return code
    parsed = parse_code(code)
    return parsed.key if parsed.kind == "cn" else parsed.as_digital_link()


def _transaction(step: str, number: str, gln: str) -> dict[str, str]:
    """The shipment column as a business transaction: CBV's URI of a document (the GLN of the site
    that reports it, then its number; an absolute URI as it is), a despatch advice when shipping."""
    uri = number if ABSOLUTE_URI.match(number) else f"urn:epcglobal:cbv:bt:{gln}:{quote(number, safe='-._~')}"
    return {"type": "desadv", "bizTransaction": uri} if step == "shipping" else {"bizTransaction": uri}


def _party(gln: str) -> str:
    """A party's GLN (13 digits, checked by `event_from_row`) as its PGLN URN."""
    return f"urn:epc:id:pgln:{gln[:7]}.{gln[7:12]}"


def _ilmd(row: dict[str, str]) -> dict[str, str]:
    ilmd = {}
    if (row.get("lot") or "").strip():
        ilmd["lotNumber"] = row["lot"].strip()
    if (row.get("expiry") or "").strip():
        ilmd["itemExpirationDate"] = row["expiry"].strip()[:10]
    return ilmd
