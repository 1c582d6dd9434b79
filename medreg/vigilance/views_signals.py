"""Console pages of signal detection: the statistics table of a run (filters, sorting, CSV), a signal's
page with its plot over successive runs, the runs with a form to start one, and a run's progress.

Reads go through `signal_selectors` and `signal_tables` with `request.scope`; starting a run through
`services.signals.request_signal_run`, which enqueues the background task once the request commits.
Signal pages are for regulators (national and provincial ones see signals; others see none).
"""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from medreg.core.errors import DomainError, PermissionDenied
from medreg.core.scoping import Scope
from medreg.vigilance import signal_plots, signal_selectors, signal_tables
from medreg.vigilance.models.signal import ProposedAction, Signal, SignalRun, SignalRunStatus, SignalStatus
from medreg.vigilance.services.signals import SIGNAL_ROLES, allowed_actions, request_signal_run
from medreg.vigilance.signal_forms import (
    STEP_FORMS,
    STEP_LABELS,
    SignalRunForm,
    SignalStepForm,
    SignalTableForm,
)
from medreg.vigilance.views import _actor, _errors, _query, _scope

ROWS_PER_PAGE = 50
STATUS_LABELS = dict(SignalStatus.choices)
ACTION_LABELS = dict(ProposedAction.choices)
FIELD_LABELS = {
    "validation_note": gettext_lazy("Validation note"),
    "causality_assessment": gettext_lazy("Causality assessment"),
    "proposed_action": gettext_lazy("Proposed action"),
    "action_rationale": gettext_lazy("Rationale for the proposed action"),
    "closing_note": gettext_lazy("Closing outcome"),
}
RUNS_PER_PAGE = 30
STAGE_PERCENT = {"": 0, "exporting": 10, "computing": 40, "storing": 75, "done": 100, "failed": 100}
STAGE_LABELS = {
    "": gettext_lazy("Waiting for a worker"),
    "exporting": gettext_lazy("Exporting cases"),
    "computing": gettext_lazy("Computing the measures"),
    "storing": gettext_lazy("Storing the statistics and signals"),
    "done": gettext_lazy("Done"),
    "failed": gettext_lazy("Failed"),
}
COLUMNS = [
    ("product", gettext_lazy("Product")),
    ("reaction", gettext_lazy("Adverse reaction")),
    ("n", "N"),
    ("expected", "E"),
    ("prr", "PRR"),
    ("ror_lower", gettext_lazy("ROR lower")),
    ("ic025", "IC025"),
    ("ebgm", "EBGM"),
    ("eb05", "EB05"),
    ("eb95", "EB95"),
]


def _regulator(request: HttpRequest) -> Scope:
    scope = _scope(request)
    if not scope.is_regulator:
        raise PermissionDenied("Signal detection pages are for regulators.")
    return scope


# -- the statistics table -----------------------------------------------------------------------


@login_required
def signal_table(request: HttpRequest) -> HttpResponse:
    """A run's statistics (default: the latest finished run) with filters, sorting and pages; CSV on request."""
    scope = _regulator(request)
    form = SignalTableForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "run": None, "runs": [], "page": None, "columns": COLUMNS}
        return render(request, "vigilance/signals/table.html", context, status=400)
    data = form.cleaned_data
    run = signal_tables.table_run(scope, run_id=data["run"], family=data["family"])
    rows = signal_tables.statistics_table(run, form.table_filter()) if run else None
    if request.GET.get("format") == "csv" and run is not None and rows is not None:
        return _csv_response(run, rows)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")) if rows is not None else None
    for row in page or []:
        row.signal_status_label = STATUS_LABELS.get(row.signal_status, "")
    context = {
        "form": form,
        "run": run,
        "runs": list(signal_tables.finished_runs(scope, data["family"])[:RUNS_PER_PAGE]),
        "page": page,
        "columns": _sortable(request, data["sort"] or signal_tables.DEFAULT_SORT),
        "query": _query(request),
        "threshold": signal_tables.threshold_of(run),
    }
    return render(request, "vigilance/signals/table.html", context)


