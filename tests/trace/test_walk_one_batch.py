"""End to end over HTTP: one batch from commissioning to dispensing, then a second dispensing."""

import json
from typing import Any

import pytest
from django.test import Client

from medreg.core.models import Role
from medreg.trace.codes import parse_code
from medreg.trace.models import Alert, Event, EventEpc, Pack
from tests import factories
from tests.trace.epcis_builders import (
    Chain,
    aggregation,
    build_chain,
    document,
    gtin,
    object_event,
    pgln,
    sgtin,
    sscc,
)

LOT = "L2026A"
PACKS = [sgtin("00001", n) for n in range(1, 7)]
CASE_1, CASE_2, PALLET = sscc(1), sscc(2), sscc(3)
KEYS = [f"gs1:01/{gtin('00001')}/21/{n}" for n in range(1, 7)]


def capture(client: Client, token: str, doc: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/epcis/capture",
        data=json.dumps(doc),
        content_type="application/ld+json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202, response.content
    job = client.get(response["Location"], headers={"Authorization": f"Bearer {token}"}).json()
    assert (job["running"], job["success"], job["errors"]) == (False, True, []), job
    return job


def walk(client: Client, chain: Chain) -> None:
    ilmd = {"ilmd": {"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2028-02-29"}}
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            object_event(
                "urn:uuid:e1", "2026-03-01T09:00:00+08:00", "commissioning", "active", PACKS, "00001", "ADD", **ilmd
            ),
            aggregation("urn:uuid:e2", "2026-03-01T09:10:00+08:00", CASE_1, PACKS[:3], "00001"),
            aggregation("urn:uuid:e3", "2026-03-01T09:11:00+08:00", CASE_2, PACKS[3:], "00001"),
            aggregation("urn:uuid:e4", "2026-03-01T09:20:00+08:00", PALLET, [CASE_1, CASE_2], "00001"),
            object_event(
                "urn:uuid:e5",
                "2026-03-01T10:00:00+08:00",
                "shipping",
                "in_transit",
                [PALLET],
                "00001",
                destinationList=[{"type": "owning_party", "destination": pgln("00002")}],
                bizTransactionList=[{"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:DA1"}],
            ),
        ),
    )
    capture(
        client,
        chain.tokens["distributor"],
        document(
            object_event("urn:uuid:e6", "2026-03-02T09:00:00+08:00", "receiving", "in_progress", [PALLET], "00002"),
            aggregation("urn:uuid:e7", "2026-03-02T09:30:00+08:00", PALLET, [], "00002", "DELETE"),
            aggregation("urn:uuid:e8", "2026-03-02T09:31:00+08:00", CASE_1, [], "00002", "DELETE"),
            object_event(
                "urn:uuid:e9",
                "2026-03-03T09:00:00+08:00",
                "shipping",
                "in_transit",
                PACKS[:2],
                "00002",
                destinationList=[{"type": "owning_party", "destination": pgln("00003")}],
            ),
        ),
    )
    capture(
        client,
        chain.tokens["pharmacy"],
        document(
            object_event("urn:uuid:e10", "2026-03-04T09:00:00+08:00", "receiving", "in_progress", PACKS[:2], "00003"),
            object_event(
                "urn:uuid:e11", "2026-03-05T15:00:00+08:00", "retail_selling", "retail_sold", PACKS[:1], "00003"
            ),
        ),
    )


@pytest.mark.django_db
def test_one_batch_from_commissioning_to_dispensing() -> None:
    # given a supply chain and the whole walk captured over the EPCIS REST binding
    chain, client = build_chain(), Client()
    walk(client, chain)
    # then verify answers each pack's state, revealing nothing of the trading partners
    first = client.get(f"/api/trace/verify/{PACKS[0]}").json()
    assert first == {
        "code": KEYS[0],
        "genuine": True,
        "status": "dispensed",
        "product": "阿莫西林胶囊",
        "strength": "0.25g",
        "approval_number": "国药准字H20240001",
        "marketing_authorization_holder": "杭州示范制药有限公司",
        "batch": LOT,
        "expiry": "2028-02-29",
        "warnings": ["already_dispensed"],
    }
    assert client.get(f"/api/trace/verify/{PACKS[1]}").json()["status"] == "received"
    unknown = client.get(f"/api/trace/verify/{sgtin('00001', 99)}").json()
    assert (unknown["genuine"], unknown["warnings"]) == (False, ["unknown_code"])
    # and the packs' holders and containment are exact
    states = {p.key: (p.status, p.holder_enterprise_code, p.parent_key) for p in Pack.objects.filter(key__in=KEYS)}
    assert states == {
        KEYS[0]: ("dispensed", chain.pharmacy.uscc, None),
        KEYS[1]: ("received", chain.pharmacy.uscc, None),
        KEYS[2]: ("received", chain.distributor.uscc, None),
        **{k: ("received", chain.distributor.uscc, parse_code(CASE_2).key) for k in KEYS[3:]},
    }
    assert Pack.objects.get(key=parse_code(CASE_2).key).parent_key is None  # the pallet was unpacked
    # and trace gives the pack's history including its containers' events while it was inside them
    national = _regulator("nmpa", Role.NATIONAL_REGULATOR, "000000")
    client.force_login(national)
    trace = client.get(f"/api/trace/packs/{PACKS[0]}/trace").json()
    assert [e["eventID"] for e in trace["events"]] == [f"urn:uuid:e{n}" for n in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11)]
    # and track gives the distribution tree
    track = client.get("/api/trace/batches/track", {"approval_number": "国药准字H20240001", "lot": LOT}).json()
    assert [(n["enterprise_code"], n["packs"], n["by_status"], n["received_from"]) for n in track] == [
        (chain.distributor.uscc, 4, {"received": 4}, [chain.manufacturer.uscc]),
        (chain.pharmacy.uscc, 2, {"dispensed": 1, "received": 1}, [chain.distributor.uscc]),
        (chain.manufacturer.uscc, 0, {}, []),
    ]
    # and the recall scope lists every current holder and where packs were dispensed
    scope = client.get("/api/trace/batches/recall-scope", {"approval_number": "国药准字H20240001", "lot": LOT}).json()
    assert scope["total"] == 6
    assert [(h["holder_enterprise_code"], h["status"], h["packs"]) for h in scope["holders"]] == sorted(
        [(chain.distributor.uscc, "received", 4), (chain.pharmacy.uscc, "received", 1)]
    )
    assert [(d["holder_enterprise_code"], d["packs"]) for d in scope["dispensed"]] == [(chain.pharmacy.uscc, 1)]
    assert (Event.objects.count(), Alert.objects.count()) == (11, 0)


