"""HL7 TS values as Python dates and instants (for ordering versions by C.1.5)."""

import datetime as dt
import re

from medreg.vigilance.e2b.dates import ts_date
from medreg.vigilance.e2b.model import Value

_TS = re.compile(r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?([+-]\d{4})?")


def ts_text(value: Value | None) -> str:
    return (value.value or "") if value is not None and not value.null_flavor else ""


def ts_instant(value: Value | None) -> dt.datetime | None:
    """The earliest instant a TS denotes (missing parts are the start of the period; no zone = UTC)."""
    m = _TS.fullmatch(ts_text(value))
    if not m:
        return None
    parts = [int(p) if p else d for p, d in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True)]
    zone = dt.UTC
    if m[7]:
        sign = -1 if m[7][0] == "-" else 1
        zone = dt.timezone(sign * dt.timedelta(hours=int(m[7][1:3]), minutes=int(m[7][3:])))
    try:
        return dt.datetime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], tzinfo=zone)
    except ValueError:
        return None


def ts_day(value: Value | None) -> dt.date | None:
    return ts_date(ts_text(value) or None)
