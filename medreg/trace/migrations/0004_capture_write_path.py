"""Less work for PostgreSQL per captured observation (decision 0105, second amendment of 2026-11-24).

- EventEpc.event keeps its index and Django's cascade but loses its database constraint: PostgreSQL
  checked the deferred constraint at commit with one lookup and row lock per EPC row. On PostgreSQL
  this drops the constraint (no table rewrite); on SQLite Django rebuilds the table.
- trace_event loses the `_like` (varchar_pattern_ops) twins PostgreSQL got for identity, biz_step,
  biz_location and sender_enterprise_code: no query filters events with LIKE on them (the
  jurisdiction scope does, on jurisdiction_path, whose twin stays). Every event row wrote them.
"""

import django.db.models.deletion
from django.db import migrations, models

EVENT_LIKE_INDEXES = {  # Django's names for them, from the table and column names
    "trace_event_identity_0c8a340c_like": "identity",
    "trace_event_biz_step_4ad5d62f_like": "biz_step",
    "trace_event_biz_location_ac6b69e3_like": "biz_location",
    "trace_event_sender_enterprise_code_3803c535_like": "sender_enterprise_code",
}


def drop_event_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in EVENT_LIKE_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_event_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in EVENT_LIKE_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON trace_event ({column} varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [
        ("trace", "0003_pack_indexes_for_capture"),
    ]

    operations = [
        migrations.AlterField(
            model_name="eventepc",
            name="event",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="epcs",
                to="trace.event",
            ),
        ),
        migrations.RunPython(drop_event_like_indexes, create_event_like_indexes, elidable=False),
    ]