@pytest.mark.django_db
def test_second_dispensing_raises_an_alert_in_the_pharmacys_jurisdiction() -> None:
    chain, client = build_chain(), Client()
    walk(client, chain)
    # when the same pack is dispensed again (a clone or a resold pack)
    capture(
        client,
        chain.tokens["pharmacy"],
        document(
            object_event(
                "urn:uuid:e12", "2026-03-06T10:00:00+08:00", "retail_selling", "retail_sold", PACKS[:1], "00003"
            )
        ),
    )
    # then one alert lands in 宁波市海曙区's queue, with both dispensings as evidence
    alert = Alert.objects.get()
    assert (alert.rule, alert.jurisdiction_code, alert.pack_key, alert.lot) == (
        "dispensed_twice",
        "330203",
        KEYS[0],
        LOT,
    )
    assert sorted(alert.evidence.values_list("identity", flat=True)) == ["urn:uuid:e11", "urn:uuid:e12"]
    ningbo = _regulator("nb", Role.CITY_REGULATOR, "330200")
    hangzhou = _regulator("hz", Role.CITY_REGULATOR, "330100")
    client.force_login(ningbo)
    assert [a["rule"] for a in client.get("/api/trace/alerts").json()] == ["dispensed_twice"]
    client.force_login(hangzhou)
    assert client.get("/api/trace/alerts").json() == []


@pytest.mark.django_db
def test_the_same_document_twice_is_stored_once() -> None:
    chain, client = build_chain(), Client()
    doc = document(
        object_event("urn:uuid:c1", "2026-03-01T09:00:00+08:00", "commissioning", "active", PACKS[:2], "00001", "ADD")
    )
    capture(client, chain.tokens["manufacturer"], doc)
    again = capture(client, chain.tokens["manufacturer"], doc)
    assert (again["storedCount"], again["duplicateCount"]) == (0, 1)
    assert (Event.objects.count(), EventEpc.objects.count(), Pack.objects.count()) == (1, 2, 2)
    assert Alert.objects.count() == 0


def _regulator(name: str, role: Role, division: str) -> Any:
    return factories.make_user(name, role, division)


@pytest.mark.django_db
def test_epcis_events_query_filters_and_pages() -> None:
    chain, client = build_chain(), Client()
    walk(client, chain)
    client.force_login(_regulator("nmpa", Role.NATIONAL_REGULATOR, "000000"))

    def ids(**params: str) -> list[str]:
        return [e["eventID"] for e in client.get("/epcis/events", params).json()["eventList"]]

    assert ids(EQ_bizStep="shipping") == ["urn:uuid:e5", "urn:uuid:e9"]
    assert ids(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-receiving") == ["urn:uuid:e6", "urn:uuid:e10"]
    assert ids(EQ_action="DELETE") == ["urn:uuid:e7", "urn:uuid:e8"]
    assert ids(MATCH_epc=PACKS[0]) == ["urn:uuid:e1", "urn:uuid:e9", "urn:uuid:e10", "urn:uuid:e11"]
    assert ids(MATCH_parentID=PALLET) == ["urn:uuid:e4", "urn:uuid:e7"]
    assert ids(MATCH_anyEPC=CASE_1) == ["urn:uuid:e2", "urn:uuid:e4", "urn:uuid:e8"]
    first = client.get("/epcis/events", {"perPage": 4}).json()
    second = client.get("/epcis/events", {"perPage": 4, "nextPageToken": first["nextPageToken"]}).json()
    assert [e["eventID"] for e in first["eventList"] + second["eventList"]] == [f"urn:uuid:e{n}" for n in range(1, 9)]
    bad = client.get("/epcis/events", {"nextPageToken": "forged"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "nextPageToken")
