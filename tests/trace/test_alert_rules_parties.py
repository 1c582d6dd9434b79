"""End to end over HTTP: the alert rules that need registry facts about the parties — a drug shipped
to an enterprise without a distribution licence in force, special-control packs shipped but not
received, narcotic and class I psychotropic drugs dispensed by a retail pharmacy."""

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from medreg.core.actor import Actor
from medreg.core.models import Role
from medreg.core.tokens import issue_token
from medreg.registry.models import Enterprise, Licence
from medreg.trace.codes import parse_code
from medreg.trace.models import Alert, Pack, SpecialControlShipmentPack
from medreg.trace.services import persistence
from tests import factories
from tests.trace.alert_queue import queue
from tests.trace.epcis_builders import (
    Chain,
    _licence,
    aggregation,
    build_chain,
    document,
    gtin,
    object_event,
    pgln,
    receiving,
    register_site,
    sgtin,
    sscc,
)
from tests.trace.test_walk_one_batch import capture

LOT = "L2026B"
APPROVAL = "国药准字H20240001"
PACKS = [sgtin("00001", n) for n in range(1, 7)]
KEYS = [f"gs1:01/{gtin('00001')}/21/{n}" for n in range(1, 7)]
CASE_1, CASE_2 = sscc(1), sscc(2)
DA1 = "urn:epcglobal:cbv:bt:0614141000005:DA1"
XIHU = "/000000/330000/330100/330106/"  # 杭州市西湖区: the manufacturer's site
HAISHU = "/000000/330000/330200/330203/"  # 宁波市海曙区: the distributor's and the pharmacy's sites
UNLICENSED_MESSAGE = "{approval} shipped to {uscc}, which holds no drug distribution licence in force."
CHANNEL_MESSAGE = "{approval} ({control}) dispensed by a retail pharmacy, outside the licensed channel."
MISSING_MESSAGE = "Shipment {shipment}: {count} special-control packs shipped but not received."


def commissioning(packs: list[str] = PACKS) -> dict[str, Any]:
    ilmd = {"ilmd": {"cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2028-02-29"}}
    return object_event(
        "urn:uuid:c1", "2026-03-01T09:00:00+08:00", "commissioning", "active", packs, "00001", "ADD", **ilmd
    )


def shipping(
    event_id: str,
    time: str,
    epcs: list[str],
    to: str,
    party: str = "owning_party",
    at: str = "00001",
    advice: str = DA1,
) -> dict[str, Any]:
    return object_event(
        event_id,
        time,
        "shipping",
        "in_transit",
        epcs,
        at,
        destinationList=[{"type": party, "destination": pgln(to)}],
        bizTransactionList=[{"type": "desadv", "bizTransaction": advice}],
    )


def party(name: str, division: str, types: tuple[str, ...], location: str) -> Enterprise:
    """A further enterprise with a site whose GLN events name (location `location`)."""
    enterprise = factories.make_enterprise(name, division, types)
    register_site(enterprise, location)
    return enterprise


def token_of(enterprise: Enterprise, role: Role) -> str:
    user = factories.make_user(f"user_{enterprise.uscc}", role, None, enterprise.uscc)
    return issue_token(actor=Actor.system(), user=user, name=enterprise.uscc)[1]


def alerts() -> list[tuple[Any, ...]]:
    """Every alert with its queue, subject and evidence, in a stable order."""
    return sorted(
        (
            a.rule,
            a.pack_key,
            a.jurisdiction_path,
            a.jurisdiction_code,
            a.enterprise_code,
            a.approval_number,
            a.lot,
            a.message,
            sorted(a.evidence.values_list("identity", flat=True)),
        )
        for a in Alert.objects.all()
    )


