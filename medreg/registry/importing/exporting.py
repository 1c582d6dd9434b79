"""Export the caller's scoped rows with the import columns, so that an export re-imports as is.

CSV is streamed (UTF-8 with a BOM, so that Excel shows Chinese correctly); .xlsx is built in a
write-only workbook. Rows come from `medreg.registry.selectors` only: scoping is never bypassed.
"""

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import openpyxl
from django.db.models import QuerySet

from medreg.core.scoping import Scope
from medreg.registry import selectors
from medreg.registry.importing.columns import COLUMNS, LEVEL_PARTS, Kind, protect
from medreg.registry.models import Cosmetic, Device, Drug, Enterprise, Licence

BYTE_ORDER_MARK = "\ufeff"
CHUNK_SIZE = 2000

_QUERYSETS: dict[Kind, tuple[Callable[[Scope], QuerySet[Any]], str]] = {
    Kind.ENTERPRISES: (selectors.enterprises, "uscc"),
    Kind.LICENCES: (selectors.licences, "number"),
    Kind.DRUGS: (selectors.drugs, "approval_number"),
    Kind.DEVICES: (selectors.devices, "number"),
    Kind.COSMETICS: (selectors.cosmetics, "number"),
}


def export_rows(kind: Kind, scope: Scope) -> Iterator[list[str]]:
    """The header, then one row per object the scope may see, read in chunks."""
    yield list(COLUMNS[kind].names)
    selector, order = _QUERYSETS[kind]
    for item in selector(scope).order_by(order, "pk").iterator(chunk_size=CHUNK_SIZE):
        yield row_of(kind, item)


class _Echo:
    """A file-like object whose write returns the text, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def export_csv(kind: Kind, scope: Scope) -> Iterator[str]:
    """CSV lines to stream, starting with the byte order mark."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK
    for row in export_rows(kind, scope):
        yield writer.writerow(row)


def export_xlsx(kind: Kind, scope: Scope) -> bytes:
    """An .xlsx workbook with one sheet named after the kind."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.value)
    for row in export_rows(kind, scope):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_of(kind: Kind, item: Any) -> list[str]:
    """One exported row, in the column order of `COLUMNS[kind]`; formula-like text is protected."""
    values = _EXPORTERS[kind](item)
    return [protect(_text(values.get(name))) for name in COLUMNS[kind].names]


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _enterprise_row(e: Enterprise) -> dict[str, object]:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "types": ";".join(e.type_codes),
        "legal_representative": e.legal_representative,
        "registered_address": e.registered_address,
        "jurisdiction": e.jurisdiction.code,
        "status": e.status,
    }


def _licence_row(x: Licence) -> dict[str, object]:
    return {
        "enterprise": x.enterprise.uscc,
        "kind": x.kind,
        "number": x.number,
        "scope": x.scope,
        "issued_by": x.issued_by.code,
        "issued_on": x.issued_on,
        "valid_until": x.valid_until,
    }


def _drug_row(d: Drug) -> dict[str, object]:
    row: dict[str, object] = {
        name: getattr(d, name)
        for name in ("approval_number", "generic_name", "trade_name", "dosage_form", "strength", "approved_on")
    }
    row.update(prescription_class=d.prescription_class, special_control=d.special_control)
    row["marketing_authorization_holder"] = d.marketing_authorization_holder.uscc
    row["manufacturers"] = ";".join(sorted(m.enterprise.uscc for m in d.manufacturers.all()))
    for level in d.package_levels.all():
        for part, field in LEVEL_PARTS.items():
            row[f"level{level.level}_{part}"] = getattr(level, field)
    return row


def _device_row(d: Device) -> dict[str, object]:
    identifiers = [
        f"{i.issuing_agency}:{i.di}"
        + ("" if (i.package_level, i.quantity) == (1, 1) else f":{i.package_level}:{i.quantity}")
        for i in d.identifiers.all()
    ]
    return {
        "number": d.number,
        "name": d.name,
        "model_specification": d.model_specification,
        "device_class": d.device_class,
        "marketing_authorization_holder": d.marketing_authorization_holder.uscc,
        "approved_on": d.approved_on,
        "identifiers": ";".join(identifiers),
    }


def _cosmetic_row(c: Cosmetic) -> dict[str, object]:
    return {
        "number": c.number,
        "name": c.name,
        "category": c.category,
        "marketing_authorization_holder": c.marketing_authorization_holder.uscc,
        "approved_on": c.approved_on,
    }


_EXPORTERS: dict[Kind, Callable[[Any], dict[str, object]]] = {
    Kind.ENTERPRISES: _enterprise_row,
    Kind.LICENCES: _licence_row,
    Kind.DRUGS: _drug_row,
    Kind.DEVICES: _device_row,
    Kind.COSMETICS: _cosmetic_row,
}
