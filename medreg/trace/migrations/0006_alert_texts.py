"""An alert keeps the name of its text and its fields, so the console says it in the reader's language
(decision 0106, point 9). Alerts stored before keep their English message only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trace', '0005_pack_destination_parties'),
    ]

    operations = [
        migrations.AddField(
            model_name='alert',
            name='text',
            field=models.CharField(blank=True, max_length=48),
        ),
        migrations.AddField(
            model_name='alert',
            name='text_fields',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
