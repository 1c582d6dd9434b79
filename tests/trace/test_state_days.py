"""Which day of China's calendar an event happened on (decision 0106): the day that expiry dates and
licence periods are compared with."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from medreg.trace.state import china_date

UTC = dt.UTC


def test_a_utc_evening_is_the_next_day_in_china() -> None:
    assert china_date(dt.datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == dt.date(2026, 3, 1)
    assert china_date(dt.datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == dt.date(2026, 3, 2)


def test_the_last_hours_of_year_9999_give_the_last_day_instead_of_overflowing() -> None:
    assert china_date(dt.datetime(9999, 12, 31, 15, 59, tzinfo=UTC)) == dt.date(9999, 12, 31)
    assert china_date(dt.datetime(9999, 12, 31, 20, 0, tzinfo=UTC)) == dt.date.max


@given(st.datetimes(min_value=dt.datetime(1992, 1, 1), timezones=st.just(UTC)))
def test_any_utc_time_is_its_date_eight_hours_later(moment: dt.datetime) -> None:
    # China has kept UTC+8 without daylight saving since 1992 (it had summer time in 1986-1991)
    later = moment + dt.timedelta(hours=8) if moment < dt.datetime(9999, 12, 31, 16, tzinfo=UTC) else None
    assert china_date(moment) == (later.date() if later is not None else dt.date.max)
