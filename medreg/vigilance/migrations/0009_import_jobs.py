# Import jobs: uploaded files processed in the background with progress (decision 0207).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vigilance', '0008_signal_version_and_rationale'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('e2b', 'E2B(R3) batch'), ('csv', 'CSV file of drug reports'), ('variant-csv', 'CSV file of device or cosmetic reports')], max_length=12, verbose_name='kind')),
                ('product_family', models.CharField(default='drug', max_length=10, verbose_name='product family')),
                ('ip_address', models.CharField(blank=True, max_length=45)),
                ('sender_enterprise_code', models.CharField(blank=True, db_index=True, max_length=18)),
                ('jurisdiction_path', models.CharField(db_index=True, max_length=40)),
                ('filename', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                ('size_bytes', models.PositiveBigIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('document_encrypted', models.BinaryField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                ('stage', models.CharField(blank=True, max_length=20, verbose_name='progress')),
                ('total_count', models.PositiveIntegerField(default=0)),
                ('done_count', models.PositiveIntegerField(default=0)),
                ('stored_count', models.PositiveIntegerField(default=0)),
                ('error_count', models.PositiveIntegerField(default=0)),
                ('acknowledgement_code', models.CharField(blank=True, max_length=2)),
                ('acknowledgement', models.BinaryField(default=b'')),
                ('errors', models.JSONField(default=list)),
                ('submitted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'import job',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['submitted_by', '-created_at'], name='vigilance_i_submitt_1cce06_idx')],
            },
        ),
    ]
