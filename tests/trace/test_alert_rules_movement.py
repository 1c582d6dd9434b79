"""End to end over HTTP: the movement alert rules — a code never commissioned, a pack received while
no shipment of it is in transit, any movement of a recalled or an expired batch — each raised with its evidence
events in the queue of the jurisdiction where the event happened, and not raised in the cases next to it."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from medreg.trace.models import Alert, Event, Pack, Recall
from tests.trace.alert_queue import queue
from tests.trace.epcis_builders import (
    Chain,
    aggregation,
    build_chain,
    document,
    gtin,
    object_event,
    pgln,
    receiving,
    sgtin,
    sscc,
)
from tests.trace.test_walk_one_batch import capture

APPROVAL = "国药准字H20240001"
LOT, OTHER_LOT = "L2026A", "L2026B"
NINGBO = "/000000/330000/330200/330203/"  # 宁波市海曙区: the distributor and the pharmacy
HANGZHOU = "/000000/330000/330100/330106/"  # 杭州市西湖区: the manufacturer
CASE = sscc(1)


def key(serial: int) -> str:
    return f"gs1:01/{gtin('00001')}/21/{serial}"


def packs(*serials: int) -> list[str]:
    return [sgtin("00001", n) for n in serials]


def commissioning(
    event_id: str, time: str, serials: list[int], lot: str = LOT, expiry: str = "2028-02-29"
) -> dict[str, Any]:
    ilmd = {"cbvmda:lotNumber": lot, "cbvmda:itemExpirationDate": expiry}
    return object_event(event_id, time, "commissioning", "active", packs(*serials), "00001", "ADD", ilmd=ilmd)


def shipping(event_id: str, time: str, epcs: list[str], location: str, to: str) -> dict[str, Any]:
    return object_event(
        event_id,
        time,
        "shipping",
        "in_transit",
        epcs,
        location,
        destinationList=[{"type": "owning_party", "destination": pgln(to)}],
    )


def alerts() -> list[tuple[Any, ...]]:
    """Every alert as (rule, pack, jurisdiction path, jurisdiction code, approval number, lot,
    enterprise, evidence event identities), sorted."""
    return sorted(
        (
            a.rule,
            a.pack_key,
            a.jurisdiction_path,
            a.jurisdiction_code,
            a.approval_number,
            a.lot,
            a.enterprise_code,
            sorted(a.evidence.values_list("identity", flat=True)),
        )
        for a in Alert.objects.all()
    )


def counts(job: dict[str, Any]) -> tuple[Any, ...]:
    return job["storedCount"], job["duplicateCount"]


def commissioned_and_shipped(client: Client, chain: Chain, serials: list[int]) -> None:
    """The manufacturer commissions packs of batch LOT and ships them to the distributor."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning("urn:uuid:c1", "2026-03-01T09:00:00+08:00", serials),
            shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", packs(*serials), "00001", "00002"),
        ),
    )


# -- code_not_commissioned -----------------------------------------------------------------------


@pytest.mark.django_db
def test_receiving_a_code_never_commissioned_raises_code_not_commissioned_in_the_receivers_queue() -> None:
    # given a supply chain where pack 99 was never commissioned
    chain, client = build_chain(), Client()
    commissioned_and_shipped(client, chain, [1])
    # when the distributor reports receiving pack 99 along with the shipped pack 1
    job = capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", packs(1, 99), "00002")),
    )
    # then the event is stored, and one alert for pack 99 lands in 宁波市海曙区's queue
    assert counts(job) == (1, 0)
    assert Event.objects.filter(identity="urn:uuid:r1").count() == 1
    assert alerts() == [
        ("code_not_commissioned", key(99), NINGBO, "330203", "", "", chain.distributor.uscc, ["urn:uuid:r1"])
    ]
    assert queue("330200") == [("code_not_commissioned", key(99))]
    assert queue("330100") == []
    # and no pack is made up for the unknown code
    assert not Pack.objects.filter(key=key(99)).exists()


@pytest.mark.django_db
def test_packing_a_code_never_commissioned_raises_code_not_commissioned_in_the_packers_queue() -> None:
    # given packs 1 and 2 commissioned, and pack 99 never
    chain, client = build_chain(), Client()
    capture(
        client,
        chain.tokens["manufacturer"],
        document(commissioning("urn:uuid:c1", "2026-03-01T09:00:00+08:00", [1, 2])),
    )
    # when the manufacturer packs all three into a new case
    job = capture(
        client,
        chain.tokens["manufacturer"],
        document(aggregation("urn:uuid:a1", "2026-03-01T09:10:00+08:00", CASE, packs(1, 2, 99), "00001")),
    )
    # then only pack 99 is flagged (the new case is not), in 杭州市西湖区's queue
    assert counts(job) == (1, 0)
    assert alerts() == [
        ("code_not_commissioned", key(99), HANGZHOU, "330106", "", "", chain.manufacturer.uscc, ["urn:uuid:a1"])
    ]
    assert queue("330100") == [("code_not_commissioned", key(99))]
    assert queue("330200") == []