def ship_from_manufacturer(client: Client, chain: Chain, to: str, party: str = "owning_party") -> None:
    """The manufacturer commissions the six packs and ships four of them, in two events, to `to`."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning(),
            shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", PACKS[:2], to, party),
            shipping("urn:uuid:s2", "2026-03-01T10:05:00+08:00", PACKS[2:4], to, party),
        ),
    )


# shipped_to_unlicensed


@pytest.mark.django_db
@pytest.mark.parametrize("party_type", ["owning_party", "possessing_party"])
def test_shipment_to_the_licensed_distributor_raises_no_alert(party_type: str) -> None:
    # given a supply chain whose distributor holds a wholesale licence in force
    chain, client = build_chain(), Client()
    # when the manufacturer ships packs to it
    ship_from_manufacturer(client, chain, "00002", party_type)
    # then the packs are on their way to the distributor and no alert is raised
    assert (
        sorted(Pack.objects.filter(key__in=KEYS[:4]).values_list("status", "destination_enterprise_code"))
        == [("in_transit", chain.distributor.uscc)] * 4
    )
    assert alerts() == []


@pytest.mark.django_db
@pytest.mark.parametrize("party_type", ["owning_party", "possessing_party"])
def test_shipment_to_an_unlicensed_enterprise_raises_one_alert_where_it_was_shipped(party_type: str) -> None:
    # given an enterprise in 宁波 with a site but no licence at all
    chain, client = build_chain(), Client()
    unlicensed = party("宁波无证医药有限公司", "330203", ("drug_wholesaler",), "00004")
    # when the manufacturer in 杭州 ships packs of one batch to it in two events
    ship_from_manufacturer(client, chain, "00004", party_type)
    # then one alert for the batch lands in the shipper's queue, with both shipments as evidence
    assert alerts() == [
        (
            "shipped_to_unlicensed",
            KEYS[0],
            XIHU,
            "330106",
            chain.manufacturer.uscc,
            APPROVAL,
            LOT,
            UNLICENSED_MESSAGE.format(approval=APPROVAL, uscc=unlicensed.uscc),
            ["urn:uuid:s1", "urn:uuid:s2"],
        )
    ]
    assert queue("330100") == [("shipped_to_unlicensed", KEYS[0])]
    assert queue("330200") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "licence",
    [
        {"valid_until": dt.date(2026, 1, 1)},  # expired before the shipment (and before today)
        {"status": "revoked"},
        {"status": "suspended"},
        {"kind": "drug_production"},  # a licence, but not to distribute drugs
        {"issued_on": dt.date(2026, 6, 1)},  # issued after the shipment
    ],
    ids=["expired", "revoked", "suspended", "not_a_distribution_licence", "issued_after_the_shipment"],
)
def test_shipment_to_an_enterprise_whose_licence_is_not_in_force_raises_an_alert(licence: dict[str, Any]) -> None:
    # given an enterprise whose only licence does not allow it to distribute drugs now
    chain, client = build_chain(), Client()
    former = party("宁波过期医药有限公司", "330203", ("drug_wholesaler",), "00004")
    Licence.objects.filter(pk=_licence(former, "浙AA5740009", "drug_wholesale").pk).update(**licence)
    # when the manufacturer ships packs to it
    ship_from_manufacturer(client, chain, "00004")
    # then the shipment raises the alert in the shipper's queue
    assert alerts() == [
        (
            "shipped_to_unlicensed",
            KEYS[0],
            XIHU,
            "330106",
            chain.manufacturer.uscc,
            APPROVAL,
            LOT,
            UNLICENSED_MESSAGE.format(approval=APPROVAL, uscc=former.uscc),
            ["urn:uuid:s1", "urn:uuid:s2"],
        )
    ]
    assert queue("330100") == [("shipped_to_unlicensed", KEYS[0])]


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["valid", "expired"], ids=["still_marked_valid", "marked_expired"])
def test_shipment_to_an_enterprise_licensed_on_the_day_of_shipment_raises_no_alert(status: str) -> None:
    # given a distributor whose licence was in force on 2026-03-01 but expired on 2026-06-30 (and the
    # registry may already have marked it expired)
    chain, client = build_chain(), Client()
    lapsed = party("宁波到期医药有限公司", "330203", ("drug_wholesaler",), "00004")
    Licence.objects.filter(pk=_licence(lapsed, "浙AA5740010", "drug_wholesale").pk).update(
        valid_until=dt.date(2026, 6, 30), status=status
    )
    # when a shipment to it on 2026-03-01 is captured after its licence expired
    ship_from_manufacturer(client, chain, "00004")
    # then no alert: the drugs went to a party licensed when they were shipped
    assert alerts() == []


@pytest.mark.django_db
def test_one_document_shipping_on_two_days_is_judged_day_by_day() -> None:
    # given a distributor whose licence ran until 2026-03-01 (China's calendar)
    chain, client = build_chain(), Client()
    lapsing = party("宁波到期医药有限公司", "330203", ("drug_wholesaler",), "00004")
    Licence.objects.filter(pk=_licence(lapsing, "浙AA5740011", "drug_wholesale").pk).update(
        valid_until=dt.date(2026, 3, 1)
    )
    # when one document ships to it at 23:30 on 1 March and at 00:30 on 2 March, Beijing time
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning(),
            shipping("urn:uuid:s1", "2026-03-01T23:30:00+08:00", PACKS[:2], "00004"),
            shipping("urn:uuid:s2", "2026-03-02T00:30:00+08:00", PACKS[2:4], "00004"),
        ),
    )
    # then only the second shipment, made after the licence ran out, is flagged
    assert alerts() == [
        (
            "shipped_to_unlicensed",
            KEYS[2],
            XIHU,
            "330106",
            chain.manufacturer.uscc,
            APPROVAL,
            LOT,
            UNLICENSED_MESSAGE.format(approval=APPROVAL, uscc=lapsing.uscc),
            ["urn:uuid:s2"],
        )
    ]


@pytest.mark.django_db
def test_shipments_are_judged_by_the_licence_s_status_when_they_were_made() -> None:
    # given a distributor whose licence a regulator of 宁波 suspended on 1 April at 09:00 and reinstated
    # on 1 May at 09:00, and which is suspended again today
    chain, client = build_chain(), Client()
    licence = Licence.objects.get(enterprise=chain.distributor)
    change_status(client, licence, "suspended", dt.datetime(2026, 4, 1, 1, tzinfo=dt.UTC))
    change_status(client, licence, "valid", dt.datetime(2026, 5, 1, 1, tzinfo=dt.UTC))
    change_status(client, licence, "suspended", dt.datetime(2026, 11, 1, 1, tzinfo=dt.UTC))
    # when one document, uploaded now, reports shipments to it before, during and after the first
    # suspension (08:59 and 09:01 on 1 April, 09:01 on 1 May, Beijing time)
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning(),
            shipping("urn:uuid:s1", "2026-04-01T08:59:00+08:00", PACKS[:2], "00002"),
            shipping("urn:uuid:s2", "2026-04-01T09:01:00+08:00", PACKS[2:4], "00002"),
            shipping("urn:uuid:s3", "2026-05-01T09:01:00+08:00", PACKS[4:], "00002"),
        ),
    )
    # then only the shipment made while the licence was suspended is flagged
    assert alerts() == [
        (
            "shipped_to_unlicensed",
            KEYS[2],
            XIHU,
            "330106",
            chain.manufacturer.uscc,
            APPROVAL,
            LOT,
            UNLICENSED_MESSAGE.format(approval=APPROVAL, uscc=chain.distributor.uscc),
            ["urn:uuid:s2"],
        )
    ]


def change_status(client: Client, licence: Licence, status: str, when: dt.datetime) -> None:
    """A city regulator of 宁波 changes the licence's status over the registry API at `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        client.force_login(factories.make_user(f"ningbo_{when:%m%d}", Role.CITY_REGULATOR, "330200"))
        response = client.post(
            f"/api/registry/licences/{licence.pk}/status",
            {"version": Licence.objects.get(pk=licence.pk).version, "status": status, "reason": "飞行检查"},
            content_type="application/json",
        )
        client.logout()
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_shipment_to_a_hospital_without_licence_raises_no_alert() -> None:
    # given a hospital, which needs no drug distribution licence
    chain, client = build_chain(), Client()
    party("宁波市第一医院", "330203", ("medical_institution",), "00004")
    # when the manufacturer ships packs to it
    ship_from_manufacturer(client, chain, "00004")
    # then no alert is raised
    assert Pack.objects.filter(key__in=KEYS[:4], status="in_transit").count() == 4
    assert alerts() == []


