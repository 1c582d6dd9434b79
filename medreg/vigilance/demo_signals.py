"""Demo signal runs: the demo province's case base screened at the end of every quarter it covers, so
the signal pages show a series — the planted associations rising above the EB05 threshold as their
reports accumulate, unrelated reactions staying flat.

Each run has a data cut-off (cases first received on or before it) and applies the thresholds in
force today; runs are executed here, synchronously, as `medreg signal_run` does.
"""

import datetime as dt

from django.db.models import Max, Min
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.vigilance.models import Case
from medreg.vigilance.services.signals import request_signal_run
from medreg.vigilance.signal_runs import execute_run

DEMO_PROVINCE = "330000"


def quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The ends of the quarters from the one holding `first` up to `last`, and `last` itself."""
    ends = []
    year, quarter = first.year, (first.month - 1) // 3
    while True:
        month = quarter * 3 + 3
        end = dt.date(year, month, 31 if month in (3, 12) else 30)
        if end >= last:
            break
        ends.append(end)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return [*ends, last]


def quarterly_runs(actor: Actor, case_prefix: str, today: dt.date | None = None) -> list[int]:
    """One provincial drug run per quarter end over the demo cases; the run ids, oldest cut-off first."""
    span = Case.objects.filter(worldwide_case_id__startswith=case_prefix).aggregate(
        first=Min("first_received"), last=Max("first_received")
    )
    if span["first"] is None:
        return []
    today = today or timezone.localdate()
    cutoffs = [c for c in quarter_ends(span["first"], min(span["last"], today)) if c <= today]
    ran = []
    for cutoff in cutoffs:
        run = request_signal_run(
            actor=actor, scope=SYSTEM_SCOPE, province=DEMO_PROVINCE, data_cutoff=cutoff, run_date=today, enqueue=False
        )
        ran.append(execute_run(run.pk).pk)
    return ran
