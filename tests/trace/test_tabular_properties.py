"""Hostile tables (property-based): whatever a row's cells hold, `event_from_row` names the bad cell
or gives an event, and every event it gives is a valid EPCIS 2.0 event by the platform's own schema
and vocabulary layers (what the query interface will return of it)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from medreg.trace.epcis.document import parse_document
from medreg.trace.epcis.model import EpcisEvent, EventError
from medreg.trace.services.tabular_capture import COLUMNS, STEPS, event_from_row
from tests.trace.epcis_builders import document, sgtin

SENDER = "91330106MA27Y4RU1B"
cells = st.one_of(st.text(max_size=30), st.sampled_from(["", " ", "\t", "0" * 13, "6901234000016", "2026-03-01 09:00"]))
codes = st.sampled_from(
    [
        sgtin("00001", 1),
        "01069012340000161721123110L1\x1d21S1",
        "83518959636183295167",
        "urn:epc:class:lgtin:6901234.000001.L1",
        "HTTPS://id.gs1.org/01/06901234000016/21/1",
    ]
)
plausible = {
    "event_time": st.sampled_from(["2026-03-01 09:00", "2026-03-01T09:00:00+08:00", "2026-03-01 09:00:30"]),
    "step": st.sampled_from(sorted(STEPS)),
    "code": codes,
    "parent_code": st.one_of(st.just(""), codes),
    "location": st.sampled_from(["6901234000016", "6901234000023"]),
    "destination": st.sampled_from(["", "6901234000030"]),
}
# a plausible row (the columns nobody checks, such as lot and shipment, hold anything), then at most
# one column replaced by anything at all
rows = st.builds(
    lambda row, column, cell: {**row, **({column: cell} if column else {})},
    st.fixed_dictionaries({column: plausible.get(column, cells) for column in COLUMNS}),
    st.sampled_from([None, *COLUMNS]),
    cells,
)


@settings(max_examples=600, deadline=None)
@given(rows)
def test_a_row_gives_a_valid_epcis_event_or_names_its_bad_cell(row: dict[str, str]) -> None:
    result = event_from_row(2, row, SENDER)
    if isinstance(result, EventError):
        assert (result.index, result.field in (*COLUMNS, "epcList", "parentID")) == (2, True)
        assert result.message
        assert result.fix
        return
    assert isinstance(result, EpcisEvent)
    parsed = parse_document(json.dumps(document(result.raw)).encode(), "application/ld+json")
    assert parsed.errors == ()
    assert [e.identity for e in parsed.events] == [result.identity]