# special_quantity_mismatch


def ship_six_packs_to_the_distributor(client: Client, chain: Chain) -> None:
    capture(
        client,
        chain.tokens["manufacturer"],
        document(commissioning(), shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", PACKS, "00002")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("control", ["narcotic", "psychotropic_1", "psychotropic_2", "toxic", "precursor"])
def test_partial_receipt_of_a_special_control_shipment_raises_one_alert_where_it_was_received(control: str) -> None:
    # given six packs of a special-control drug shipped to the distributor under one despatch advice
    chain, client = build_chain(special_control=control), Client()
    ship_six_packs_to_the_distributor(client, chain)
    # when the distributor reports receiving only four of them
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:4], "00002")),
    )
    # then one alert, in the receiver's queue, says two packs are missing and names the first
    [alert] = alerts()
    assert alert[1] == min(KEYS[4:]) == KEYS[4]  # the first missing pack by key
    assert alert[:1] + alert[2:] == (
        "special_quantity_mismatch",
        HAISHU,
        "330203",
        chain.distributor.uscc,
        APPROVAL,
        LOT,
        MISSING_MESSAGE.format(shipment=DA1, count=2),
        ["urn:uuid:r1"],
    )
    assert queue("330200") == [("special_quantity_mismatch", alert[1])]
    assert queue("330100") == []
    statuses = dict(Pack.objects.filter(key__in=KEYS).values_list("key", "status"))
    assert statuses == {**dict.fromkeys(KEYS[:4], "received"), **dict.fromkeys(KEYS[4:], "in_transit")}


