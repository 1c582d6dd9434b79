"""The audit chain: written with every change, append-only, and `medreg audit verify` finds tampering."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from medreg.core.actor import Actor
from medreg.core.audit import Change, record_change, record_changes, record_hash, verify_chain
from medreg.core.models import AuditChainHead, AuditRecord


def _append(n: int) -> None:
    with transaction.atomic():
        record_changes(
            actor=Actor.system(),
            changes=[
                Change("update", "registry.enterprise", f"E{i}", {"name": f"旧{i}"}, {"name": f"新{i}"})
                for i in range(n)
            ],
        )


def _tamper(sql: str, params: list[object]) -> None:
    """Edit the table behind the platform's back, as a database administrator could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditrecord_no_update")
            cursor.execute("DROP TRIGGER core_auditrecord_no_delete")
            cursor.execute(sql, params)


@pytest.mark.django_db
def test_untouched_chain_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    _append(5)
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == "audit chain intact: 5 records verified"
    assert list(AuditRecord.objects.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    head = AuditChainHead.objects.get()
    assert (head.position, head.hash) == (5, AuditRecord.objects.get(position=5).hash)


@pytest.mark.django_db
def test_records_link_to_their_predecessor() -> None:
    _append(3)
    records = list(AuditRecord.objects.order_by("position"))
    assert records[0].previous_hash == "0" * 64
    assert [r.previous_hash for r in records[1:]] == [r.hash for r in records[:-1]]


@pytest.mark.django_db
def test_direct_sql_edit_is_detected_and_named() -> None:
    _append(5)
    _tamper("UPDATE core_auditrecord SET after = %s WHERE position = 3", ['{"name": "篡改"}'])
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    assert str(caught.value) == (
        "audit chain BROKEN after 2 intact records: audit record #3 was altered: its content "
        "no longer matches its hash (registry.enterprise:E2)"
    )


@pytest.mark.django_db
def test_direct_sql_delete_is_detected_and_named() -> None:
    _append(5)
    _tamper("DELETE FROM core_auditrecord WHERE position = %s", [2])
    report = verify_chain()
    assert (report.records_checked, report.problem.kind, report.problem.position) == (1, "missing", 2)
    assert report.problem.message == "audit record #2 is missing (deleted); record #3 follows #1"


@pytest.mark.django_db
def test_deleting_the_newest_records_is_detected() -> None:
    _append(4)
    _tamper("DELETE FROM core_auditrecord WHERE position >= %s", [3])
    report = verify_chain()
    assert report.problem.message == "audit records #3..4 are missing at the end of the chain (deleted)"


@pytest.mark.django_db
def test_rehashed_record_breaks_the_link_to_its_successor() -> None:
    _append(3)
    record = AuditRecord.objects.get(position=2)
    record.actor_username = "mallory"
    _tamper(
        "UPDATE core_auditrecord SET actor_username = 'mallory', hash = %s WHERE position = 2", [record_hash(record)]
    )
    report = verify_chain()
    assert (report.problem.kind, report.problem.position) == ("broken_link", 3)


@pytest.mark.django_db
def test_the_database_refuses_updates_and_deletes() -> None:
    _append(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(position=1).update(actor_username="mallory")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(position=1).delete()
    assert AuditRecord.objects.get(position=1).actor_username == "system"


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_record_and_no_gap() -> None:
    _append(1)
    def change_then_fail() -> None:
        with transaction.atomic():
            record_change(actor=Actor.system(), action="x", object_type="t", object_id=1, before=None, after={"a": 1})
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        change_then_fail()
    _append(1)
    assert list(AuditRecord.objects.values_list("position", flat=True)) == [1, 2]
    assert verify_chain().intact
