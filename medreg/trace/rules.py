"""Alert rules that need registry facts beyond the pack state: shipments to parties without a
licence for the product, and the special-control drug rules (quantity mismatch between shipping
and receiving, sale outside the licensed channel). Pure functions over steps, packs and facts."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from medreg.trace.alert_texts import said
from medreg.trace.state import Finding, PackBook, PackState, Step

DRUG_DISTRIBUTION_LICENCES = {"drug_wholesale", "drug_retail"}
NARCOTIC_CLASSES = {
    "narcotic",
    "psychotropic_1",
}  # not sold by retail pharmacies (国务院《麻醉药品和精神药品管理条例》)
SPECIAL_CONTROL = {"narcotic", "psychotropic_1", "psychotropic_2", "toxic", "radioactive", "precursor"}


def shipment_findings(
    steps: Iterable[Step],
    book: PackBook,
    licences: Mapping[str, Sequence[tuple[str, dt.datetime, dt.datetime | None]]],
    types: Mapping[str, tuple[str, ...]],
) -> list[Finding]:
    """A drug shipped to an enterprise without a distribution licence in force when it was shipped
    (hospitals excepted). `licences`: each enterprise's (kind, in force from, until before)."""
    findings = []
    for step in steps:
        if step.biz_step != "shipping" or not step.destination:
            continue
        if _kinds_at(licences.get(step.destination, []), step.event_time) & DRUG_DISTRIBUTION_LICENCES:
            continue
        if "medical_institution" in types.get(step.destination, ()):
            continue
        pack = _first_product_pack(book, step)
        if pack is not None:
            findings.append(
                Finding(
                    "shipped_to_unlicensed",
                    step.identity,
                    pack.key,
                    step.location_path or step.sender_path,
                    step.sender,
                    said("shipped_to_unlicensed", approval=pack.approval_number, destination=step.destination),
                    pack.approval_number,
                    pack.lot,
                )
            )
    return findings


def _kinds_at(periods: Iterable[tuple[str, dt.datetime, dt.datetime | None]], moment: dt.datetime) -> set[str]:
    return {kind for kind, start, end in periods if start <= moment and (end is None or moment < end)}


def channel_findings(steps: Iterable[Step], book: PackBook, types: Mapping[str, tuple[str, ...]]) -> list[Finding]:
    """Narcotic and class I psychotropic drugs dispensed by a retail pharmacy."""
    findings = []
    for step in steps:
        if step.biz_step not in ("dispensing", "retail_selling") or "retail_pharmacy" not in types.get(step.sender, ()):
            continue
        for pack in (p for key in step.keys for p in book.with_descendants(key)):  # a case sold: its packs
            if pack.special_control in NARCOTIC_CLASSES:
                findings.append(
                    Finding(
                        "special_outside_channel",
                        step.identity,
                        pack.key,
                        step.location_path or step.sender_path,
                        step.sender,
                        said("special_outside_channel", approval=pack.approval_number, control=pack.special_control),
                        pack.approval_number,
                        pack.lot,
                    )
                )
    return findings


def quantity_findings(steps: Iterable[Step], book: PackBook) -> list[Finding]:
    """Special-control packs of a shipment still in transit after the receiver reported receiving it."""
    steps = [s for s in steps if s.biz_step == "receiving"]
    if not steps:
        return []
    in_transit: dict[str, list[PackState]] = {}
    for pack in book.packs.values():
        if (
            pack.shipment
            and pack.status == "in_transit"
            and pack.special_control in SPECIAL_CONTROL
            and (pack.package_level == 1)
        ):
            in_transit.setdefault(pack.shipment, []).append(pack)
    findings = []
    for step in steps:
        shipments = {p.shipment for key in step.keys for p in book.with_descendants(key) if p.shipment}
        for shipment in sorted(shipments):
            missing = sorted(in_transit.get(shipment, []), key=lambda p: p.key)  # the alert names the first
            if missing:
                findings.append(
                    Finding(
                        "special_quantity_mismatch",
                        step.identity,
                        missing[0].key,
                        step.location_path or step.sender_path,
                        step.sender,
                        said("special_quantity_mismatch", shipment=shipment, count=len(missing)),
                        missing[0].approval_number,
                        missing[0].lot,
                    )
                )
    return findings


def _first_product_pack(book: PackBook, step: Step):  # type: ignore[no-untyped-def]
    for key in step.keys:
        for pack in book.with_descendants(key):
            if pack.approval_number:
                return pack
    return None