def _sortable(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    """Each column's header link: sorts descending first, ascending when already descending."""
    columns = []
    for key, label in COLUMNS:
        following = key if current == f"-{key}" else f"-{key}"
        query = request.GET.copy()
        query["sort"] = following
        query.pop("page", None)
        state = "descending" if current == f"-{key}" else "ascending" if current == key else "none"
        columns.append({"key": key, "label": label, "url": f"?{query.urlencode()}", "aria_sort": state})
    return columns


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(run: SignalRun, rows: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # spreadsheets read the file as UTF-8
        for row in signal_tables.csv_rows(run, rows):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signal-statistics-run-{run.pk}.csv"'
    return response


# -- a signal and a product's plot --------------------------------------------------------------


@login_required
def signal_detail(request: HttpRequest, signal_id: int) -> HttpResponse:
    """One signal: its facts, the workflow steps the caller may take, its history, the plot of its
    product's reactions over the runs, its cases."""
    scope = _regulator(request)
    found = signal_selectors.signal(scope, signal_id)
    done = request.GET.get("done", "")
    return render(request, "vigilance/signals/signal.html", signal_page_context(scope, found, done=done))


def signal_page_context(
    scope: Scope, found: Signal, *, bound: SignalStepForm | None = None, bound_action: str = "", done: str = ""
) -> dict[str, Any]:
    """The signal page: facts, plot, cases, history, and a form for each step the service allows the
    caller (`bound`: the form just posted, shown with its errors in place of a blank one)."""
    series = signal_tables.product_series(
        scope,
        product_keys=[found.product_key],
        family=found.product_family,
        jurisdiction_path=found.jurisdiction_path,
    )
    if found.reaction_key not in {s.reaction_key for s in series}:  # the signal's own pair always drawn
        series = signal_tables.product_series(
            scope,
            product_keys=[found.product_key],
            family=found.product_family,
            jurisdiction_path=found.jurisdiction_path,
            reactions=[found.reaction_key, *(s.reaction_key for s in series)][: signal_tables.MAX_SERIES],
        )
    steps = [
        (action, STEP_LABELS[action], bound if action == bound_action and bound is not None else _blank(action, found))
        for action in allowed_actions(scope, found)
    ]
    return {
        "signal": found,
        "case_ids": signal_selectors.signal_case_ids(found),
        "steps": steps,
        "step_errors": bound.non_field_errors() if bound is not None else [],
        "history": [_history_row(step) for step in signal_selectors.signal_history(found)],
        "done": STEP_LABELS.get(done, "") if done in STEP_FORMS else "",
        "plot": signal_plots.plot_context(
            scope,
            series,
            product_key=found.product_key,
            highlight=found.reaction_key,
            family=found.product_family,
            path=found.jurisdiction_path,
            plot_id="plot-signal",
        ),
    }


def _history_row(step: signal_selectors.SignalStep) -> dict[str, Any]:
    """A history step with its labels; its written fields as (label, value), the proposed action by name."""
    return {
        "step": step,
        "label": STEP_LABELS.get(step.step, step.step),
        "before": STATUS_LABELS.get(step.status_before, step.status_before),
        "after": STATUS_LABELS.get(step.status_after, step.status_after),
        "changes": [
            (FIELD_LABELS[name], ACTION_LABELS.get(value, value) if name == "proposed_action" else value)
            for name, value in step.changes
        ],
    }


def _blank(action: str, found: Signal) -> SignalStepForm:
    return STEP_FORMS[action](prefix=action, initial={"version": found.version})


# -- runs and their progress --------------------------------------------------------------------


@login_required
def signal_runs(request: HttpRequest) -> HttpResponse:
    """The caller's signal runs, newest first, and (for national and provincial regulators) a form to start one."""
    scope = _regulator(request)
    form = SignalRunForm(request.POST or None, initial={"product_family": "drug"})
    if request.method == "POST":
        if scope.role not in SIGNAL_ROLES:
            raise PermissionDenied("Only national and provincial regulators run signal detection.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = request_signal_run(
                    actor=_actor(request),
                    scope=scope,
                    product_family=data["product_family"],
                    data_cutoff=data["data_cutoff"],
                    province=data["province"] or "",
                )
            except DomainError as error:
                form.add_error(None, _errors(error))
            else:
                return redirect("vigilance:signal_run", run_id=run.pk)
    runs = Paginator(signal_selectors.signal_runs(scope).order_by("-requested_at", "-pk"), RUNS_PER_PAGE)
    context = {
        "form": form,
        "page": runs.get_page(request.GET.get("page")),
        "may_start": scope.role in SIGNAL_ROLES,
        "national": scope.role != "provincial_regulator",
    }
    return render(request, "vigilance/signals/runs.html", context, status=400 if form.errors else 200)


@login_required
def signal_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's stage, counts and a progress bar that follows the run until it ends."""
    found = signal_selectors.signal_run(_regulator(request), run_id)
    return render(request, "vigilance/signals/run.html", {"run": found, "progress": run_progress(found)})


@login_required
def signal_run_progress(request: HttpRequest, run_id: int) -> JsonResponse:
    """The run's progress as JSON, for the page's polling script."""
    found = signal_selectors.signal_run(_regulator(request), run_id)
    return JsonResponse(run_progress(found))


def run_progress(run: SignalRun) -> dict[str, Any]:
    finished = run.status in (SignalRunStatus.SUCCEEDED, SignalRunStatus.FAILED)
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "stage": run.stage,
        "stage_label": str(STAGE_LABELS.get(run.stage, run.stage)),
        "percent": STAGE_PERCENT.get(run.stage, 0),
        "finished": finished,
        "report_count": run.report_count,
        "row_count": run.row_count,
        "pair_count": run.pair_count,
        "flagged_count": run.flagged_count,
        "new_signal_count": run.new_signal_count,
        "error": run.error,
    }
