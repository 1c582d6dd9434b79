"""HL7 TS parsing used by the date rules."""

from __future__ import annotations

import datetime as dt

import pytest

from medreg.vigilance.e2b.dates import TSError, ts_bounds, ts_date


@pytest.mark.parametrize(("value", "lo", "hi"), [
    ("2014", dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
    ("201402", dt.date(2014, 2, 1), dt.date(2014, 2, 28)),
    ("201412", dt.date(2014, 12, 1), dt.date(2014, 12, 31)),
    ("20141010", dt.date(2014, 10, 10), dt.date(2014, 10, 10)),
    ("20140714151617-0500", dt.date(2014, 7, 14), dt.date(2014, 7, 14)),
    ("20140714151617.123+0800", dt.date(2014, 7, 14), dt.date(2014, 7, 14)),
])
def test_valid_timestamps(value: str, lo: dt.date, hi: dt.date) -> None:
    assert ts_bounds(value) == (lo, hi)


@pytest.mark.parametrize("value", ["", "2014-10-10", "20140231", "201413", "20141010250000", "20141010\n",
                                   "２０１４", "20141010+9900", "abc"])
def test_invalid_timestamps(value: str) -> None:
    with pytest.raises(TSError):
        ts_bounds(value)
    assert ts_date(value) is None


def test_ts_date_needs_day_precision() -> None:
    assert ts_date("201410") is None
    assert ts_date("20141010") == dt.date(2014, 10, 10)
