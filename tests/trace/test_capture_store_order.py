"""A job writes its events and their EPC rows before it reads and locks its packs, so that a second
worker writes its own while the first applies (services.processing.capture_events). Two things
follow, pinned here on both databases: an event the pack states then refuse is not kept, and a job
whose events another job stored after its check starts over and counts them as duplicates."""

import json
from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError
from django.test import Client

from medreg.trace.models import CaptureJob, Event, EventEpc, Pack
from medreg.trace.services import processing
from tests.trace.epcis_builders import build_chain, commissioning_document, document, object_event
from tests.trace.test_alert_rules_parties import KEYS, PACKS, commissioning, shipping
from tests.trace.test_walk_one_batch import capture


def submitted(client: Client, token: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The finished job of `doc`, whatever its outcome, its good events kept (the "proceed" behaviour)."""
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/epcis/capture",
        json.dumps(doc),
        content_type="application/ld+json",
        headers={**headers, "GS1-Capture-Error-Behaviour": "proceed"},
    )
    assert response.status_code == 202, response.content
    return client.get(response["Location"], headers=headers).json()


@pytest.mark.django_db
def test_an_event_the_pack_states_refuse_is_not_kept_and_the_rest_of_the_document_is() -> None:
    # given six packs commissioned, of which the first two were destroyed
    chain, client = build_chain(), Client()
    token = chain.tokens["manufacturer"]
    capture(client, token, document(commissioning()))
    destroying = object_event("urn:uuid:x1", "2026-03-01T09:30:00+08:00", "destroying", "destroyed", PACKS[:2], "00001")
    capture(client, token, document(destroying))
    # when one document ships the destroyed two and, in another event, the other four
    refused = shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", PACKS[:2], "00002")
    shipped = shipping("urn:uuid:s2", "2026-03-01T10:01:00+08:00", PACKS[2:], "00002")
    job = submitted(client, token, document(refused, shipped))

    # then the first event is refused and left out, with its EPC rows; the second is stored and applied
    assert (job["success"], [(e["event"], e["code"]) for e in job["errors"]]) == (False, [(0, "pack_inactive")])
    assert sorted(Event.objects.values_list("identity", flat=True)) == ["urn:uuid:c1", "urn:uuid:s2", "urn:uuid:x1"]
    assert EventEpc.objects.filter(event__identity="urn:uuid:s2").count() == 4
    assert EventEpc.objects.count() == 6 + 2 + 4
    statuses = dict(Pack.objects.values_list("key", "status"))
    assert statuses == {**dict.fromkeys(KEYS[:2], "destroyed"), **dict.fromkeys(KEYS[2:], "in_transit")}


@pytest.mark.django_db
def test_a_job_whose_events_were_stored_after_its_check_starts_over_and_counts_them_as_duplicates() -> None:
    # given a document of 3 commissioning events already captured, and a second job of the same document
    chain, client = build_chain(), Client()
    doc = commissioning_document("again", 3, 2)
    capture(client, chain.tokens["manufacturer"], doc)
    job = CaptureJob.objects.create(
        sender_enterprise_code=chain.manufacturer.uscc,
        jurisdiction_path=chain.manufacturer.jurisdiction.path,
        format="json",
        document=json.dumps(doc).encode(),
        size_bytes=1,
    )
    # when its check for stored events misses them once, as if the first job committed just after it
    real = processing.known_identities
    calls: list[set[str]] = []

    def missed_once(identities: set[str]) -> set[str]:
        calls.append(identities)
        return set() if len(calls) == 1 else real(identities)

    with mock.patch.object(processing, "known_identities", side_effect=missed_once):
        processing.process_job(str(job.pk))

    # then its write of them fails, it starts over, and the second try finds all three stored
    job.refresh_from_db()
    assert calls == [{"urn:uuid:again-0", "urn:uuid:again-1", "urn:uuid:again-2"}] * 2
    assert (job.status, job.stored_count, job.duplicate_count, job.errors) == ("succeeded", 0, 3, [])
    assert Event.objects.count() == 3
    assert EventEpc.objects.count() == Pack.objects.count() == 6


@pytest.mark.django_db
def test_a_job_that_fails_for_another_reason_does_not_start_over() -> None:
    # given a stored job
    chain = build_chain()
    job = CaptureJob.objects.create(
        sender_enterprise_code=chain.manufacturer.uscc,
        jurisdiction_path=chain.manufacturer.jurisdiction.path,
        format="json",
        document=json.dumps(commissioning_document("fail", 1, 2)).encode(),
        size_bytes=1,
    )
    # when writing its packs fails with a conflict that is not about an event or a pack stored meanwhile
    failure = IntegrityError("FOREIGN KEY constraint failed")
    with (
        mock.patch.object(processing, "store_packs", side_effect=failure) as store,
        pytest.raises(IntegrityError, match="FOREIGN KEY"),
    ):
        processing.process_job(str(job.pk))
    # then it was tried once, and nothing of it was kept
    assert store.call_count == 1
    assert (Event.objects.count(), EventEpc.objects.count(), Pack.objects.count()) == (0, 0, 0)
