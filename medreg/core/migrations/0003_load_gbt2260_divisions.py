"""Load the GB/T 2260 division tree shipped by the `cpca` package (re-runnable; no app code imported)."""

import csv
import importlib.util
from pathlib import Path

from django.db import migrations

NATIONAL = ("000000", "中华人民共和国")


def _divisions() -> dict[str, str]:
    spec = importlib.util.find_spec("cpca")
    assert spec is not None and spec.submodule_search_locations, "install the cpca package"
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as handle:
        return {row["adcode"][:6]: row["name"] for row in csv.DictReader(handle)}


def _level(code: str) -> int:
    if code == NATIONAL[0]:
        return 0
    return 1 if code.endswith("0000") else 2 if code.endswith("00") else 3


def _parent(code: str, known: dict[str, str]) -> str:
    level = _level(code)
    if level == 1:
        return NATIONAL[0]
    city = code[:4] + "00"
    return city if level == 3 and city in known else code[:2] + "0000"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Jurisdiction = apps.get_model("core", "Jurisdiction")
    known = {NATIONAL[0]: NATIONAL[1], **_divisions()}
    nodes = {j.code: j for j in Jurisdiction.objects.all()}
    for code in sorted(known, key=lambda c: (_level(c), c)):
        if code in nodes:
            continue
        parent = nodes.get(_parent(code, known)) if code != NATIONAL[0] else None
        nodes[code] = Jurisdiction.objects.create(code=code, name=known[code], level=_level(code), parent=parent,
                                                  path=f"{parent.path if parent else '/'}{code}/")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
