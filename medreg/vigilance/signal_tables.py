"""Reads of the signal console: a run's statistics table (filters, sorting, CSV rows) and the series of
a product's measures over successive runs, scoped like every other signal read.

The run is always taken from `signal_selectors.signal_runs(scope)`, so a caller sees the statistics
of the runs of its own jurisdiction only; the statistics are aggregate measures (no case ids), which
is why the CSV export is de-identified by construction.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from medreg.core.errors import NotFound
from medreg.core.scoping import Scope
from medreg.vigilance import signal_selectors
from medreg.vigilance.models.signal import Signal, SignalRun, SignalRunStatus, SignalStatistic

NO_SIGNAL = "none"
# sort key of the console -> model field; every order ends with the pair and the row id
SORTS = {
    "product": "product_key",
    "reaction": "reaction_key",
    "n": "n",
    "expected": "expected",
    "prr": "prr",
    "ror_lower": "ror_lower",
    "ic025": "ic025",
    "ebgm": "ebgm",
    "eb05": "eb05",
    "eb95": "eb95",
}
DEFAULT_SORT = "-eb05"
CSV_HEADER = (
    "run_id",
    "data_cutoff",
    "product_key",
    "reaction_key",
    "approval_number",
    "flagged",
    "n",
    "expected",
    "prr",
    "prr_chi2",
    "ror",
    "ror_lower",
    "ror_upper",
    "ic",
    "ic025",
    "ebgm",
    "eb05",
    "eb95",
    "signal_status",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_SERIES = 6


@dataclass(frozen=True)
class TableFilter:
    """What the signal table shows: text filters, minimums (inclusive), flags and the sort order."""

    product: str = ""
    reaction: str = ""
    min_n: int | None = None
    min_eb05: float | None = None
    min_prr: float | None = None
    min_ror_lower: float | None = None
    min_ic025: float | None = None
    flagged_only: bool = False
    signal_status: str = ""
    sort: str = DEFAULT_SORT


def finished_runs(scope: Scope, family: str = "") -> QuerySet[SignalRun]:
    """The caller's succeeded runs, latest data first (cut-off, else the request date)."""
    runs = signal_selectors.signal_runs(scope).filter(status=SignalRunStatus.SUCCEEDED)
    if family:
        runs = runs.filter(product_family=family)
    return runs.annotate(as_of=_as_of()).order_by("-as_of", "-requested_at", "-pk")


def table_run(scope: Scope, *, run_id: int | None = None, family: str = "") -> SignalRun | None:
    """The run whose statistics the table shows: the one asked for, else the latest finished one."""
    if run_id is None:
        return finished_runs(scope, family).first()
    found = signal_selectors.signal_runs(scope).filter(pk=run_id).annotate(as_of=_as_of()).first()
    if found is None:
        raise NotFound("signal run")
    return found


def _as_of() -> Coalesce:
    return Coalesce("data_cutoff", TruncDate("requested_at"))


def statistics_table(run: SignalRun, filters: TableFilter) -> QuerySet[SignalStatistic]:
    """The run's statistics with the latest signal of each pair (id, status), filtered and sorted."""
    latest = Signal.objects.filter(
        product_family=run.product_family,
        jurisdiction_path=run.jurisdiction_path,
        product_key=OuterRef("product_key"),
        reaction_key=OuterRef("reaction_key"),
    ).order_by("-pk")
    rows = SignalStatistic.objects.filter(run=run).annotate(
        signal_id=Subquery(latest.values("pk")[:1]), signal_status=Subquery(latest.values("status")[:1])
    )
    return _filtered(rows, filters).order_by(*_ordering(filters.sort))


def _filtered(rows: QuerySet[SignalStatistic], filters: TableFilter) -> QuerySet[SignalStatistic]:
    if filters.product:
        text = filters.product.strip()
        rows = rows.filter(Q(product_key__icontains=text) | Q(approval_number__iexact=text))
    if filters.reaction:
        rows = rows.filter(reaction_key__icontains=filters.reaction.strip())
    minimums = {
        "n__gte": filters.min_n,
        "eb05__gte": filters.min_eb05,
        "prr__gte": filters.min_prr,
        "ror_lower__gte": filters.min_ror_lower,
        "ic025__gte": filters.min_ic025,
    }
    rows = rows.filter(**{k: v for k, v in minimums.items() if v is not None})
    if filters.flagged_only:
        rows = rows.filter(flagged=True)
    if filters.signal_status == NO_SIGNAL:
        rows = rows.filter(signal_status__isnull=True)
    elif filters.signal_status:
        rows = rows.filter(signal_status=filters.signal_status)
    return rows


