"""The capture hot path's shortcuts give exactly what the general code gives: plain sgtin URNs read
without the full parser, COPY text and array literals built in one string, and packs loaded level by
level down to the packs inside the cases inside a pallet."""

import datetime as dt
import json
from unittest import mock

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from medreg.trace.codes import CodeError, parse_code
from medreg.trace.codes.parsing import plain_sgtin
from medreg.trace.models import CaptureJob, Event, EventEpc, Pack
from medreg.trace.services import processing, resolution
from medreg.trace.services.bulk_sql import copy_text, fast_cursor, text_array
from medreg.trace.services.persistence import _change_line, _change_values, _pack_line, _pack_values, store_packs
from medreg.trace.services.resolution import CodeFacts, code_facts, object_key
from medreg.trace.state import PackBook, PackState
from tests.trace.epcis_builders import (
    aggregation,
    build_chain,
    commissioning_document,
    document,
    gtin,
    object_event,
    sgtin,
    sscc,
)
from tests.trace.test_walk_one_batch import KEYS, PACKS, capture

SERIAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@given(
    company_length=st.integers(min_value=6, max_value=12),
    digits=st.text(alphabet="0123456789", min_size=13, max_size=13),
    serial=st.text(alphabet=SERIAL_CHARS, min_size=1, max_size=20),
)
def test_plain_sgtin_equals_the_full_parser(company_length: int, digits: str, serial: str) -> None:
    urn = f"urn:epc:id:sgtin:{digits[:company_length]}.{digits[company_length:]}.{serial}"
    parsed = parse_code(urn)
    assert plain_sgtin(urn) == (parsed.gtin, parsed.serial)
    assert code_facts(urn) == CodeFacts("sgtin", parsed.key, parsed.gtin, parsed.serial)
    assert object_key(urn) == parsed.key


@given(st.text(alphabet="urn:epcidsgtin.%/ 0123456789AZaz\n", max_size=40))
def test_any_text_gets_the_full_parsers_answer(text: str) -> None:
    # the shortcut answers only what the full parser answers the same way; the rest goes to it
    try:
        parsed = parse_code(text)
    except CodeError:
        assert plain_sgtin(text) is None
        with pytest.raises(CodeError):
            code_facts(text)
        return
    facts = code_facts(text)
    assert (facts.kind, facts.key, facts.gtin, facts.serial, facts.lot) == (
        parsed.kind,
        parsed.key,
        parsed.gtin,
        parsed.serial,
        parsed.lot,
    )


def test_plain_sgtin_leaves_escapes_spaces_and_odd_lengths_to_the_full_parser() -> None:
    assert plain_sgtin("urn:epc:id:sgtin:0614141.107346.2017") == ("10614141073464", "2017")
    assert plain_sgtin("urn:epc:id:sgtin:0614141.107346.20%2F17") is None
    assert plain_sgtin(" urn:epc:id:sgtin:0614141.107346.2017") is None
    assert plain_sgtin("urn:epc:id:sgtin:0614141.107346.2017\n") is None
    assert plain_sgtin("urn:epc:id:sgtin:0614141.10734.2017") is None
    assert code_facts("urn:epc:id:sgtin:0614141.107346.20%2F17").key == "gs1:01/10614141073464/21/20%2F17"


@pytest.mark.django_db
def test_resolving_a_commissioning_document_reads_each_code_once() -> None:
    # given a stored job commissioning 3 x 4 packs
    chain = build_chain()
    job = CaptureJob.objects.create(sender_enterprise_code=chain.manufacturer.uscc, format="json", size_bytes=1,
                                    jurisdiction_path=chain.manufacturer.jurisdiction.path,
                                    document=json.dumps(commissioning_document("once", 3, 4)).encode())  # fmt: skip
    events, _ = processing.read_job(job)
    # when it is resolved, counting the codes read
    with (
        mock.patch.object(resolution, "code_facts", side_effect=resolution.code_facts) as read,
        mock.patch.object(resolution, "object_key", side_effect=resolution.object_key) as keyed,
    ):
        resolved = processing.resolve(events, job)
    # then each of the 12 codes was read once, for its product, its key and its new pack alike
    assert sorted(c.args[0] for c in read.call_args_list) == sorted(sgtin("00001", n) for n in range(12))
    assert keyed.call_count == 0
    assert [s.keys for s in resolved.steps] == [tuple(p.key for p in s.new_packs) for s in resolved.steps]
    assert resolved.steps[0].keys == tuple(f"gs1:01/{gtin('00001')}/21/{n}" for n in range(4))
    assert resolved.errors == []