@pytest.mark.django_db
@pytest.mark.parametrize("split", [[PACKS], [PACKS[:4], PACKS[4:]]], ids=["one_event", "two_events"])
def test_receipt_of_the_whole_special_control_shipment_raises_no_alert(split: list[list[str]]) -> None:
    # given six narcotic packs shipped to the distributor
    chain, client = build_chain(special_control="narcotic"), Client()
    ship_six_packs_to_the_distributor(client, chain)
    # when the distributor receives all six in one document
    events = [receiving(f"urn:uuid:r{n}", f"2026-03-02T09:0{n}:00+08:00", p, "00002") for n, p in enumerate(split)]
    capture(client, chain.tokens["distributor"], document(*events))
    # then every pack is received and no alert is raised
    assert set(Pack.objects.filter(key__in=KEYS).values_list("status", flat=True)) == {"received"}
    assert alerts() == []


@pytest.mark.django_db
def test_partial_receipt_of_an_ordinary_drug_raises_no_alert() -> None:
    # given six packs of a drug under no special control shipped to the distributor
    chain, client = build_chain(), Client()
    ship_six_packs_to_the_distributor(client, chain)
    # when the distributor receives only four of them
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:4], "00002")),
    )
    # then no alert is raised
    assert Pack.objects.filter(key__in=KEYS, status="in_transit").count() == 2
    assert alerts() == []


@pytest.mark.django_db
def test_the_rest_of_the_shipment_received_later_raises_no_second_alert() -> None:
    # given a narcotic shipment of which four packs were received, raising one alert
    chain, client = build_chain(special_control="narcotic"), Client()
    ship_six_packs_to_the_distributor(client, chain)
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:4], "00002")),
    )
    # when the last two packs are received the next day
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r2", "2026-03-03T09:00:00+08:00", PACKS[4:], "00002")),
    )
    # then the first alert stays the only one
    assert [(a[0], a[7], a[8]) for a in alerts()] == [
        ("special_quantity_mismatch", MISSING_MESSAGE.format(shipment=DA1, count=2), ["urn:uuid:r1"])
    ]
    assert set(Pack.objects.filter(key__in=KEYS).values_list("status", flat=True)) == {"received"}


