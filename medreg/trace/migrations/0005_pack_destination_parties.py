"""A pack in transit keeps every receiving party of its shipment, joined (decision 0106, point 4):
18 characters held one enterprise code, 200 hold ten. On PostgreSQL widening a varchar changes the
catalogue only; SQLite rebuilds the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trace", "0004_capture_write_path"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pack",
            name="destination_enterprise_code",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