def test_copy_text_escapes_only_what_copy_needs() -> None:
    when = dt.datetime(2026, 3, 1, 1, 2, 3, tzinfo=dt.UTC)
    rows = [
        ("gs1:01/1/21/2", None, 1, dt.date(2028, 2, 29), when, True),
        ("tab\there", "back\\slash", None, None, "new\nline\r", False),
    ]
    assert copy_text(rows) == (
        "gs1:01/1/21/2\t\\N\t1\t2028-02-29\t2026-03-01T01:02:03+00:00\tt\n"
        "tab\\there\tback\\\\slash\t\\N\t\\N\tnew\\nline\\r\tf\n"
    )
    assert copy_text([]) == ""


def test_text_array_literal() -> None:
    assert text_array(["a", "b,c", "{d}"]) == '{"a","b,c","{d}"}'
    assert text_array(['q"uote', "back\\slash"]) == '{"q\\"uote","back\\\\slash"}'
    assert text_array([]) == "{}"


@pytest.mark.django_db
def test_text_array_reaches_postgresql_intact() -> None:
    if connection.vendor != "postgresql":
        assert text_array(["x"]) == '{"x"}'  # SQLite binds lists through the ORM instead
        return
    values = ["a", "b,c", "{d}", 'q"uote', "back\\slash", "NULL", " space ", "中文"]
    with fast_cursor() as cursor:
        cursor.execute("SELECT unnest(%s::text[])", (text_array(values),))
        assert [row[0] for row in cursor.fetchall()] == values


