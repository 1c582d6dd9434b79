"""Shipping, receiving and dispensing update a pack in place (HOT) instead of writing a new entry into
every index of trace_pack (decision 0109).

- trace_pack loses its index on `shipment`, the one indexed column shipping changes. The quantity rule
  finds a shipment's special-control packs through the new SpecialControlShipmentPack rows instead;
  the special-control packs in transit now are copied into them here.
- On PostgreSQL, trace_pack's fillfactor becomes 40: pages are filled to 40 %, so that every pack of a
  page (packs commissioned together share pages, and move together) can take its next version on the
  same page. It applies to pages written from now on; `VACUUM FULL trace_pack` (or pg_repack) rewrites
  the existing ones, in a maintenance window (docs/operations.md). SQLite has no such setting.
"""

from django.db import migrations, models

FILLFACTOR = 40
COPY_IN_TRANSIT = (
    "INSERT INTO trace_specialcontrolshipmentpack (shipment, pack_key) "
    "SELECT shipment, key FROM trace_pack "
    "WHERE status = 'in_transit' AND shipment <> '' AND special_control <> '' AND package_level = 1"
)


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE trace_pack SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE trace_pack RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("trace", "0006_alert_texts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SpecialControlShipmentPack",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("shipment", models.CharField(max_length=120)),
                ("pack_key", models.CharField(max_length=120)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("shipment", "pack_key"), name="trace_special_shipment_pack_once")
                ],
            },
        ),
        migrations.RunSQL(COPY_IN_TRANSIT, migrations.RunSQL.noop, elidable=False),
        migrations.RemoveIndex(model_name="pack", name="trace_pack_shipment_idx"),
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
