"""Signal management: dated thresholds (seeded), signal runs, statistics over threshold, signals."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The screening rule in force from 2026-01-01: EB05 >= 2 with at least 3 reports (DuMouchel's
# convention as used by FDA and openEBGM; CIOMS VIII on signal detection). Re-runnable.
SEED_THRESHOLDS = (
    ("EB05", 2.0, "2026-01-01", "CIOMS VIII / FDA openEBGM convention"),
    ("N", 3.0, "2026-01-01", "CIOMS VIII / FDA openEBGM convention"),
)


def seed_thresholds(apps, schema_editor):
    threshold = apps.get_model("vigilance", "SignalThreshold")
    for measure, minimum, valid_from, reference in SEED_THRESHOLDS:
        threshold.objects.get_or_create(
            measure=measure, valid_from=valid_from, defaults={"minimum": minimum, "reference": reference}
        )


def unseed_thresholds(apps, schema_editor):
    threshold = apps.get_model("vigilance", "SignalThreshold")
    for measure, _minimum, valid_from, _reference in SEED_THRESHOLDS:
        threshold.objects.filter(measure=measure, valid_from=valid_from).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('vigilance', '0001_case_storage'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SignalRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('product_family', models.CharField(choices=[('drug', 'Drug'), ('device', 'Medical device'), ('cosmetic', 'Cosmetic')], default='drug', max_length=10)),
                ('jurisdiction_path', models.CharField(db_index=True, max_length=40)),
                ('jurisdiction_code', models.CharField(max_length=6)),
                ('run_date', models.DateField(verbose_name='date whose thresholds apply')),
                ('requested_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('stage', models.CharField(blank=True, max_length=40, verbose_name='progress')),
                ('report_count', models.PositiveIntegerField(default=0)),
                ('row_count', models.PositiveIntegerField(default=0)),
                ('pair_count', models.PositiveIntegerField(default=0)),
                ('flagged_count', models.PositiveIntegerField(default=0)),
                ('new_signal_count', models.PositiveIntegerField(default=0)),
                ('hyperparameters', models.JSONField(default=dict)),
                ('thresholds', models.JSONField(default=list, verbose_name='thresholds used')),
                ('seconds', models.JSONField(default=dict)),
                ('error', models.TextField(blank=True)),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'signal run',
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Signal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('product_key', models.CharField(max_length=500)),
                ('reaction_key', models.CharField(max_length=500)),
                ('reaction_label', models.CharField(blank=True, max_length=500)),
                ('product_family', models.CharField(choices=[('drug', 'Drug'), ('device', 'Medical device'), ('cosmetic', 'Cosmetic')], max_length=10)),
                ('jurisdiction_path', models.CharField(db_index=True, max_length=40)),
                ('jurisdiction_code', models.CharField(max_length=6)),
                ('approval_number', models.CharField(blank=True, max_length=20, verbose_name='registry product (most reported match)')),
                ('status', models.CharField(choices=[('detected', 'Detected'), ('validated', 'Validated'), ('refuted', 'Refuted'), ('assessed', 'Assessed'), ('closed', 'Closed')], default='detected', max_length=10)),
                ('detected_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('validation_note', models.TextField(blank=True)),
                ('causality_assessment', models.TextField(blank=True)),
                ('proposed_action', models.CharField(blank=True, choices=[('label_change', 'Label change'), ('dhpc_letter', 'Direct healthcare professional communication'), ('restrict', 'Restrict use'), ('withdraw', 'Withdraw'), ('none', 'No action')], max_length=16)),
                ('closing_note', models.TextField(blank=True)),
                ('cases', models.ManyToManyField(blank=True, related_name='signals', to='vigilance.case')),
                ('detected_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signals', to='vigilance.signalrun')),
            ],
            options={
                'verbose_name': 'signal',
                'ordering': ['-detected_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='SignalStatistic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('product_key', models.CharField(max_length=500)),
                ('reaction_key', models.CharField(max_length=500)),
                ('n', models.PositiveIntegerField()),
                ('expected', models.FloatField()),
                ('prr', models.FloatField(null=True)),
                ('prr_chi2', models.FloatField(null=True)),
                ('ror', models.FloatField(null=True)),
                ('ror_lower', models.FloatField(null=True)),
                ('ror_upper', models.FloatField(null=True)),
                ('ic', models.FloatField(null=True)),
                ('ic025', models.FloatField(null=True)),
                ('ebgm', models.FloatField(null=True)),
                ('eb05', models.FloatField(null=True)),
                ('eb95', models.FloatField(null=True)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statistics', to='vigilance.signalrun')),
            ],
            options={
                'verbose_name': 'signal statistic',
                'ordering': ['run', 'product_key', 'reaction_key'],
            },
        ),
        migrations.CreateModel(
            name='SignalThreshold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('measure', models.CharField(choices=[('N', 'Number of reports (N)'), ('EBGM', 'EBGM'), ('EB05', 'EB05 (lower 5% of the EBGM posterior)'), ('PRR', 'PRR'), ('PRR_chi2', 'PRR chi-square (Yates)'), ('ROR_lower', 'ROR lower 95% bound'), ('IC025', 'IC025 (BCPNN)')], max_length=12)),
                ('minimum', models.FloatField(blank=True, null=True, verbose_name='minimum (inclusive)')),
                ('valid_from', models.DateField()),
                ('reference', models.CharField(max_length=300, verbose_name='legal or guideline reference')),
                ('note', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': 'signal threshold',
                'ordering': ['measure', 'valid_from'],
                'constraints': [models.UniqueConstraint(fields=('measure', 'valid_from'), name='signal_threshold_once_per_date')],
            },
        ),
        migrations.AddConstraint(
            model_name='signal',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['detected', 'validated', 'assessed'])), fields=('product_family', 'jurisdiction_path', 'product_key', 'reaction_key'), name='signal_open_once_per_pair'),
        ),
        migrations.AddIndex(
            model_name='signalstatistic',
            index=models.Index(fields=['product_key', 'reaction_key'], name='signal_stat_pair'),
        ),
        migrations.RunPython(seed_thresholds, unseed_thresholds),
    ]
