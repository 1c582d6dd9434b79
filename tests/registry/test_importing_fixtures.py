"""Builders shared by the import/export tests: valid rows of every kind, files in every format.

This module holds no tests; it is named test_importing_* to sit with the tests it serves."""

import csv
import io
from collections.abc import Sequence

import openpyxl
from biip.checksums import gs1_standard_check_digit

from medreg.core.identifiers import make_uscc
from medreg.core.models import AuditRecord
from medreg.registry.importing import COLUMNS, Kind
from medreg.registry.models import Cosmetic, Device, DeviceIdentifier, Drug, Enterprise, Licence, PackageLevel

XIHU = "330106"
NANJING = "320102"


def uscc(serial: int, division: str = XIHU) -> str:
    return make_uscc(division, f"MA{serial:07d}")


def gtin(serial: int) -> str:
    body = f"0690{serial:09d}"
    return body + str(gs1_standard_check_digit(body))


def enterprise_row(serial: int, division: str = XIHU) -> dict[str, str]:
    return {
        "uscc": uscc(serial, division),
        "name": f"杭州第{serial}医药有限公司",
        "types": "drug_wholesaler;retail_pharmacy",
        "legal_representative": "张三",
        "registered_address": "杭州市西湖区文三路1号",
        "jurisdiction": division,
        "status": "active",
    }


def licence_row(holder: str, serial: int) -> dict[str, str]:
    return {
        "enterprise": holder,
        "kind": "drug_wholesale",
        "number": f"浙AA{5710000 + serial:07d}",
        "scope": "化学药制剂",
        "issued_by": "330000",
        "issued_on": "2022-01-01",
        "valid_until": "2027-01-01",
    }


def drug_row(holder: str, serial: int) -> dict[str, str]:
    return {
        "approval_number": f"国药准字H2005{serial:04d}",
        "generic_name": "阿莫西林胶囊",
        "dosage_form": "胶囊剂",
        "strength": "0.25g",
        "marketing_authorization_holder": holder,
        "manufacturers": holder,
        "prescription_class": "rx",
        "approved_on": "2020-05-01",
        "level1_description": "每盒24粒",
        "level1_quantity": "24",
        "level1_code": f"8{serial:06d}",
        "level2_description": "每箱50盒",
        "level2_quantity": "50",
        "level2_gtin": gtin(serial),
    }


def device_row(holder: str, serial: int) -> dict[str, str]:
    return {
        "number": f"国械注准2015309{serial:04d}",
        "name": "一次性使用无菌注射器",
        "model_specification": "5ml",
        "device_class": "III",
        "marketing_authorization_holder": holder,
        "approved_on": "2015-06-01",
        "identifiers": f"GS1:{gtin(5000 + serial)};HIBCC:+H123ABC{serial:04d}0:2:10",
    }


def cosmetic_row(holder: str, serial: int) -> dict[str, str]:
    return {
        "number": f"国妆特字G2019{serial:04d}",
        "name": "防晒乳",
        "category": "special",
        "marketing_authorization_holder": holder,
        "approved_on": "2019-03-01",
    }


def table(kind: Kind, rows: Sequence[dict[str, str]], columns: Sequence[str] | None = None) -> list[list[str]]:
    """Header and rows in the documented column order (or the given columns)."""
    names = list(columns or COLUMNS[kind].names)
    return [names] + [[row.get(name, "") for name in names] for row in rows]


def csv_bytes(rows: Sequence[Sequence[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts() -> dict[str, int]:
    """Rows of every table an import writes to: compared before and after a refused import."""
    models = (Enterprise, Licence, Drug, PackageLevel, Device, DeviceIdentifier, Cosmetic, AuditRecord)
    return {model.__name__: model.objects.count() for model in models}