@pytest.mark.django_db
@pytest.mark.parametrize(("control", "recorded"), [("narcotic", 6), ("", 0)], ids=["narcotic", "ordinary"])
def test_a_special_control_shipment_is_recorded_pack_by_pack_and_an_ordinary_one_is_not(
    control: str, recorded: int
) -> None:
    # when six packs are shipped to the distributor under one despatch advice
    chain, client = build_chain(special_control=control), Client()
    ship_six_packs_to_the_distributor(client, chain)
    # then each special-control pack is recorded under its shipment, and no ordinary pack is
    rows = sorted(SpecialControlShipmentPack.objects.values_list("shipment", "pack_key"))
    assert rows == [(DA1, key) for key in KEYS][:recorded]


@pytest.mark.django_db
def test_packs_shipped_on_under_another_advice_count_for_that_shipment_only() -> None:
    # given six narcotic packs shipped to the distributor under DA1, of which it received four
    chain, client = build_chain(special_control="narcotic"), Client()
    ship_six_packs_to_the_distributor(client, chain)
    distributor = chain.tokens["distributor"]
    capture(client, distributor, document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:4], "00002")))
    # and the four returned to the manufacturer under DA2, of which it received two
    da2 = "urn:epcglobal:cbv:bt:0614141000005:DA2"
    back = shipping("urn:uuid:s2", "2026-03-02T12:00:00+08:00", PACKS[:4], "00001", at="00002", advice=da2)
    capture(client, distributor, document(back))
    late = receiving("urn:uuid:r2", "2026-03-03T09:00:00+08:00", PACKS[:2], "00001")
    capture(client, chain.tokens["manufacturer"], document(late))
    # when the distributor receives the last two packs of DA1
    capture(client, distributor, document(receiving("urn:uuid:r3", "2026-03-03T10:00:00+08:00", PACKS[4:], "00002")))

    # then DA1 had two packs missing once, DA2 has two, and the packs moving under DA2 are not DA1's
    assert [(a[1], a[7], a[8]) for a in alerts() if a[0] == "special_quantity_mismatch"] == [
        (KEYS[2], MISSING_MESSAGE.format(shipment=da2, count=2), ["urn:uuid:r2"]),
        (KEYS[4], MISSING_MESSAGE.format(shipment=DA1, count=2), ["urn:uuid:r1"]),
    ]
    assert persistence._in_shipments({DA1}) == []
    assert sorted(p.key for p in persistence._in_shipments({da2, DA1})) == KEYS[2:4]


