"""The columns of each kind: their names (the fields of the *In schemas), which are required, and
how a row of text cells becomes schema input and a registry object becomes a row again."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ninja import Schema

from medreg.core.errors import FieldError
from medreg.registry.schemas import CosmeticIn, DeviceIn, DrugIn, EnterpriseIn, LicenceIn

LIST_SEPARATORS = re.compile(r"[;；]")
DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
PACKAGE_LEVELS = 3
LEVEL_PARTS = {"description": "description", "quantity": "quantity", "code": "drug_identification_code", "gtin": "gtin"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Kind(StrEnum):
    """What a file holds: one kind per file."""

    ENTERPRISES = "enterprises"
    LICENCES = "licences"
    DRUGS = "drugs"
    DEVICES = "devices"
    COSMETICS = "cosmetics"


def _level_columns() -> tuple[str, ...]:
    return tuple(f"level{n}_{part}" for n in range(1, PACKAGE_LEVELS + 1) for part in LEVEL_PARTS)


def _schema_columns(schema: type[Schema], exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(name for name in schema.model_fields if name not in exclude)


@dataclass(frozen=True)
class Columns:
    """The column layout of one kind."""

    schema: type[Schema]
    names: tuple[str, ...]
    list_columns: frozenset[str] = frozenset()

    @property
    def required(self) -> tuple[str, ...]:
        fields = self.schema.model_fields
        return tuple(name for name in self.names if name in fields and fields[name].is_required())

    @property
    def date_columns(self) -> frozenset[str]:
        return frozenset(name for name in self.names if name in {"issued_on", "valid_until", "approved_on"})


COLUMNS: dict[Kind, Columns] = {
    Kind.ENTERPRISES: Columns(EnterpriseIn, _schema_columns(EnterpriseIn), frozenset({"types"})),
    Kind.LICENCES: Columns(LicenceIn, _schema_columns(LicenceIn)),
    Kind.DRUGS: Columns(
        DrugIn, _schema_columns(DrugIn, exclude=("package_levels",)) + _level_columns(), frozenset({"manufacturers"})
    ),
    Kind.DEVICES: Columns(DeviceIn, _schema_columns(DeviceIn)),
    Kind.COSMETICS: Columns(CosmeticIn, _schema_columns(CosmeticIn)),
}


def unprotect(cell: str) -> str:
    """Undo the apostrophe the exporter puts before a cell that a spreadsheet would run as a formula."""
    if len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(FORMULA_PREFIXES):
        return cell[1:]
    return cell


def protect(value: str) -> str:
    """Prefix an apostrophe so that Excel shows `=…`, `+…`, `-…` and `@…` as text, never runs them."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def payload_for(kind: Kind, cells: dict[str, str], errors: list[FieldError]) -> dict[str, Any]:
    """Schema input from the non-empty cells of one row (list columns split on ';')."""
    layout = COLUMNS[kind]
    payload: dict[str, Any] = {}
    for name, value in cells.items():
        if name in layout.date_columns and not DATE_SHAPE.match(value):
            errors.append(FieldError(name, "invalid_date", f"{value!r} is not a date.", _DATE_FIX))
        elif name in layout.list_columns:
            payload[name] = [item.strip() for item in LIST_SEPARATORS.split(value) if item.strip()]
        elif not name.startswith("level"):
            payload[name] = value
    _SPECIAL.get(kind, lambda *_: None)(cells, payload, errors)
    return payload


_DATE_FIX = "Write dates as YYYY-MM-DD, e.g. 2024-03-15 (or use a date cell in Excel)."


def _drug_levels(cells: dict[str, str], payload: dict[str, Any], errors: list[FieldError]) -> None:
    levels = []
    for number in range(1, PACKAGE_LEVELS + 1):
        parts = {
            field: cells[f"level{number}_{part}"]
            for part, field in LEVEL_PARTS.items()
            if f"level{number}_{part}" in cells
        }
        if parts:
            levels.append({"level": number, **parts})
    payload["package_levels"] = levels


def _device_identifiers(cells: dict[str, str], payload: dict[str, Any], errors: list[FieldError]) -> None:
    entries = [item.strip() for item in LIST_SEPARATORS.split(cells.get("identifiers", "")) if item.strip()]
    payload["identifiers"] = []
    for entry in entries:
        agency, _, rest = entry.partition(":")
        di, *extra = rest.split(":")
        if not di or len(extra) not in (0, 2):
            errors.append(FieldError("identifiers", "invalid_identifier", f"{entry!r} is not AGENCY:DI.", _UDI_FIX))
            continue
        payload["identifiers"].append(
            {
                "issuing_agency": agency.strip().upper(),
                "di": di.strip(),
                **dict(zip(("package_level", "quantity"), extra, strict=False)),
            }
        )


_UDI_FIX = (
    "Write each identifier as GS1:06901234567892 (or GS1:06901234567892:2:10 for package level 2 "
    "holding 10 units), separated by ';'."
)
_SPECIAL: dict[Kind, Callable[[dict[str, str], dict[str, Any], list[FieldError]], None]] = {
    Kind.DRUGS: _drug_levels,
    Kind.DEVICES: _device_identifiers,
}


def column_of(kind: Kind, field: str, level_numbers: list[int]) -> str:
    """The column an error about schema field path `field` (e.g. package_levels.0.gtin) is about."""
    parts = field.split(".")
    if parts[0] == "package_levels" and len(parts) >= 3 and parts[1].isdigit():
        index = int(parts[1])
        number = level_numbers[index] if index < len(level_numbers) else index + 1
        part = {field: part for part, field in LEVEL_PARTS.items()}.get(parts[2], parts[2])
        return f"level{number}_{part}"
    if kind is Kind.DEVICES and parts[0] in ("identifiers", "issuing_agency"):
        return "identifiers"
    return parts[0]