def _ordering(sort: str) -> list[object]:
    """The column's order (nulls last either way), then the pair; an unknown column sorts by EB05, highest first."""
    if sort.removeprefix("-") not in SORTS:
        sort = DEFAULT_SORT
    descending = sort.startswith("-")
    name = SORTS[sort.removeprefix("-")]
    first = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
    return [first, "product_key", "reaction_key", "pk"]


def csv_rows(run: SignalRun, rows: QuerySet[SignalStatistic]) -> Iterator[list[str]]:
    """The header and one line per statistic: measures only, formula-like text protected."""
    yield list(CSV_HEADER)
    cutoff = run.data_cutoff.isoformat() if run.data_cutoff else ""
    for row in rows.iterator(chunk_size=2000):
        yield [
            str(run.pk),
            cutoff,
            _protect(row.product_key),
            _protect(row.reaction_key),
            _protect(row.approval_number),
            "1" if row.flagged else "0",
            str(row.n),
            *(_number(getattr(row, name)) for name in CSV_HEADER[7:18]),
            row.signal_status or "",  # type: ignore[attr-defined]
        ]


def _protect(value: str) -> str:
    """An apostrophe before text a spreadsheet would run as a formula (reported names are outside input)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


# -- series over successive runs ----------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One run's measures of a pair."""

    as_of: dt.date
    run_id: int
    n: int
    ebgm: float | None
    eb05: float | None
    eb95: float | None
    flagged: bool


@dataclass
class Series:
    """A product–reaction pair's measures over the runs of one family and jurisdiction, oldest first."""

    product_key: str
    reaction_key: str
    points: list[Point] = field(default_factory=list)

    @property
    def latest_eb05(self) -> float:
        return next((p.eb05 for p in reversed(self.points) if p.eb05 is not None), 0.0)


def product_series(
    scope: Scope, *, product_keys: list[str], family: str, jurisdiction_path: str, reactions: list[str] | None = None
) -> list[Series]:
    """Series of the products' pairs over the caller's succeeded runs of one family and jurisdiction.

    With `reactions`, those pairs; otherwise the `MAX_SERIES` pairs highest by EB05 in the latest run.
    """
    runs = finished_runs(scope, family).filter(jurisdiction_path=jurisdiction_path)
    pairs = SignalStatistic.objects.filter(run__in=runs.values("pk"), product_key__in=product_keys)
    if reactions is None:
        latest = runs.first()
        top = pairs.filter(run=latest).order_by(F("eb05").desc(nulls_last=True), "product_key", "reaction_key")
        reactions = list(top.values_list("reaction_key", flat=True)[:MAX_SERIES])
    rows = (
        pairs.filter(reaction_key__in=reactions)
        .annotate(as_of=Coalesce("run__data_cutoff", TruncDate("run__requested_at")))
        .order_by("as_of", "run__requested_at", "run_id")
        .values_list("product_key", "reaction_key", "as_of", "run_id", "n", "ebgm", "eb05", "eb95", "flagged")
    )
    found: dict[tuple[str, str], Series] = {}
    for product, reaction, as_of, run_id, n, ebgm, eb05, eb95, flagged in rows:
        series = found.setdefault((product, reaction), Series(product, reaction))
        series.points.append(Point(as_of, run_id, n, ebgm, eb05, eb95, flagged))
    return sorted(found.values(), key=lambda s: (-s.latest_eb05, s.product_key, s.reaction_key))


def product_keys_of(scope: Scope, approval_number: str) -> list[tuple[str, str, str]]:
    """(product key, family, jurisdiction path) of the statistics naming a registry product in the
    caller's succeeded runs, each once, sorted."""
    runs = signal_selectors.signal_runs(scope).filter(status=SignalRunStatus.SUCCEEDED)
    rows = (
        SignalStatistic.objects.filter(run__in=runs.values("pk"), approval_number=approval_number)
        .order_by()
        .values_list("product_key", "run__product_family", "run__jurisdiction_path")
        .distinct()
    )
    return sorted(rows)


def threshold_of(run: SignalRun | None, measure: str = "EB05") -> float | None:
    """The minimum a run applied to a measure (from the thresholds it stored), if any."""
    for threshold in (run.thresholds if run else []) or []:
        if threshold.get("measure") == measure:
            return threshold.get("minimum")  # type: ignore[no-any-return]
    return None