def ship_two_cases_to_the_distributor(client: Client, chain: Chain) -> None:
    """The manufacturer commissions the six packs, packs them into CASE_1 and CASE_2 (three each) and
    ships both cases to the distributor under one despatch advice."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning(),
            aggregation("urn:uuid:a1", "2026-03-01T09:10:00+08:00", CASE_1, PACKS[:3], "00001"),
            aggregation("urn:uuid:a2", "2026-03-01T09:11:00+08:00", CASE_2, PACKS[3:], "00001"),
            shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", [CASE_1, CASE_2], "00002"),
        ),
    )


@pytest.mark.django_db
def test_receipt_of_one_case_of_two_counts_the_packs_of_the_other() -> None:
    # given six psychotropic packs in two cases of three, both cases shipped under one despatch advice
    chain, client = build_chain(special_control="psychotropic_2"), Client()
    ship_two_cases_to_the_distributor(client, chain)
    # when the distributor scans only the first case
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", [CASE_1], "00002")),
    )
    # then one alert counts the three packs of the second case (the case itself is not a pack)
    [alert] = alerts()
    assert alert[1] == min(KEYS[3:]) == KEYS[3]  # the first missing pack by key
    assert alert[:1] + alert[2:] == (
        "special_quantity_mismatch",
        HAISHU,
        "330203",
        chain.distributor.uscc,
        APPROVAL,
        LOT,
        MISSING_MESSAGE.format(shipment=DA1, count=3),
        ["urn:uuid:r1"],
    )
    states = dict(Pack.objects.filter(key__in=[*KEYS, parse_code(CASE_2).key]).values_list("key", "status"))
    assert states == {
        **dict.fromkeys(KEYS[:3], "received"),
        **dict.fromkeys([*KEYS[3:], parse_code(CASE_2).key], "in_transit"),
    }


@pytest.mark.django_db
def test_receipt_of_every_case_of_a_special_control_shipment_raises_no_alert() -> None:
    # given six narcotic packs in two cases shipped under one despatch advice
    chain, client = build_chain(special_control="narcotic"), Client()
    ship_two_cases_to_the_distributor(client, chain)
    # when the distributor scans both cases
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", [CASE_1, CASE_2], "00002")),
    )
    # then no alert is raised
    assert set(Pack.objects.filter(key__in=KEYS).values_list("status", flat=True)) == {"received"}
    assert alerts() == []


# special_outside_channel


def deliver_to_the_pharmacy(client: Client, chain: Chain, packs: list[str]) -> None:
    """The manufacturer commissions the six packs and ships `packs` to the pharmacy, which receives them."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(commissioning(), shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", packs, "00003")),
    )
    capture(
        client,
        chain.tokens["pharmacy"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", packs, "00003")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("control", "step", "disposition"),
    [("narcotic", "retail_selling", "retail_sold"), ("psychotropic_1", "dispensing", "dispensed")],
)
def test_narcotic_dispensed_by_a_retail_pharmacy_raises_an_alert_per_pack(
    control: str, step: str, disposition: str
) -> None:
    # given two packs of a narcotic or class I psychotropic drug received by the retail pharmacy
    chain, client = build_chain(special_control=control), Client()
    deliver_to_the_pharmacy(client, chain, PACKS[:2])
    # when the pharmacy dispenses both
    capture(
        client,
        chain.tokens["pharmacy"],
        document(object_event("urn:uuid:d1", "2026-03-03T15:00:00+08:00", step, disposition, PACKS[:2], "00003")),
    )
    # then each pack raises an alert in the pharmacy's queue
    message = CHANNEL_MESSAGE.format(approval=APPROVAL, control=control)
    assert alerts() == [
        (
            "special_outside_channel",
            key,
            HAISHU,
            "330203",
            chain.pharmacy.uscc,
            APPROVAL,
            LOT,
            message,
            ["urn:uuid:d1"],
        )
        for key in KEYS[:2]
    ]
    assert queue("330200") == [("special_outside_channel", KEYS[0]), ("special_outside_channel", KEYS[1])]
    assert queue("330100") == []
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", flat=True)) == {"dispensed"}


@pytest.mark.django_db
@pytest.mark.parametrize("control", ["psychotropic_2", "toxic", ""])
def test_other_drugs_dispensed_by_a_retail_pharmacy_raise_no_alert(control: str) -> None:
    # given two packs of a class II psychotropic (or other) drug received by the retail pharmacy
    chain, client = build_chain(special_control=control), Client()
    deliver_to_the_pharmacy(client, chain, PACKS[:2])
    # when the pharmacy sells both
    capture(
        client,
        chain.tokens["pharmacy"],
        document(
            object_event(
                "urn:uuid:d1", "2026-03-03T15:00:00+08:00", "retail_selling", "retail_sold", PACKS[:2], "00003"
            )
        ),
    )
    # then the packs are dispensed and no alert is raised
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", flat=True)) == {"dispensed"}
    assert alerts() == []


@pytest.mark.django_db
def test_narcotic_dispensed_by_a_hospital_raises_no_alert() -> None:
    # given narcotic packs shipped to and received by a hospital (no licence needed)
    chain, client = build_chain(special_control="narcotic"), Client()
    hospital = party("宁波市第一医院", "330203", ("medical_institution",), "00004")
    token = token_of(hospital, Role.MEDICAL_INSTITUTION)
    capture(
        client,
        chain.tokens["manufacturer"],
        document(commissioning(), shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", PACKS[:2], "00004")),
    )
    capture(client, token, document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:2], "00004")))
    # when the hospital dispenses them
    capture(
        client,
        token,
        document(
            object_event("urn:uuid:d1", "2026-03-03T15:00:00+08:00", "dispensing", "dispensed", PACKS[:2], "00004")
        ),
    )
    # then no alert is raised: the hospital is within the licensed channel
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", flat=True)) == {"dispensed"}
    assert alerts() == []