@pytest.mark.django_db
def test_moving_commissioned_codes_raises_no_code_not_commissioned() -> None:
    # given packs commissioned and packed into a case by the manufacturer
    chain, client = build_chain(), Client()
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning("urn:uuid:c1", "2026-03-01T09:00:00+08:00", [1, 2]),
            aggregation("urn:uuid:a1", "2026-03-01T09:10:00+08:00", CASE, packs(1, 2), "00001"),
            shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", [CASE], "00001", "00002"),
        ),
    )
    # when the distributor receives the case and unpacks it
    job = capture(
        client,
        chain.tokens["distributor"],
        document(
            receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", [CASE], "00002"),
            aggregation("urn:uuid:a2", "2026-03-02T09:30:00+08:00", CASE, [], "00002", "DELETE"),
        ),
    )
    # then both events are stored and nothing is flagged
    assert counts(job) == (2, 0)
    assert alerts() == []


# -- received_without_shipment -------------------------------------------------------------------


@pytest.mark.django_db
def test_receiving_packs_never_shipped_raises_received_without_shipment_per_pack() -> None:
    # given packs 1 and 2 commissioned at the manufacturer and never shipped
    chain, client = build_chain(), Client()
    capture(
        client,
        chain.tokens["manufacturer"],
        document(commissioning("urn:uuid:c1", "2026-03-01T09:00:00+08:00", [1, 2])),
    )
    # when the distributor reports receiving them
    job = capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", packs(1, 2), "00002")),
    )
    # then the receipt is stored, and each pack has an alert in 宁波市海曙区's queue with the
    # commissioning (the pack's last event) and the receipt as evidence
    assert counts(job) == (1, 0)
    evidence = ["urn:uuid:c1", "urn:uuid:r1"]
    assert alerts() == [
        ("received_without_shipment", key(n), NINGBO, "330203", APPROVAL, LOT, chain.distributor.uscc, evidence)
        for n in (1, 2)
    ]
    assert sorted(queue("330200")) == [("received_without_shipment", key(1)), ("received_without_shipment", key(2))]
    assert queue("330100") == []


@pytest.mark.django_db
def test_receiving_a_pack_a_second_time_raises_received_without_shipment() -> None:
    # given pack 1 shipped to the distributor and received there
    chain, client = build_chain(), Client()
    commissioned_and_shipped(client, chain, [1])
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", packs(1), "00002")),
    )
    # when the distributor reports receiving it again, with no shipment in between
    job = capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r2", "2026-03-03T09:00:00+08:00", packs(1), "00002")),
    )
    # then the second receipt is flagged with both receipts as evidence
    assert counts(job) == (1, 0)
    assert alerts() == [
        (
            "received_without_shipment",
            key(1),
            NINGBO,
            "330203",
            APPROVAL,
            LOT,
            chain.distributor.uscc,
            ["urn:uuid:r1", "urn:uuid:r2"],
        )
    ]


@pytest.mark.django_db
def test_receiving_packs_shipped_to_the_receiver_raises_no_alert() -> None:
    # given packs 1 and 2 shipped by the manufacturer to the distributor
    chain, client = build_chain(), Client()
    commissioned_and_shipped(client, chain, [1, 2])
    # when the distributor receives them
    job = capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", packs(1, 2), "00002")),
    )
    # then the packs are the distributor's and nothing is flagged
    assert counts(job) == (1, 0)
    states = {p.key: (p.status, p.holder_enterprise_code) for p in Pack.objects.all()}
    assert states == {key(n): ("received", chain.distributor.uscc) for n in (1, 2)}
    assert alerts() == []


# -- recalled_batch_movement ---------------------------------------------------------------------


