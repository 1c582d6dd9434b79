"""The secondary indexes of the capture tables are exactly those a query uses (decision 0105): every
capture writes each of them for every row. On PostgreSQL, Django gives each indexed CharField a
`_like` (varchar_pattern_ops) twin; migrations trace/0003 and 0004 dropped all but the one the
jurisdiction scope's LIKE uses, and an AlterField of such a field would quietly create its twin
again. This test fails if any migration brings one back, or adds or loses an index.

No index of trace_pack may name a column that shipping, receiving or dispensing changes, and on
PostgreSQL its pages keep room for a second version of every pack (fillfactor 40): those updates are
then HOT, written in place without index entries (decision 0109)."""

import importlib

import pytest
from django.db import connection
from django.test import Client

from medreg.trace.models import Pack, SpecialControlShipmentPack
from medreg.trace.services.persistence import PACK_FIELDS
from tests.trace.epcis_builders import Chain, build_chain, document, receiving
from tests.trace.test_alert_rules_parties import DA1, KEYS, PACKS, commissioning, shipping
from tests.trace.test_walk_one_batch import capture

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
]
HOT_PACK_UPDATES = importlib.import_module("medreg.trace.migrations.0007_hot_pack_updates")
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


def pack_updates() -> tuple[int, int]:
    """trace_pack's row updates and HOT updates this backend has counted and not yet reported. Inside
    a test's transaction it reports none, so the difference of two readings is what happened between
    them (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(oid), pg_stat_get_xact_tuples_hot_updated(oid) "
            "FROM pg_class WHERE relname = 'trace_pack'"
        )
        return cursor.fetchone()


def ship_then_receive(client: Client, chain: Chain, received: list[str]) -> None:
    """The manufacturer ships the six packs to the distributor, which reports receiving `received`."""
    ship = shipping("urn:uuid:s1", "2026-03-01T10:00:00+08:00", PACKS, "00002")
    capture(client, chain.tokens["manufacturer"], document(ship))
    receive = receiving("urn:uuid:r1", "2026-03-02T09:00:00+08:00", received, "00002")
    capture(client, chain.tokens["distributor"], document(receive))


@pytest.mark.django_db
def test_shipping_and_receiving_update_every_pack_in_place_on_postgresql() -> None:
    # given six packs commissioned by the manufacturer
    chain, client = build_chain(), Client()
    capture(client, chain.tokens["manufacturer"], document(commissioning()))
    before = pack_updates() if connection.vendor == "postgresql" else (0, 0)
    # when they are shipped to the distributor and received there, each in a document of its own
    ship_then_receive(client, chain, PACKS)

    # then every pack is received
    assert set(Pack.objects.filter(key__in=KEYS).values_list("status", flat=True)) == {"received"}
    if connection.vendor == "postgresql":  # and each of the twelve updates was written in place (HOT)
        updated, in_place = (after - start for after, start in zip(pack_updates(), before, strict=True))
        assert (updated, in_place) == (12, 12)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'trace_pack'")
            assert cursor.fetchone() == (["fillfactor=40"],)
    else:  # SQLite has no such setting: it rewrites the row's page either way
        assert connection.vendor == "sqlite"


@pytest.mark.django_db
def test_no_pack_index_names_a_column_that_moving_a_pack_changes() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "trace_pack")
    indexed = {column for c in constraints.values() if c["index"] or c["primary_key"] for column in c["columns"]}
    moving = set(PACK_FIELDS) - {"parent_key"}  # only aggregation and disaggregation change the container
    assert indexed & moving == set()
    assert indexed == {"key", "approval_number", "lot", "parent_key"}


@pytest.mark.django_db
def test_the_migration_records_the_special_control_packs_already_in_transit() -> None:
    # given six narcotic packs in transit under DA1, four received already, recorded before migration 0007
    chain, client = build_chain(special_control="narcotic"), Client()
    capture(client, chain.tokens["manufacturer"], document(commissioning()))
    ship_then_receive(client, chain, PACKS[:4])
    SpecialControlShipmentPack.objects.all().delete()
    # when the migration's statement runs
    with connection.cursor() as cursor:
        cursor.execute(HOT_PACK_UPDATES.COPY_IN_TRANSIT)
    # then the two packs still in transit are recorded under their shipment
    assert sorted(SpecialControlShipmentPack.objects.values_list("shipment", "pack_key")) == [
        (DA1, k) for k in KEYS[4:]
    ]
