"""HL7 v3 TS (timestamp) handling: YYYY[MM[DD[HH[MM[SS[.F]]]]]][+/-ZZZZ]."""

from __future__ import annotations

import datetime as dt
import re

_TS = re.compile(r"([0-9]{4})([0-9]{2})?([0-9]{2})?([0-9]{2})?([0-9]{2})?([0-9]{2})?(\.[0-9]{1,4})?([+-][0-9]{4})?")


class TSError(ValueError):
    """A TS string that is not a valid HL7 timestamp."""


def ts_bounds(value: str) -> tuple[dt.date, dt.date]:
    """Earliest and latest calendar day a TS value can denote; raises :class:`TSError`."""
    m = _TS.fullmatch(value)
    if not m:
        raise TSError(f"{value!r} is not an HL7 timestamp (expected YYYYMMDD[HHMMSS][+ZZZZ])")
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            first = dt.date(year, int(month), 1)
            nxt = dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1)
        exact = dt.date(year, int(month), int(day))
    except ValueError as exc:
        raise TSError(f"{value!r} is not a real calendar date") from exc
    _check_time(value, m)
    return exact, exact


def _check_time(value: str, m: re.Match[str]) -> None:
    """Reject impossible hours/minutes/seconds and time zones."""
    hh, mi, ss, tz = m[4], m[5], m[6], m[8]
    if (hh and int(hh) > 23) or (mi and int(mi) > 59) or (ss and int(ss) > 60):
        raise TSError(f"{value!r} has an impossible time of day")
    if tz and (int(tz[1:3]) > 14 or int(tz[3:]) > 59):
        raise TSError(f"{value!r} has an impossible UTC offset")


def ts_date(value: str | None) -> dt.date | None:
    """The day of a TS with at least day precision, else None (also for invalid values)."""
    if not value:
        return None
    try:
        lo, hi = ts_bounds(value)
    except TSError:
        return None
    return lo if lo == hi else None
