"""Builders of EPCIS 2.0 JSON-LD documents and of a small supply chain for traceability tests."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from biip.checksums import gs1_standard_check_digit

from medreg.core.actor import Actor
from medreg.core.models import Role
from medreg.core.tokens import issue_token
from medreg.registry.models import Drug, Licence, PackageLevel, Site
from medreg.trace.locations import gln_of
from tests import factories

PREFIX = "6901234"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def gtin(item: str) -> str:
    body = "0" + PREFIX + item
    return body + str(gs1_standard_check_digit(body))


def sgtin(item: str, serial: int | str) -> str:
    return f"urn:epc:id:sgtin:{PREFIX}.0{item}.{serial}"


def sscc(serial: int) -> str:
    return f"urn:epc:id:sscc:{PREFIX}.{serial:010d}"


def sgln(location: str) -> str:
    return f"urn:epc:id:sgln:{PREFIX}.{location}.0"


def pgln(location: str) -> str:
    return f"urn:epc:id:pgln:{PREFIX}.{location}"


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T08:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def _base(kind: str, time: str, step: str, location: str, event_id: str) -> dict[str, Any]:
    return {
        "type": kind,
        "eventID": event_id,
        "eventTime": time,
        "eventTimeZoneOffset": "+08:00",
        "bizStep": step,
        "readPoint": {"id": sgln(location)},
        "bizLocation": {"id": sgln(location)},
    }


def object_event(
    event_id: str,
    time: str,
    step: str,
    disposition: str,
    epcs: list[str],
    location: str,
    action: str = "OBSERVE",
    **extra: Any,
) -> dict[str, Any]:
    return {
        **_base("ObjectEvent", time, step, location, event_id),
        "action": action,
        "epcList": epcs,
        "disposition": disposition,
        **extra,
    }


def commissioning_document(run: str, events: int, per_event: int) -> dict[str, Any]:
    """`events` commissioning ObjectEvents (eventIDs `urn:uuid:<run>-<n>`) at the manufacturer's site,
    each of `per_event` new packs of item 00001: serials 0 to events x per_event - 1."""
    return document(
        *[
            object_event(
                f"urn:uuid:{run}-{n}",
                "2026-03-01T09:00:00+08:00",
                "commissioning",
                "active",
                [sgtin("00001", n * per_event + i) for i in range(per_event)],
                "00001",
                "ADD",
            )
            for n in range(events)
        ]
    )


def receiving(event_id: str, time: str, epcs: list[str], location: str) -> dict[str, Any]:
    return object_event(event_id, time, "receiving", "in_progress", epcs, location)


def aggregation(
    event_id: str, time: str, parent: str, children: list[str], location: str, action: str = "ADD"
) -> dict[str, Any]:
    step = "packing" if action == "ADD" else "unpacking"
    event = {
        **_base("AggregationEvent", time, step, location, event_id),
        "action": action,
        "parentID": parent,
        "disposition": "in_progress",
    }
    if children:
        event["childEPCs"] = children
    return event


@dataclass
class Chain:
    """A manufacturer in 杭州, a distributor and a pharmacy in 宁波, a drug with three pack levels."""

    manufacturer: Any
    distributor: Any
    pharmacy: Any
    drug: Drug
    tokens: dict[str, str]
    item: str = "00001"


def build_chain(special_control: str = "") -> Chain:
    manufacturer = factories.make_enterprise(
        "杭州示范制药有限公司", "330106", ("marketing_authorization_holder", "drug_manufacturer")
    )
    distributor = factories.make_enterprise("宁波示范医药有限公司", "330203", ("drug_wholesaler",))
    pharmacy = factories.make_enterprise("宁波示范大药房有限公司", "330203", ("retail_pharmacy",))
    _licence(distributor, "浙AA5740001", "drug_wholesale")
    _licence(pharmacy, "浙CB5740002", "drug_retail")
    for enterprise, location in ((manufacturer, "00001"), (distributor, "00002"), (pharmacy, "00003")):
        register_site(enterprise, location)
    drug = factories.make_drug(manufacturer, "国药准字H20240001", "阿莫西林胶囊")
    drug.special_control = special_control
    drug.save()
    PackageLevel.objects.filter(drug=drug, level=1).update(gtin=gtin("00001"), drug_identification_code="8612301")
    tokens = {}
    for name, enterprise, role in (
        ("manufacturer", manufacturer, Role.MANUFACTURER),
        ("distributor", distributor, Role.DISTRIBUTOR),
        ("pharmacy", pharmacy, Role.RETAIL_PHARMACY),
    ):
        user = factories.make_user(f"{name}_user", role, None, enterprise.uscc)
        tokens[name] = issue_token(actor=Actor.system(), user=user, name=name)[1]
    return Chain(manufacturer, distributor, pharmacy, drug, tokens)


def register_site(enterprise: Any, location: str) -> Site:
    """A warehouse of `enterprise` whose GLN is that of `sgln(location)`, so events there are its own."""
    return Site.objects.create(
        enterprise=enterprise,
        kind="warehouse",
        address="地址",
        jurisdiction=enterprise.jurisdiction,
        gln=gln_of(sgln(location)),
    )


def _licence(enterprise: Any, number: str, kind: str) -> Licence:
    return Licence.objects.create(
        enterprise=enterprise,
        kind=kind,
        number=number,
        scope="化学药制剂",
        issued_by=enterprise.jurisdiction,
        issued_on=dt.date(2022, 1, 1),
        valid_until=dt.date(2030, 1, 1),
    )
