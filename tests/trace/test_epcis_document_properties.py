"""Properties of parse_document: it never raises, and every error is complete."""

from __future__ import annotations

import copy
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from medreg.trace.epcis.document import parse_document
from medreg.trace.epcis.model import ParsedDocument
from tests.shared import CONFORMANCE

VALID_JSON = (CONFORMANCE / "epcis" / "openepcis-test-resources" / "2.0" / "EPCIS" / "JSON" / "Capture" / "Documents"
              / "ObjectEvent_all_possible_fields.json").read_bytes()  # fmt: skip
VALID_XML = (CONFORMANCE / "epcis" / "openepcis-test-resources" / "2.0" / "EPCIS" / "XML" / "Capture" / "Documents"
             / "ObjectEvent_all_possible_fields.xml").read_bytes()  # fmt: skip
CONTENT_TYPES = st.sampled_from(["application/json", "application/ld+json", "application/xml", "text/xml",
                                 "application/octet-stream", ""])  # fmt: skip
JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text()
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)  # fmt: skip
EVENT_KEYS = st.sampled_from(["type", "eventTime", "eventTimeZoneOffset", "action", "epcList", "bizStep",
                              "disposition", "readPoint", "bizLocation", "quantityList", "bizTransactionList",
                              "sourceList", "destinationList", "ilmd", "errorDeclaration", "parentID",
                              "childEPCs", "sensorElementList", "persistentDisposition", "certificationInfo",
                              "eventID", "recordTime", "ex:ext"])  # fmt: skip


def _assert_well_formed(result: ParsedDocument) -> None:
    """Every error names its event (or None), field, code, message and fix; events are not in error."""
    for error in result.errors:
        assert error.index is None or isinstance(error.index, int)
        assert isinstance(error.field, str)
        assert error.code.startswith(("document.", "schema.", "vocabulary."))
        assert error.message
        assert error.fix
    failed = {error.index for error in result.errors}
    assert not failed & {event.index for event in result.events}
    if None in failed:
        assert result.events == ()


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=512), content_type=CONTENT_TYPES)
def test_arbitrary_bytes_never_raise(data: bytes, content_type: str) -> None:
    _assert_well_formed(parse_document(data, content_type))


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES)
def test_arbitrary_json_never_raises(value: Any) -> None:
    # given arbitrary JSON, alone and as the event list of a document
    wrapped = {"@context": [], "type": "EPCISDocument", "epcisBody": {"eventList": [value]}}
    for document in (value, wrapped):
        data = orjson.dumps(document)
        # then
        _assert_well_formed(parse_document(data, "application/json"))


@settings(max_examples=300, deadline=None)
@given(key=EVENT_KEYS, value=JSON_VALUES, delete=st.booleans())
def test_mutated_valid_json_documents_never_raise(key: str, value: Any, delete: bool) -> None:
    # given a valid document with one event field replaced or removed
    document = orjson.loads(VALID_JSON)
    event = copy.deepcopy(document["epcisBody"]["eventList"][0])
    if delete:
        event.pop(key, None)
    else:
        event[key] = value
    document["epcisBody"]["eventList"] = [event]
    # when
    result = parse_document(orjson.dumps(document), "application/ld+json")
    # then
    _assert_well_formed(result)
    assert len(result.events) + len({e.index for e in result.errors}) == 1


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, len(VALID_XML) - 1), length=st.integers(0, 40), insert=st.binary(max_size=20))
def test_mutated_valid_xml_documents_never_raise(position: int, length: int, insert: bytes) -> None:
    data = VALID_XML[:position] + insert + VALID_XML[position + length :]
    _assert_well_formed(parse_document(data, "application/xml"))


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, len(VALID_JSON) - 1), length=st.integers(0, 20), insert=st.text(max_size=10))
def test_mutated_valid_json_bytes_never_raise(position: int, length: int, insert: str) -> None:
    data = VALID_JSON[:position] + insert.encode() + VALID_JSON[position + length :]
    _assert_well_formed(parse_document(data, "application/json"))


def test_unmutated_fixtures_are_valid() -> None:
    assert parse_document(VALID_JSON, "application/json").errors == ()
    assert parse_document(VALID_XML, "application/xml").errors == ()


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every node below ``value``."""
    paths = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            paths.extend(_nodes(child, (*path, key)))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            paths.extend(_nodes(child, (*path, i)))
    return paths


ALL_FIELDS = [orjson.loads(p.read_bytes()) for p in sorted(
    (CONFORMANCE / "epcis" / "openepcis-test-resources" / "2.0" / "EPCIS" / "JSON" / "Capture" / "Documents")
    .glob("*_all_possible_fields.json"))]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(data=st.data(), value=JSON_VALUES)
def test_nested_mutations_never_raise(data: st.DataObject, value: Any) -> None:
    # given any node at any depth of an all-fields document replaced by arbitrary JSON
    document = copy.deepcopy(data.draw(st.sampled_from(ALL_FIELDS)))
    path = data.draw(st.sampled_from(_nodes(document["epcisBody"]["eventList"])))
    if not path:
        return
    holder = document["epcisBody"]["eventList"]
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    # then
    _assert_well_formed(parse_document(orjson.dumps(document), "application/ld+json"))