@pytest.mark.django_db
def test_shipping_a_pallet_later_moves_the_packs_inside_its_cases() -> None:
    # given packs in two cases on a pallet, captured in one document
    chain, client = build_chain(), Client()
    ilmd = {"ilmd": {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2028-02-29"}}
    token = chain.tokens["manufacturer"]
    commission = object_event("urn:uuid:p1", "2026-03-01T09:00:00+08:00", "commissioning", "active", PACKS, "00001",
                              "ADD", **ilmd)  # fmt: skip
    capture(
        client,
        token,
        document(
            commission,
            aggregation("urn:uuid:p2", "2026-03-01T09:10:00+08:00", sscc(1), PACKS[:3], "00001"),
            aggregation("urn:uuid:p3", "2026-03-01T09:11:00+08:00", sscc(2), PACKS[3:], "00001"),
            aggregation("urn:uuid:p4", "2026-03-01T09:20:00+08:00", sscc(3), [sscc(1), sscc(2)], "00001"),
        ),
    )
    # when the pallet alone is shipped in a later document, without a despatch advice
    capture(
        client,
        token,
        document(
            object_event("urn:uuid:p5", "2026-03-01T10:00:00+08:00", "shipping", "in_transit", [sscc(3)], "00001")
        ),
    )
    # then the pallet, both cases and all six packs are in transit, changed by that event
    keys = [*KEYS, *(parse_code(sscc(n)).key for n in (1, 2, 3))]
    states = dict(Pack.objects.filter(key__in=keys).values_list("key", "last_event_identity"))
    assert states == dict.fromkeys(keys, "urn:uuid:p5")
    assert set(Pack.objects.filter(key__in=keys).values_list("status", flat=True)) == {"in_transit"}


@given(
    key=st.text(min_size=1, max_size=30),
    location=st.text(max_size=10),
    expiry=st.none() | st.dates(),
    parent=st.none() | st.text(max_size=10),
)
def test_pack_line_equals_the_general_copy_formatter(key: str, location: str, expiry: dt.date | None,
                                                     parent: str | None) -> None:  # fmt: skip
    when = dt.datetime(2026, 3, 1, 1, 2, 3, tzinfo=dt.UTC)
    pack = PackState(key, "in_transit", "H1", "M1", location, "/86/", when, when, "1" * 14, "S", "L", expiry,
                     "国药准字H20240001", 2, "", "D1", "DA1", parent, "urn:uuid:e1")  # fmt: skip
    assert _pack_line(pack) == copy_text([_pack_values(pack)])


@given(
    key=st.text(min_size=1, max_size=30),
    location=st.text(max_size=10),
    shipment=st.text(max_size=10),
    parent=st.none() | st.text(max_size=10),
)
def test_change_line_equals_the_general_copy_formatter(key: str, location: str, shipment: str,
                                                       parent: str | None) -> None:  # fmt: skip
    when = dt.datetime(2026, 3, 1, 1, 2, 3, tzinfo=dt.UTC)
    pack = PackState(key, "in_transit", "H1", "M1", location, "/86/", when, when, "1" * 14, "S", "L", None,
                     "国药准字H20240001", 2, "", "D1", shipment, parent, "urn:uuid:e1")  # fmt: skip
    line = _change_line(pack)
    assert line == copy_text([_change_values(pack)])
    assert line.endswith("\t2026-03-01T01:02:03+00:00\turn:uuid:e1\n")


def _state(key: str, status: str, when: dt.datetime, *, is_new: bool, shipment: str = "") -> PackState:
    return PackState(key, status, "H2", "M1", "L2", "/86/33/", when, when, "1" * 14, key[-1], "LOT1", None,
                     "国药准字H20240001", 1, "", "D2", shipment, None, f"urn:uuid:{status}", True, is_new)  # fmt: skip


def _stored(*keys: str) -> dt.datetime:
    """Packs `keys` stored as commissioned at 08:00 by M1 (lot LOT0), and that time."""
    commissioned = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    for key in keys:
        Pack.objects.create(key=key, status="commissioned", holder_enterprise_code="H1", lot="LOT0",
                            commissioned_by_enterprise_code="M1", jurisdiction_path="/86/",
                            commissioned_at=commissioned, updated_at=commissioned,
                            last_event_identity="urn:uuid:c")  # fmt: skip
    return commissioned


@pytest.mark.django_db
def test_store_packs_updates_stored_packs_and_inserts_new_ones() -> None:
    # given a stored pack, commissioned at 08:00
    commissioned = _stored("k1")
    later = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    # when, in one transaction, a batch ships k1 (a stored pack) and commissions k2 and k3, and a second
    # batch receives k3
    with transaction.atomic():
        first = PackBook([_state("k1", "in_transit", later, is_new=False, shipment="DA1"),
                          _state("k2", "in_transit", later, is_new=True),
                          _state("k3", "commissioned", later, is_new=True)])  # fmt: skip
        second = PackBook([_state("k3", "received", later + dt.timedelta(hours=1), is_new=False)])
        written = (store_packs(first), store_packs(second), store_packs(PackBook([])))
    # then every pack carries its last state; a stored pack keeps what no event changes (lot, commissioning)
    assert written == (3, 1, 0)
    columns = ("key", "status", "holder_enterprise_code", "shipment", "lot", "commissioned_at", "updated_at")
    rows = Pack.objects.order_by("key").values_list(*columns, "last_event_identity")
    assert list(rows) == [
        ("k1", "in_transit", "H2", "DA1", "LOT0", commissioned, later, "urn:uuid:in_transit"),
        ("k2", "in_transit", "H2", "", "LOT1", later, later, "urn:uuid:in_transit"),
        ("k3", "received", "H2", "", "LOT1", later, later + dt.timedelta(hours=1), "urn:uuid:received"),
    ]


@pytest.mark.django_db
def test_a_new_pack_another_job_stored_after_the_read_makes_the_job_start_over_on_postgresql() -> None:
    # given pack k2, stored by another job after this batch read it as not yet commissioned
    commissioned = _stored("k2")
    later = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    batch = PackBook([_state(key, "commissioned", later, is_new=True) for key in ("k2", "k3")])
    # when the batch writes its packs
    try:
        with transaction.atomic():
            store_packs(batch)
    except psycopg.errors.UniqueViolation as error:
        failure: Exception | None = error
    else:
        failure = None
    stored = sorted(Pack.objects.values_list("key", "lot", "commissioned_at"))
    if connection.vendor == "postgresql":
        # then PostgreSQL refuses the COPY on trace_pack's key, an error on which the job starts over
        # (and then finds k2: commissioned twice); nothing of the batch was written
        assert failure is not None
        assert processing._stored_meanwhile(failure)
        assert stored == [("k2", "LOT0", commissioned)]
    else:  # SQLite lets one writer read and write at a time: no other job can store k2 in between;
        # should it be there all the same, the upsert writes the batch's moving columns over it
        assert failure is None
        assert stored == [("k2", "LOT0", commissioned), ("k3", "LOT1", later)]
        assert Pack.objects.get(key="k2").last_event_identity == "urn:uuid:commissioned"


@pytest.mark.django_db
def test_commissioning_stores_new_packs_and_an_event_still_takes_its_epc_rows_when_deleted() -> None:
    # given six packs commissioned in one event
    chain, client = build_chain(), Client()
    ilmd = {"ilmd": {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2028-02-29"}}
    commission = object_event("urn:uuid:d1", "2026-03-01T09:00:00+08:00", "commissioning", "active", PACKS, "00001",
                              "ADD", **ilmd)  # fmt: skip
    capture(client, chain.tokens["manufacturer"], document(commission))
    assert sorted(Pack.objects.filter(status="commissioned", lot="L1").values_list("key", flat=True)) == sorted(KEYS)
    event = Event.objects.get(identity="urn:uuid:d1")
    event_id = event.pk
    assert sorted(event.epcs.values_list("key", flat=True)) == sorted(KEYS)
    # when the event is deleted through the ORM (EventEpc.event has no database constraint)
    event.delete()
    # then Django's cascade removed its EPC rows too
    assert (EventEpc.objects.filter(event_id=event_id).count(), EventEpc.objects.count()) == (0, 0)
