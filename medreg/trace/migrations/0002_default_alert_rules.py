"""The alert rules in force from the platform's start, as dated data with their legal reference."""

import datetime as dt

from django.db import migrations

REFERENCE = "《药品管理法》(2019) 第十二条、第三十六条; NMPA 公告2019年第32号 (NMPAB/T 1001-1002); 《麻醉药品和精神药品管理条例》"
RULES = [
    ("code_not_commissioned", "high"),
    ("commissioned_twice", "high"),
    ("dispensed_twice", "high"),
    ("received_without_shipment", "medium"),
    ("shipped_to_unlicensed", "high"),
    ("recalled_batch_movement", "high"),
    ("expired_batch_movement", "medium"),
    ("special_quantity_mismatch", "high"),
    ("special_outside_channel", "high"),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    AlertRule = apps.get_model("trace", "AlertRule")
    for code, severity in RULES:
        AlertRule.objects.get_or_create(code=code, valid_from=dt.date(2026, 1, 1),
                                        defaults={"severity": severity, "enabled": True, "reference": REFERENCE})


class Migration(migrations.Migration):
    dependencies = [("trace", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
