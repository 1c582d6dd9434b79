"""Make the audit table append-only at the database: UPDATE and DELETE are refused by triggers."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'core_auditrecord is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditrecord_append_only BEFORE UPDATE OR DELETE ON core_auditrecord
  FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;
DROP FUNCTION IF EXISTS core_audit_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord "
    "BEGIN SELECT RAISE(ABORT, 'core_auditrecord is append-only (UPDATE refused)'); END;",
    "CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord "
    "BEGIN SELECT RAISE(ABORT, 'core_auditrecord is append-only (DELETE refused)'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_auditrecord_no_update;", "DROP TRIGGER IF EXISTS core_auditrecord_no_delete;"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = [POSTGRES_UP] if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = [POSTGRES_DOWN] if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