def ship_a_case_of_three(client: Client, chain: Chain, to: str) -> None:
    """The manufacturer commissions the six packs, packs the first three into CASE_1 and ships the
    case to the site `to`."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning(),
            aggregation("urn:uuid:a1", "2026-03-01T09:10:00+08:00", CASE_1, PACKS[:3], "00001"),
            shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", [CASE_1], to),
        ),
    )


@pytest.mark.django_db
def test_narcotic_case_dispensed_by_a_retail_pharmacy_raises_an_alert_per_pack() -> None:
    # given a case of three narcotic packs received by the retail pharmacy
    chain, client = build_chain(special_control="narcotic"), Client()
    ship_a_case_of_three(client, chain, "00003")
    capture(
        client,
        chain.tokens["pharmacy"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", [CASE_1], "00003")),
    )
    # when the pharmacy sells the whole case, scanning the case's code
    capture(
        client,
        chain.tokens["pharmacy"],
        document(
            object_event("urn:uuid:d1", "2026-03-03T15:00:00+08:00", "retail_selling", "retail_sold", [CASE_1], "00003")
        ),
    )
    # then each narcotic pack dispensed raises its alert, as when the packs are scanned one by one
    assert set(Pack.objects.filter(key__in=KEYS[:3]).values_list("status", flat=True)) == {"dispensed"}
    assert [(a[0], a[1], a[2], a[8]) for a in alerts()] == [
        ("special_outside_channel", key, HAISHU, ["urn:uuid:d1"]) for key in KEYS[:3]
    ]


# received_without_shipment: a shipment received by a party it was not addressed to

DIVERTED_MESSAGE = "{key} was received by {receiver}, but its shipment was addressed to {addressees}."


def shipped_to(client: Client, chain: Chain, destinations: list[tuple[str, str]]) -> None:
    """The manufacturer commissions the six packs and ships the first two with `destinations`, a
    destination list of (party type, location) pairs."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning(),
            object_event(
                "urn:uuid:s1",
                "2026-03-01T10:00:00+08:00",
                "shipping",
                "in_transit",
                PACKS[:2],
                "00001",
                destinationList=[{"type": kind, "destination": pgln(to)} for kind, to in destinations],
            ),
        ),
    )


@pytest.mark.django_db
def test_a_shipment_received_by_a_party_it_was_not_addressed_to_raises_an_alert_per_pack() -> None:
    # given two packs shipped to the distributor
    chain, client = build_chain(), Client()
    shipped_to(client, chain, [("owning_party", "00002")])
    # when the pharmacy, not the distributor, reports receiving them (a diversion)
    capture(
        client,
        chain.tokens["pharmacy"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:2], "00003")),
    )
    # then each pack raises an alert in the receiver's queue with the shipment and the receipt as evidence
    assert alerts() == [
        (
            "received_without_shipment",
            key,
            HAISHU,
            "330203",
            chain.pharmacy.uscc,
            APPROVAL,
            LOT,
            DIVERTED_MESSAGE.format(key=key, receiver=chain.pharmacy.uscc, addressees=chain.distributor.uscc),
            ["urn:uuid:r1", "urn:uuid:s1"],
        )
        for key in KEYS[:2]
    ]
    assert queue("330200") == [("received_without_shipment", KEYS[0]), ("received_without_shipment", KEYS[1])]
    # and the pharmacy holds them now, as it reported
    assert (
        sorted(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", "holder_enterprise_code"))
        == [("received", chain.pharmacy.uscc)] * 2
    )


@pytest.mark.django_db
@pytest.mark.parametrize("receiver", ["owner", "logistics"])
def test_a_shipment_to_an_owner_through_its_logistics_provider_received_by_either_raises_no_alert(
    receiver: str,
) -> None:
    # given a logistics provider in 杭州 whose warehouse receives what the distributor owns
    chain, client = build_chain(), Client()
    logistics = party("杭州第三方医药物流有限公司", "330106", ("drug_wholesaler",), "00005")
    _licence(logistics, "浙AA5740012", "drug_wholesale")
    # when the manufacturer ships two packs to the distributor, delivered to the warehouse
    shipped_to(client, chain, [("owning_party", "00002"), ("possessing_party", "00005"), ("location", "00005")])
    # then the packs keep both receiving parties, each once, in the destination list's order
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("destination_enterprise_code", flat=True)) == {
        f"{chain.distributor.uscc},{logistics.uscc}"
    }
    # and a receipt by either party raises no alert
    token, location = (
        (chain.tokens["distributor"], "00002")
        if receiver == "owner"
        else (token_of(logistics, Role.DISTRIBUTOR), "00005")
    )
    capture(client, token, document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:2], location)))
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", "destination_enterprise_code")) == {
        ("received", "")
    }
    assert alerts() == []


