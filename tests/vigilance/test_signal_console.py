"""Signal console reads: a run's statistics table (filters, sorting, CSV), a product's series over runs
with a data cut-off, and the picture drawn from a known series (exact coordinates)."""

import datetime as dt

import pytest

from medreg.core.actor import Actor
from medreg.core.errors import NotFound
from medreg.core.models import User
from medreg.core.scoping import SYSTEM_SCOPE, scope_for
from medreg.vigilance import signal_plots, signal_tables
from medreg.vigilance.models import Case
from medreg.vigilance.models.signal import SignalRun, SignalStatistic
from medreg.vigilance.services.signals import request_signal_run
from medreg.vigilance.signal_runs import execute_run
from medreg.vigilance.signal_tables import Point, Series, TableFilter
from tests.vigilance.test_signal_management import PLANTED_DRUG, PLANTED_REACTION, RUN_DATE, build_cases

FIRST_DAY = dt.date(2025, 1, 1)
CUTOFFS = (dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 10, 27))


def spread_receipts() -> None:
    """Case i was first received on day (37 i mod 300) of 2025: the planted cases arrive over the year."""
    for index, case_id in enumerate(Case.objects.order_by("pk").values_list("pk", flat=True)):
        Case.objects.filter(pk=case_id).update(first_received=FIRST_DAY + dt.timedelta(days=(index * 37) % 300))


def quarterly_series() -> list[SignalRun]:
    """Three provincial runs over the synthetic cases, at three data cut-offs."""
    build_cases()
    spread_receipts()
    runs = []
    for cutoff in CUTOFFS:
        run = request_signal_run(
            actor=Actor.system(),
            scope=SYSTEM_SCOPE,
            province="330000",
            run_date=RUN_DATE,
            data_cutoff=cutoff,
            enqueue=False,
        )
        runs.append(execute_run(run.pk))
    return runs


@pytest.mark.django_db
def test_a_cut_off_limits_the_cases_and_the_series_rises(provincial_user: User) -> None:
    # given three runs at three cut-offs
    runs = quarterly_series()
    # then each run saw the cases received until its cut-off, and stored every pair
    assert [(r.status, r.report_count, r.pair_count, r.flagged_count) for r in runs] == [
        ("succeeded", 90, 107, 0),
        ("succeeded", 181, 185, 0),
        ("succeeded", 300, 221, 1),
    ]
    assert [SignalStatistic.objects.filter(run=r).count() for r in runs] == [107, 185, 221]
    # when
    series = signal_tables.product_series(
        scope_for(provincial_user), product_keys=[PLANTED_DRUG], family="drug", jurisdiction_path="/000000/330000/"
    )
    # then the planted reaction first (highest EB05 in the latest run), rising over the threshold
    assert [s.reaction_key for s in series] == [
        PLANTED_REACTION,
        "10000004",
        "10000002",
        "10000013",
        "10000005",
        "10000007",
    ]
    assert [(p.as_of, p.run_id, p.n, p.ebgm, p.eb05, p.eb95, p.flagged) for p in series[0].points] == [
        (CUTOFFS[0], runs[0].pk, 5, 1.51, 1.28, 1.77, False),
        (CUTOFFS[1], runs[1].pk, 9, 2.0, 1.27, 3.02, False),
        (CUTOFFS[2], runs[2].pk, 14, 6.94, 5.93, 8.08, True),
    ]
    assert [(p.n, p.eb05) for p in series[1].points] == [(1, 1.24), (2, 0.54), (3, 0.91)]


@pytest.mark.django_db
def test_other_jurisdictions_see_no_runs(other_province_user: User, city_user: User, national_user: User) -> None:
    # given
    runs = quarterly_series()
    # then
    assert signal_tables.table_run(scope_for(other_province_user)) is None
    assert signal_tables.table_run(scope_for(city_user)) is None
    assert signal_tables.table_run(scope_for(national_user)) == runs[2]
    with pytest.raises(NotFound):
        signal_tables.table_run(scope_for(other_province_user), run_id=runs[0].pk)
    assert signal_tables.product_keys_of(scope_for(other_province_user), "") == []


def table(run: SignalRun, **filters: object) -> list[tuple[str, str, int, float | None]]:
    rows = signal_tables.statistics_table(run, TableFilter(**filters))  # type: ignore[arg-type]
    return [(r.product_key, r.reaction_key, r.n, r.eb05) for r in rows]


PLANTED_ROW = (PLANTED_DRUG, PLANTED_REACTION, 14, 5.93)