def two_batches_at_the_distributor(client: Client, chain: Chain) -> None:
    """Packs 1-4 of batch LOT and 5-6 of batch OTHER_LOT, shipped to and received by the distributor."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(
            commissioning("urn:uuid:c1", "2026-03-01T09:00:00+08:00", [1, 2, 3, 4]),
            commissioning("urn:uuid:c2", "2026-03-01T09:01:00+08:00", [5, 6], lot=OTHER_LOT),
            shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", packs(1, 2, 3, 4, 5, 6), "00001", "00002"),
        ),
    )
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", packs(1, 2, 3, 4, 5, 6), "00002")),
    )


RECALL_BEGAN = dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def recall(client: Client, chain: Chain, lot: str) -> None:
    """The marketing authorization holder starts a recall of `lot` through the API; it is dated back to
    RECALL_BEGAN, 3 March 08:00, so that the events of 3 March below happen after it (the API starts a
    recall at the moment of the call)."""
    response = client.post(
        "/api/trace/recalls",
        data={"approval_number": APPROVAL, "lot": lot, "reason": "含量不合格", "level": 1},
        content_type="application/json",
        headers={"Authorization": f"Bearer {chain.tokens['manufacturer']}"},
    )
    assert response.status_code == 201, response.content
    assert Recall.objects.filter(lot=lot).update(initiated_at=RECALL_BEGAN) == 1


@pytest.mark.django_db
def test_shipping_a_recalled_batch_raises_one_recalled_batch_movement_alert_for_the_batch() -> None:
    # given two batches at the distributor, and the holder recalls batch LOT
    chain, client = build_chain(), Client()
    two_batches_at_the_distributor(client, chain)
    recall(client, chain, LOT)
    assert list(Recall.objects.values_list("approval_number", "lot")) == [(APPROVAL, LOT)]
    # when the distributor ships packs of the recalled batch in two events, one mixed with the other batch
    job = capture(
        client,
        chain.tokens["distributor"],
        document(
            shipping("urn:uuid:s2", "2026-03-03T09:00:00+08:00", packs(1, 2), "00002", "00003"),
            shipping("urn:uuid:s3", "2026-03-03T09:05:00+08:00", packs(5, 3), "00002", "00003"),
        ),
    )
    # then both events are stored, and one alert for the recalled batch (none for the other) lands in
    # 宁波市海曙区's queue with both shipments as evidence
    assert counts(job) == (2, 0)
    assert alerts() == [
        (
            "recalled_batch_movement",
            key(1),
            NINGBO,
            "330203",
            APPROVAL,
            LOT,
            chain.distributor.uscc,
            ["urn:uuid:s2", "urn:uuid:s3"],
        )
    ]
    assert queue("330200") == [("recalled_batch_movement", key(1))]
    assert queue("330100") == []


@pytest.mark.django_db
def test_a_move_before_the_recall_began_reported_after_it_raises_no_recall_alert() -> None:
    # given batch LOT at the distributor, recalled from 3 March 08:00
    chain, client = build_chain(), Client()
    two_batches_at_the_distributor(client, chain)
    recall(client, chain, LOT)
    # when the distributor reports, after the recall began, a shipment it made at 07:59 that morning
    job = capture(
        client,
        chain.tokens["distributor"],
        document(shipping("urn:uuid:s2", "2026-03-03T07:59:00+08:00", packs(1, 2), "00002", "00003")),
    )
    # then the shipment is stored and nothing is flagged: the batch was not recalled when it moved
    assert counts(job) == (1, 0)
    assert alerts() == []
    assert set(Pack.objects.filter(key__in=[key(1), key(2)]).values_list("status", flat=True)) == {"in_transit"}


@pytest.mark.django_db
def test_moving_a_batch_that_is_not_recalled_raises_no_recall_alert() -> None:
    # given two batches at the distributor, and the holder recalls batch LOT
    chain, client = build_chain(), Client()
    two_batches_at_the_distributor(client, chain)
    recall(client, chain, LOT)
    # when the distributor ships only packs of the other batch, and the pharmacy receives and sells one
    capture(
        client,
        chain.tokens["distributor"],
        document(shipping("urn:uuid:s2", "2026-03-03T09:00:00+08:00", packs(5, 6), "00002", "00003")),
    )
    job = capture(
        client,
        chain.tokens["pharmacy"],
        document(
            receiving("urn:uuid:r2", "2026-03-04T09:00:00+08:00", packs(5, 6), "00003"),
            object_event(
                "urn:uuid:d1", "2026-03-05T09:00:00+08:00", "retail_selling", "retail_sold", packs(5), "00003"
            ),
        ),
    )
    # then nothing is flagged
    assert counts(job) == (2, 0)
    assert alerts() == []


@pytest.mark.django_db
def test_destroying_a_recalled_batch_raises_no_recall_alert() -> None:
    # given batch LOT at the distributor, recalled by the holder
    chain, client = build_chain(), Client()
    two_batches_at_the_distributor(client, chain)
    recall(client, chain, LOT)
    # when the distributor destroys packs of the recalled batch
    job = capture(
        client,
        chain.tokens["distributor"],
        document(
            object_event("urn:uuid:x1", "2026-03-03T09:00:00+08:00", "destroying", "destroyed", packs(1, 2), "00002")
        ),
    )
    # then the destruction is stored, the packs are destroyed and nothing is flagged
    assert counts(job) == (1, 0)
    assert set(Pack.objects.filter(key__in=[key(1), key(2)]).values_list("status", flat=True)) == {"destroyed"}
    assert alerts() == []


# -- expired_batch_movement: judged at the event's time, not today ---------------------------------

EXPIRY = "2026-03-01"


def expiring_batch(client: Client, chain: Chain) -> None:
    """Packs 1-3 of batch LOT, expiring on EXPIRY, commissioned before it."""
    capture(
        client,
        chain.tokens["manufacturer"],
        document(commissioning("urn:uuid:c1", "2026-02-20T09:00:00+08:00", [1, 2, 3], expiry=EXPIRY)),
    )


@pytest.mark.django_db
def test_moving_a_batch_after_its_expiry_date_raises_expired_batch_movement_where_it_moved() -> None:
    # given a batch expiring on 2026-03-01
    chain, client = build_chain(), Client()
    expiring_batch(client, chain)
    # when the manufacturer ships its packs the day after, and the distributor receives them the day after that
    shipped = capture(
        client,
        chain.tokens["manufacturer"],
        document(shipping("urn:uuid:s1", "2026-03-02T09:00:00+08:00", packs(1, 2, 3), "00001", "00002")),
    )
    received = capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-03T09:00:00+08:00", packs(1, 2, 3), "00002")),
    )
    # then both events are stored, and each gives one alert for the batch, in the queue of the place it happened
    assert (counts(shipped), counts(received)) == ((1, 0), (1, 0))
    assert alerts() == [
        ("expired_batch_movement", key(1), HANGZHOU, "330106", APPROVAL, LOT, chain.manufacturer.uscc, ["urn:uuid:s1"]),
        ("expired_batch_movement", key(1), NINGBO, "330203", APPROVAL, LOT, chain.distributor.uscc, ["urn:uuid:r1"]),
    ]
    assert queue("330100") == [("expired_batch_movement", key(1))]
    assert queue("330200") == [("expired_batch_movement", key(1))]


@pytest.mark.django_db
def test_moving_a_batch_in_the_early_hours_after_its_expiry_date_raises_expired_batch_movement() -> None:
    # given a batch expiring on 2026-03-01
    chain, client = build_chain(), Client()
    expiring_batch(client, chain)
    # when the manufacturer ships it at 01:00 on 2026-03-02, Beijing time (still 2026-03-01 in UTC)
    job = capture(
        client,
        chain.tokens["manufacturer"],
        document(shipping("urn:uuid:s1", "2026-03-02T01:00:00+08:00", packs(1, 2, 3), "00001", "00002")),
    )
    # then the expiry date has passed where and when the packs moved
    assert counts(job) == (1, 0)
    assert alerts() == [
        ("expired_batch_movement", key(1), HANGZHOU, "330106", APPROVAL, LOT, chain.manufacturer.uscc, ["urn:uuid:s1"])
    ]


@pytest.mark.django_db
def test_moving_a_batch_on_or_before_its_expiry_date_raises_no_alert_though_it_has_expired_today() -> None:
    # given a batch that expired on 2026-03-01, a date already past today
    chain, client = build_chain(), Client()
    expiring_batch(client, chain)
    assert dt.date.fromisoformat(EXPIRY) < timezone.localdate()
    # when it is shipped on the day before and received late on the expiry date itself
    shipped = capture(
        client,
        chain.tokens["manufacturer"],
        document(shipping("urn:uuid:s1", "2026-02-28T09:00:00+08:00", packs(1, 2, 3), "00001", "00002")),
    )
    received = capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-03-01T23:00:00+08:00", packs(1, 2, 3), "00002")),
    )
    # then the events are stored and nothing is flagged: the batch had not expired when it moved
    assert (counts(shipped), counts(received)) == ((1, 0), (1, 0))
    assert alerts() == []


@pytest.mark.django_db
def test_destroying_an_expired_batch_raises_no_alert() -> None:
    # given a batch expiring on 2026-03-01, shipped to and received by the distributor before then
    chain, client = build_chain(), Client()
    expiring_batch(client, chain)
    capture(
        client,
        chain.tokens["manufacturer"],
        document(shipping("urn:uuid:s1", "2026-02-27T09:00:00+08:00", packs(1, 2, 3), "00001", "00002")),
    )
    capture(
        client,
        chain.tokens["distributor"],
        document(receiving("urn:uuid:r1", "2026-02-28T09:00:00+08:00", packs(1, 2, 3), "00002")),
    )
    # when the distributor destroys the expired packs
    job = capture(
        client,
        chain.tokens["distributor"],
        document(
            object_event("urn:uuid:x1", "2026-03-05T09:00:00+08:00", "destroying", "destroyed", packs(1, 2, 3), "00002")
        ),
    )
    # then the destruction is stored and nothing is flagged
    assert counts(job) == (1, 0)
    assert set(Pack.objects.values_list("status", flat=True)) == {"destroyed"}
    assert alerts() == []
