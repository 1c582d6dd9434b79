"""Small pharmacies and clinics: a CSV file or scanned codes become events like any EPCIS document."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from medreg.trace.epcis.document import parse_document
from medreg.trace.locations import gln_of
from medreg.trace.models import CaptureJob, Event, Pack
from tests.trace.epcis_builders import build_chain, document, object_event, pgln, sgln, sgtin

PACKS = [sgtin("00001", n) for n in range(1, 4)]
PHARMACY_GLN = gln_of(sgln("00003"))
DELIVERY_NOTE = f"urn:epcglobal:cbv:bt:{gln_of(sgln('00001'))}:DN-2026-001"


def _ship_to_pharmacy(client: Client, tokens: dict[str, str]) -> None:
    doc = document(
        object_event(
            "urn:uuid:t1",
            "2026-03-01T09:00:00+08:00",
            "commissioning",
            "active",
            PACKS,
            "00001",
            "ADD",
            ilmd={"cbvmda:lotNumber": "L9"},
        ),
        object_event(
            "urn:uuid:t2",
            "2026-03-02T09:00:00+08:00",
            "shipping",
            "in_transit",
            PACKS,
            "00001",
            destinationList=[{"type": "owning_party", "destination": pgln("00003")}],
        ),
    )
    response = client.post(
        "/epcis/capture",
        data=json.dumps(doc),
        content_type="application/ld+json",
        headers={"Authorization": f"Bearer {tokens['manufacturer']}"},
    )
    assert response.status_code == 202


@pytest.mark.django_db
def test_csv_upload_receives_and_dispenses() -> None:
    chain, client = build_chain(), Client()
    _ship_to_pharmacy(client, chain.tokens)
    csv_text = (
        "event_time,step,code,location\n"
        + "".join(f"2026-03-03 10:0{i},receiving,{code},{PHARMACY_GLN}\n" for i, code in enumerate(PACKS))
        + f"2026-03-04 15:00,dispensing,{PACKS[0]},{PHARMACY_GLN}\n"
    )
    response = upload(client, chain.tokens["pharmacy"], csv_text.encode("utf-8-sig"), "scans.csv")
    assert response.status_code == 202
    job = CaptureJob.objects.get(pk=response.json()["captureID"])
    assert (job.status, job.stored_count, job.error_count) == ("succeeded", 4, 0)
    statuses = sorted(Pack.objects.filter(lot="L9").values_list("status", "holder_enterprise_code"))
    assert statuses == sorted(
        [("dispensed", chain.pharmacy.uscc), ("received", chain.pharmacy.uscc), ("received", chain.pharmacy.uscc)]
    )


@pytest.mark.django_db
def test_bad_rows_are_named_and_good_rows_kept() -> None:
    chain, client = build_chain(), Client()
    _ship_to_pharmacy(client, chain.tokens)
    csv_text = (
        f"event_time,step,code,location\n2026-03-03 10:00,receiving,{PACKS[0]},{PHARMACY_GLN}\n"
        f"yesterday,receiving,{PACKS[1]},{PHARMACY_GLN}\n2026-03-03 10:00,selling,{PACKS[2]},{PHARMACY_GLN}\n"
        f"2026-03-03 10:00,receiving,0123,{PHARMACY_GLN}\n"
    )
    response = upload(client, chain.tokens["pharmacy"], csv_text.encode(), "scans.csv")
    job = CaptureJob.objects.get(pk=response.json()["captureID"])
    assert (job.status, job.stored_count) == ("partial", 1)
    assert [(e["event"], e["field"], e["code"]) for e in job.errors] == [
        (3, "event_time", "invalid_time"),
        (4, "step", "unknown_step"),
        (5, "code", "invalid_code"),
    ]


@pytest.mark.django_db
def test_unreadable_file_is_refused_at_once() -> None:
    chain, client = build_chain(), Client()
    response = upload(client, chain.tokens["pharmacy"], b"PK\x03\x04garbage", "scans.xlsx")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert CaptureJob.objects.count() == 0


@pytest.mark.django_db
def test_scanned_codes_are_reported() -> None:
    chain, client = build_chain(), Client()
    _ship_to_pharmacy(client, chain.tokens)
    response = client.post(
        "/api/trace/scans",
        data={"step": "receiving", "codes": PACKS, "location": PHARMACY_GLN},
        content_type="application/json",
        headers={"Authorization": f"Bearer {chain.tokens['pharmacy']}"},
    )
    assert response.status_code == 202
    assert CaptureJob.objects.get(pk=response.json()["captureID"]).stored_count == 3
    assert Event.objects.filter(biz_step="receiving").count() == 3
    assert set(Pack.objects.filter(lot="L9").values_list("status", flat=True)) == {"received"}


def upload(client: Client, token: str, content: bytes, name: str) -> Any:
    """POST a table file to the upload API as the enterprise whose token is `token`."""
    return client.post(
        "/api/trace/uploads", {"file": SimpleUploadedFile(name, content)}, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.django_db
def test_a_row_is_stored_as_a_whole_epcis_event() -> None:
    # given a manufacturer's table that commissions a pack with its batch and ships it with a
    # delivery note to the pharmacy
    chain, client = build_chain(), Client()
    maker_gln = gln_of(sgln("00001"))
    csv_text = (
        "event_time,step,code,location,destination,lot,expiry,shipment\n"
        f"2026-03-01 09:00,commissioning,{PACKS[0]},{maker_gln},,L9,2028-02-29,\n"
        f"2026-03-02 09:00,shipping,{PACKS[0]},{maker_gln},{PHARMACY_GLN},L9,,DN-2026-001\n"
    )
    response = upload(client, chain.tokens["manufacturer"], csv_text.encode(), "rows.csv")
    assert response.status_code == 202
    # then each event's payload says everything its row said, as EPCIS 2.0 JSON, under its identity
    events = {e.biz_step: e for e in Event.objects.all()}
    location = {"id": "urn:epc:id:sgln:6901234.00001.0"}
    assert {step: {k: v for k, v in e.payload.items() if k != "eventID"} for step, e in events.items()} == {
        "commissioning": {
            "type": "ObjectEvent",
            "eventTime": "2026-03-01T01:00:00+00:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "bizLocation": location,
            "epcList": [PACKS[0]],
            "ilmd": {"cbvmda:lotNumber": "L9", "cbvmda:itemExpirationDate": "2028-02-29"},
        },
        "shipping": {
            "type": "ObjectEvent",
            "eventTime": "2026-03-02T01:00:00+00:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "bizLocation": location,
            "epcList": [PACKS[0]],
            "bizTransactionList": [{"type": "desadv", "bizTransaction": DELIVERY_NOTE}],
            "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:6901234.00003"}],
        },
    }
    assert all(e.payload["eventID"] == e.identity for e in events.values())
    # and the payloads pass the platform's own EPCIS 2.0 schema and vocabulary layers
    stored = document(*(events[step].payload for step in ("commissioning", "shipping")))
    parsed = parse_document(json.dumps(stored).encode(), "application/ld+json")
    assert (len(parsed.events), parsed.errors) == (2, ())
    # and the pack is on its way to the pharmacy under that delivery note
    assert Pack.objects.filter(key__endswith="/21/1").values_list(
        "status", "destination_enterprise_code", "shipment", "lot"
    ).get() == ("in_transit", chain.pharmacy.uscc, DELIVERY_NOTE, "L9")


@pytest.mark.django_db
@pytest.mark.parametrize("destination", ["ACME", "690123400003", "690123400001३", "６９０１２３４０００００３"])
def test_a_destination_that_is_not_a_gln_is_refused_for_its_row(destination: str) -> None:
    chain, client = build_chain(), Client()
    maker_gln = gln_of(sgln("00001"))
    csv_text = (
        "event_time,step,code,location,destination\n"
        f"2026-03-01 09:00,commissioning,{PACKS[0]},{maker_gln},\n"
        f"2026-03-02 09:00,shipping,{PACKS[0]},{maker_gln},{destination}\n"
    )
    response = upload(client, chain.tokens["manufacturer"], csv_text.encode(), "rows.csv")
    job = CaptureJob.objects.get(pk=response.json()["captureID"])
    assert (job.status, job.stored_count) == ("partial", 1)
    assert job.errors == [
        {
            "event": 3,
            "field": "destination",
            "code": "invalid_gln",
            "message": f"{destination!r} is not a 13-digit GLN.",
            "fix": "Use the GLN of the receiving party's site, or leave the cell empty.",
        }
    ]


@pytest.mark.django_db
def test_an_epcis_document_may_name_china_codes_by_their_key() -> None:
    # given the drug whose pack level carries drug identification code 8612301
    chain, client = build_chain(), Client()
    codes = ["cn:86123010000000000001", "cn:86123010000000000002"]
    # when the manufacturer commissions two packs by an EPCIS document naming them cn:<20 digits>
    doc = document(
        object_event(
            "urn:uuid:c1",
            "2026-03-01T09:00:00+08:00",
            "commissioning",
            "active",
            codes,
            "00001",
            "ADD",
            ilmd={"cbvmda:lotNumber": "L9"},
        )
    )
    response = client.post(
        "/epcis/capture",
        data=json.dumps(doc),
        content_type="application/ld+json",
        headers={"Authorization": f"Bearer {chain.tokens['manufacturer']}"},
    )
    # then they are the registered product's packs, the same as when the 20 digits are scanned
    assert response.status_code == 202
    assert sorted(Pack.objects.values_list("key", "approval_number", "lot", "status")) == [
        (code, "国药准字H20240001", "L9", "commissioned") for code in codes
    ]