@pytest.mark.django_db
def test_the_table_filters_and_sorts(provincial_user: User) -> None:
    # given
    quarterly_series()
    run = signal_tables.table_run(scope_for(provincial_user))
    assert run is not None
    # then
    assert len(table(run)) == 221
    assert table(run)[:3] == [PLANTED_ROW, ("BACKDRUG 00", "10000008", 7, 0.93), ("BACKDRUG 00", "10000011", 7, 0.93)]
    assert table(run, flagged_only=True) == [PLANTED_ROW]
    assert table(run, min_n=10) == [PLANTED_ROW]
    assert table(run, min_eb05=1.0) == [PLANTED_ROW]
    assert table(run, min_ror_lower=2.0) == [PLANTED_ROW]
    assert table(run, min_ic025=0.0) == [PLANTED_ROW]
    assert len(table(run, min_prr=3.0)) == 9
    assert table(run, product="xuanfu")[:2] == [PLANTED_ROW, (PLANTED_DRUG, "10000004", 3, 0.91)]
    assert len(table(run, product="xuanfu")) == 10
    assert len(table(run, reaction="10019211")) == 10
    assert table(run, signal_status="detected") == [PLANTED_ROW]
    assert len(table(run, signal_status="none")) == 220
    assert table(run, signal_status="closed") == []
    assert table(run, sort="n")[:2] == [("BACKDRUG 00", "10000000", 1, 0.88), ("BACKDRUG 00", "10000003", 1, 0.89)]
    assert table(run, sort="-n")[0] == PLANTED_ROW
    assert table(run, sort="product")[:2] == [("BACKDRUG 00", "10000000", 1, 0.88), ("BACKDRUG 00", "10000001", 3, 0.9)]
    assert table(run, sort="unknown")[0] == PLANTED_ROW  # falls back to EB05, highest first


@pytest.mark.django_db
def test_the_csv_has_the_measures_only_and_protects_formulas(provincial_user: User) -> None:
    # given a pair whose reported name would be a spreadsheet formula
    runs = quarterly_series()
    SignalStatistic.objects.filter(run=runs[2], product_key="BACKDRUG 00", reaction_key="10000008").update(
        product_key="=HYPERLINK(1)"
    )
    rows = signal_tables.statistics_table(runs[2], TableFilter(min_n=7))
    # when
    lines = list(signal_tables.csv_rows(runs[2], rows))
    # then
    assert lines[0] == list(signal_tables.CSV_HEADER)
    assert lines[1][:7] == [str(runs[2].pk), "2025-10-27", PLANTED_DRUG, PLANTED_REACTION, "", "1", "14"]
    assert lines[1][15:] == ["6.94", "5.93", "8.08", "detected"]
    assert lines[2][2:4] == ["'=HYPERLINK(1)", "10000008"]
    assert len(lines) == 1 + rows.count()
    assert all(len(line) == len(signal_tables.CSV_HEADER) for line in lines)
    assert not any("SYN-" in cell for line in lines for cell in line)  # no case ids


def known_series() -> list[Series]:
    rising = Series(
        "DRUG A",
        "RASH",
        [
            Point(dt.date(2025, 3, 31), 1, 3, 1.0, 0.5, 2.0, False),
            Point(dt.date(2025, 6, 30), 2, 6, 2.0, 1.5, 3.0, False),
            Point(dt.date(2025, 9, 30), 3, 12, 4.0, 3.0, 6.0, True),
        ],
    )
    flat = Series(
        "DRUG A",
        "HEADACHE",
        [
            Point(dt.date(2025, 3, 31), 1, 2, 1.0, 0.6, 1.8, False),
            Point(dt.date(2025, 9, 30), 3, 4, 1.0, 0.6, 1.6, False),
        ],
    )
    return [flat, rising]


def test_the_picture_of_a_known_series_has_exact_points() -> None:
    # given a rising and a flat reaction, threshold 2: y runs from 0 to 6 (EB95 6.0), x over 183 days
    # x = 56 + 494 * days / 183; y = 16 + 248 * (1 - value / 6)
    svg = signal_plots.render(known_series(), threshold=2.0, highlight="RASH", title="DRUG A", plot_id="p")
    # then
    assert 'points="56.0,243.3 301.7,202.0 550.0,140.0" data-testid="plot-eb05"' in svg  # rising EB05
    assert 'points="56.0,239.2 550.0,239.2" data-testid="plot-eb05"' in svg  # flat EB05 0.6
    assert 'points="56.0,222.7 301.7,181.3 550.0,98.7" data-testid="plot-ebgm"' in svg
    assert 'points="56.0,181.3 301.7,140.0 550.0,16.0 550.0,140.0 301.7,202.0 56.0,243.3"' in svg  # the band
    assert '<line class="threshold" x1="56" y1="181.3" x2="550" y2="181.3"' in svg
    assert [tick for tick in ("0", "2", "4", "6") if f'text-anchor="end">{tick}</text>' in svg] == ["0", "2", "4", "6"]
    assert svg.count("<circle ") == 5
    assert '<title id="p-title">DRUG A</title>' in svg
    assert "阈值：EB05 不低于 2。 RASH：2025-03-31 EB05 为 0.5，2025-09-30 为 3。" in svg  # the description
    assert "HEADACHE：2025-03-31 EB05 为 0.6，2025-09-30 为 0.6。" in svg
    assert ">2025-06-30</text>" in svg


def test_the_picture_escapes_reported_names() -> None:
    hostile = Series("X", '<script>alert("x")</script>', [Point(dt.date(2025, 1, 1), 1, 3, 1.0, 0.5, 2.0, False)])
    svg = signal_plots.render([hostile], threshold=None, title="<b>", plot_id="p")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<b>" not in svg


@pytest.mark.parametrize(
    ("value", "maximum", "step"),
    [(6, 6, 2), (2.5, 2.5, 0.5), (0.0, 1, 0.2), (7.3, 8, 2), (41, 50, 10), (0.93, 1, 0.2)],
)
def test_the_value_axis_is_rounded(value: float, maximum: float, step: float) -> None:
    assert signal_plots.nice_scale(value) == (maximum, step)
