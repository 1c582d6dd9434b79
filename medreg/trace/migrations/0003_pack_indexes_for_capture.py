"""Pack indexes reduced to those a query uses (decision 0105): every capture document writes
thousands of pack row versions, and each version is written into every index.

Kept: the primary key (verify, trace, capture), (approval_number, lot) (recall scope, track),
parent_key (contents of a case) and shipment (receiving a shipment), the last two as plain btrees.
Dropped: lot, approval_number, holder_enterprise_code, jurisdiction_path and the `_like`
(varchar_pattern_ops) twins PostgreSQL got for every indexed text column, the primary key's too;
no query on packs filters with LIKE on them.
"""

from django.db import migrations, models

KEY_LIKE_INDEX = "trace_pack_key_6275852f_like"  # Django's name for the primary key's LIKE index


def drop_key_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {KEY_LIKE_INDEX}")


def create_key_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {KEY_LIKE_INDEX} ON trace_pack (key varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ('trace', '0002_default_alert_rules'),
    ]

    operations = [
        migrations.RunPython(drop_key_like_index, create_key_like_index, elidable=False),
        migrations.AlterField(
            model_name='pack',
            name='approval_number',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='pack',
            name='holder_enterprise_code',
            field=models.CharField(max_length=18),
        ),
        migrations.AlterField(
            model_name='pack',
            name='jurisdiction_path',
            field=models.CharField(max_length=40),
        ),
        migrations.AlterField(
            model_name='pack',
            name='lot',
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name='pack',
            name='parent_key',
            field=models.CharField(blank=True, max_length=120, null=True),
        ),
        migrations.AlterField(
            model_name='pack',
            name='shipment',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddIndex(
            model_name='pack',
            index=models.Index(fields=['parent_key'], name='trace_pack_parent_key_idx'),
        ),
        migrations.AddIndex(
            model_name='pack',
            index=models.Index(fields=['shipment'], name='trace_pack_shipment_idx'),
        ),
    ]
