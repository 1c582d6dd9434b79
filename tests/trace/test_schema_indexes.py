"""The secondary indexes of the capture tables are exactly those a query uses (decision 0105): every
capture writes each of them for every row. On PostgreSQL, Django gives each indexed CharField a
`_like` (varchar_pattern_ops) twin; migrations trace/0003 and 0004 dropped all but the one the
jurisdiction scope's LIKE uses, and an AlterField of such a field would quietly create its twin
again. This test fails if any migration brings one back, or adds or loses an index."""

import pytest
from django.db import connection

EVENT = [
    ("trace_event_biz_location_ac6b69e3", ("biz_location",)),
    ("trace_event_biz_step_4ad5d62f", ("biz_step",)),
    ("trace_event_event_time_d0407848", ("event_time",)),
    ("trace_event_job_id_697578ff", ("job_id",)),
    ("trace_event_jurisdiction_path_58e61f9c", ("jurisdiction_path",)),
    ("trace_event_record_time_1861a550", ("record_time",)),
    ("trace_event_sender_enterprise_code_3803c535", ("sender_enterprise_code",)),
]
EVENT_EPC = [
    ("trace_event_key_08f1a8_idx", ("key", "event_id")),
    ("trace_eventepc_event_id_7a61a40e", ("event_id",)),
]
PACK = [
    ("trace_pack_approva_cbfa73_idx", ("approval_number", "lot")),
    ("trace_pack_parent_key_idx", ("parent_key",)),
    ("trace_pack_shipment_idx", ("shipment",)),
]
POSTGRESQL_ONLY = {"trace_event": [("trace_event_jurisdiction_path_58e61f9c_like", ("jurisdiction_path",))]}


def secondary_indexes(table: str) -> list[tuple[str, tuple[str, ...]]]:
    """(name, columns) of every index of `table` that is neither its primary key nor a unique constraint."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return sorted(
        (name, tuple(c["columns"]))
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "expected"), [("trace_event", EVENT), ("trace_eventepc", EVENT_EPC), ("trace_pack", PACK)]
)
def test_the_capture_tables_have_exactly_their_indexes(table: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    extra = POSTGRESQL_ONLY.get(table, []) if connection.vendor == "postgresql" else []
    assert secondary_indexes(table) == sorted(expected + extra)