@pytest.mark.django_db
def test_a_shipment_naming_no_registered_party_is_not_checked_on_receipt() -> None:
    # given two packs shipped with a destination list naming only a GLN no enterprise registered
    chain, client = build_chain(), Client()
    shipped_to(client, chain, [("owning_party", "00009")])
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", "destination_enterprise_code")) == {
        ("in_transit", "")
    }
    # when the pharmacy receives them
    capture(
        client,
        chain.tokens["pharmacy"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:2], "00003")),
    )
    # then nothing is raised: the platform cannot tell whom the shipment was for
    assert alerts() == []


@pytest.mark.django_db
def test_a_diversion_received_as_sellable_stock_raises_the_alert_too() -> None:
    # given two packs shipped to the distributor
    chain, client = build_chain(), Client()
    shipped_to(client, chain, [("owning_party", "00002")])
    # when the pharmacy receives them straight into sellable stock
    capture(
        client,
        chain.tokens["pharmacy"],
        document(
            object_event(
                "urn:uuid:r1", "2026-03-02T09:00:00+08:00", "receiving", "sellable_accessible", PACKS[:2], "00003"
            )
        ),
    )
    # then the disposition changes nothing: each pack is flagged, and is in the pharmacy's stock
    assert [(a[0], a[1], a[7]) for a in alerts()] == [
        (
            "received_without_shipment",
            key,
            DIVERTED_MESSAGE.format(key=key, receiver=chain.pharmacy.uscc, addressees=chain.distributor.uscc),
        )
        for key in KEYS[:2]
    ]
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", "holder_enterprise_code")) == {
        ("in_stock", chain.pharmacy.uscc)
    }


@pytest.mark.django_db
def test_a_diverted_case_raises_the_alert_for_the_case_and_each_pack_inside() -> None:
    # given a case of three packs shipped to the distributor
    chain, client = build_chain(), Client()
    ship_a_case_of_three(client, chain, "00002")
    # when the pharmacy receives the case
    capture(
        client,
        chain.tokens["pharmacy"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", [CASE_1], "00003")),
    )
    # then the case and each pack inside it are flagged in the pharmacy's queue
    case_key = parse_code(CASE_1).key
    addressed = {"receiver": chain.pharmacy.uscc, "addressees": chain.distributor.uscc}
    assert [(a[0], a[1], a[2], a[5], a[7], a[8]) for a in alerts()] == sorted(
        [
            (
                "received_without_shipment",
                key,
                HAISHU,
                approval,
                DIVERTED_MESSAGE.format(key=key, **addressed),
                evidence,
            )
            for key, approval, evidence in [
                *((k, APPROVAL, ["urn:uuid:r1", "urn:uuid:s1"]) for k in KEYS[:3]),
                (case_key, "", ["urn:uuid:r1", "urn:uuid:s1"]),
            ]
        ]
    )


@pytest.mark.django_db
def test_the_shipper_taking_back_a_refused_delivery_raises_no_alert() -> None:
    # given two packs shipped to the distributor, who refuses them at the door
    chain, client = build_chain(), Client()
    shipped_to(client, chain, [("owning_party", "00002")])
    # when the manufacturer receives them back at its own site
    capture(
        client,
        chain.tokens["manufacturer"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", PACKS[:2], "00001")),
    )
    # then nothing is raised, and the packs are back in the manufacturer's hands
    assert alerts() == []
    assert set(Pack.objects.filter(key__in=KEYS[:2]).values_list("status", "holder_enterprise_code")) == {
        ("received", chain.manufacturer.uscc)
    }
