"""Signal console: a data cut-off per run (for series of runs), and the statistics of every pair.

Before this migration a run stored the statistics of its flagged pairs only, so existing rows are
marked flagged (added with default true); new rows default to not flagged.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("vigilance", "0004_case_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="signalrun",
            name="data_cutoff",
            field=models.DateField(
                blank=True, null=True, verbose_name="data cut-off (cases first received on or before)"
            ),
        ),
        migrations.AddField(
            model_name="signalstatistic",
            name="approval_number",
            field=models.CharField(blank=True, max_length=20, verbose_name="registry product (most reported match)"),
        ),
        migrations.AddField(
            model_name="signalstatistic",
            name="flagged",
            field=models.BooleanField(default=True, verbose_name="over threshold"),
        ),
        migrations.AlterField(
            model_name="signalstatistic",
            name="flagged",
            field=models.BooleanField(default=False, verbose_name="over threshold"),
        ),
        migrations.AddIndex(
            model_name="signalstatistic",
            index=models.Index(fields=["approval_number"], name="signal_stat_approval"),
        ),
    ]
