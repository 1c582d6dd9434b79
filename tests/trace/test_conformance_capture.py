"""Capture over the EPCIS REST binding, end to end, of every GS1 example document and every
openepcis capture document (read in place from ../shared/conformance/epcis).

Each valid document is captured in full once its locations, parties and commissioned GTINs are
registered (tests/trace/conformance_fixtures.py derives them from the document); each openepcis
negative case is refused with its reasons and stores nothing. Decision 0102 lists the one valid
file that is refused on purpose.
"""

from __future__ import annotations

from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medreg.trace.codes import CodeError
from medreg.trace.models import Event, EventEpc
from medreg.trace.services.resolution import object_key
from tests.trace.conformance_fixtures import (
    OPENEPCIS,
    document_facts,
    gs1_event_documents,
    media_type,
    openepcis_capture_documents,
    register_document,
    relative,
)
from tests.trace.test_epcis_document_conformance import OPENEPCIS_INVALID, OPENEPCIS_VALID_REJECTED

GS1_DOCUMENTS = gs1_event_documents()
OPENEPCIS_VALID = openepcis_capture_documents("valid")
OPENEPCIS_NEGATIVE = openepcis_capture_documents("Invalid")
#: Valid openepcis files the capture layer refuses on purpose (decision 0102), with their reasons.
REFUSED_ON_PURPOSE = {OPENEPCIS / name: errors for name, errors in OPENEPCIS_VALID_REJECTED.items()}


def capture(client: Client, token: str, path: Path) -> dict[str, Any]:
    """POST the file's bytes to /epcis/capture; the capture job as the sender reads it."""
    auth = {"Authorization": f"Bearer {token}"}
    response = client.post("/epcis/capture", data=path.read_bytes(), content_type=media_type(path), headers=auth)
    assert response.status_code == 202, response.content
    return client.get(response["Location"], headers=auth).json()


def test_corpus_sizes() -> None:
    # then the parametrization covers the whole corpora
    counts = {
        d: sum(1 for p in GS1_DOCUMENTS if relative(p).startswith(d + "/"))
        for d in ("JSON", "JSON-simple-context", "XML")
    }
    assert counts == {"JSON": 47, "JSON-simple-context": 46, "XML": 30}
    assert (len(OPENEPCIS_VALID), len(OPENEPCIS_NEGATIVE), len(REFUSED_ON_PURPOSE)) == (86, 22, 1)


def _valid_cases() -> list[Any]:
    paths = [*GS1_DOCUMENTS, *(p for p in OPENEPCIS_VALID if p not in REFUSED_ON_PURPOSE)]
    return [pytest.param(p, id=relative(p)) for p in paths]


@pytest.mark.parametrize("path", _valid_cases())
def test_valid_document_is_captured_in_full(db: None, path: Path) -> None:
    # given the document's locations, trading partners and commissioned GTINs in the registry
    facts = document_facts(path)
    sender = register_document(facts)
    # when the sender captures the file as it is
    job = capture(Client(), sender.token, path)
    # then every event of the document is stored: none repeats another
    assert (job["running"], job["success"], job["errors"]) == (False, True, []), job["errors"]
    assert (job["eventCount"], job["storedCount"], job["duplicateCount"]) == (facts.event_count, facts.event_count, 0)
    assert Event.objects.filter(sender_enterprise_code=sender.enterprise.uscc).count() == facts.event_count


@pytest.mark.parametrize("path", sorted(REFUSED_ON_PURPOSE), ids=relative)
def test_valid_document_refused_on_purpose_stores_nothing(db: None, path: Path) -> None:
    # given the document's registry facts
    sender = register_document(document_facts(path))
    # when
    job = capture(Client(), sender.token, path)
    # then it is refused with exactly the reasons of decision 0102, and nothing is stored
    assert (job["running"], job["success"], job["storedCount"]) == (False, False, 0)
    assert {(e["event"], e["field"], e["code"]) for e in job["errors"]} == REFUSED_ON_PURPOSE[path]
    assert (Event.objects.count(), EventEpc.objects.count()) == (0, 0)


@pytest.mark.parametrize("path", OPENEPCIS_NEGATIVE, ids=relative)
def test_invalid_document_is_refused_with_reasons_and_stores_nothing(db: None, path: Path) -> None:
    # given the registry facts of the document's readable events (so no business rule is what refuses it)
    sender = register_document(document_facts(path))
    # when
    job = capture(Client(), sender.token, path)
    # then the job fails with each error naming its field and code, exactly those of the document layer
    assert (job["running"], job["success"], job["storedCount"]) == (False, False, 0)
    assert job["errors"]
    assert all(e["field"] and e["code"] and e["message"] and e["fix"] for e in job["errors"])
    expected = OPENEPCIS_INVALID[f"{path.parts[-4]}/{path.name}"]
    assert {(e["event"], e["field"], e["code"]) for e in job["errors"]} == expected
    assert (Event.objects.count(), EventEpc.objects.count()) == (0, 0)


LONG_PRIVATE_ID = "urn:example:epcis:id:obj:" + "x" * 100  # longer than the 120-character key columns


@pytest.mark.parametrize(("identifier", "key"), [
    ("urn:epc:id:sgtin:0614141.107346.2017", "gs1:01/10614141073464/21/2017"),
    ("https://id.gs1.org/01/09521141012345/21/2017", "gs1:01/09521141012345/21/2017"),
    ("urn:epc:id:grai:4012345.55555.987", "urn:epc:id:grai:4012345.55555.987"),
    ("https://id.example.com/8003/040123450007", "https://id.example.com/8003/040123450007"),
    (LONG_PRIVATE_ID, "sha256:" + sha256(LONG_PRIVATE_ID.encode()).hexdigest()),
])  # fmt: skip
def test_objects_that_are_not_packs_are_keyed_by_their_identifier(identifier: str, key: str) -> None:
    assert object_key(identifier) == key


@pytest.mark.parametrize("identifier", [
    "urn:epc:id:sgtin:0614141.10734.2017",  # company prefix + item reference of 12 digits, not 13
    "https://id.gs1.org/01/09521141012346/21/2017",  # wrong GTIN check digit
    "(01)09521141012346(21)1",  # a scanned code that is no URI, wrong check digit
])  # fmt: skip
def test_malformed_pack_codes_are_still_refused(identifier: str) -> None:
    with pytest.raises(CodeError):
        object_key(identifier)
