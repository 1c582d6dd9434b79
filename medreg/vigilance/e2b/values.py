"""HL7 data-type values and verbatim extension fragments used by the E2B(R3) case model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .dates import ts_date

MEDDRA_OID = "2.16.840.1.113883.6.163"
ICH_OID = "2.16.840.1.113883.3.989.2.1"


@dataclass(frozen=True)
class Value:
    """One HL7 data-type value (II, CD/CE, TS, PQ, BL, ED/ST, TEL...) with all its attributes."""

    code: str | None = None
    code_system: str | None = None
    code_system_version: str | None = None
    display_name: str | None = None
    root: str | None = None
    extension: str | None = None
    value: str | None = None
    unit: str | None = None
    null_flavor: str | None = None
    xsi_type: str | None = None
    text: str | None = None
    original_text: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def is_null(self) -> bool:
        """True when the value carries a nullFlavor."""
        return self.null_flavor is not None

    @property
    def as_bool(self) -> bool | None:
        """BL value as a Python bool (None when null or absent)."""
        return {"true": True, "false": False}.get(self.value or "")

    @property
    def as_date(self) -> dt.date | None:
        """TS value truncated to a date, or None when not a full valid date."""
        return ts_date(self.value)


@dataclass(frozen=True)
class Extension:
    """An XML element the model does not cover, kept verbatim at its position.

    ``path`` locates the parent element relative to the owning object's element
    (steps joined by '/'); ``xml`` is the serialized fragment.
    """

    path: str
    xml: str


Ext = tuple[Extension, ...]
V = Value | None
