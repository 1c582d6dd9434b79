"""Console pages of signal management: a workflow step posted from the signal page, the queue of
signals per product family and jurisdiction, and the dated screening thresholds.

The step goes through `services.signals.transition_signal`, which holds every rule (who, from which
status, which fields, the version read); this module only turns its refusals into messages on the
form's fields. Reads go through `signal_selectors` with `request.scope`.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from medreg.core.errors import DomainError, NotFound
from medreg.vigilance import signal_selectors
from medreg.vigilance.models import ProductFamily
from medreg.vigilance.models.signal import Signal
from medreg.vigilance.services.signals import transition_signal
from medreg.vigilance.signal_forms import STEP_FORMS, SignalQueueForm, SignalStepForm
from medreg.vigilance.views import _actor, _query
from medreg.vigilance.views_signals import STATUS_LABELS, _regulator, signal_page_context

QUEUE_ROWS_PER_PAGE = 50
FAMILY_LABELS = dict(ProductFamily.choices)
REFUSALS_SHOWN_ON_THE_PAGE = (403, 404)  # rendered by the middleware as the refusal itself
CODE_MESSAGES = {
    "stale_version": _(
        "Someone else took a step on this signal while you were reading it (now version %(version)s). "
        "Check its status and history, then submit again."
    ),
    "invalid_transition": _("This step is not allowed from the signal's current status."),
    "required": _("This field is required for this step."),
}
THRESHOLD_STATES = {
    "in_force": _("In force"),
    "scheduled": _("Scheduled"),
    "superseded": _("Superseded"),
    "retired": _("Retired"),
}


@login_required
@require_POST
def signal_step(request: HttpRequest, signal_id: int, action: str) -> HttpResponse:
    """Take one workflow step (validate, refute, assess, close); back to the signal page when done."""
    scope = _regulator(request)
    found = signal_selectors.signal(scope, signal_id)
    if action not in STEP_FORMS:
        raise NotFound("workflow step")
    form = STEP_FORMS[action](request.POST, prefix=action)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            transition_signal(
                actor=_actor(request), scope=scope, signal_id=signal_id, action=action, version=version, **data
            )
        except DomainError as error:
            if error.status in REFUSALS_SHOWN_ON_THE_PAGE:
                raise
            found = signal_selectors.signal(scope, signal_id)  # as it is now
            form, status = _with_errors(form, action, error, found), error.status
        else:
            return redirect(f"{reverse('vigilance:signal', args=[signal_id])}?done={action}#history")
    context = signal_page_context(scope, found, bound=form, bound_action=action)
    return render(request, "vigilance/signals/signal.html", context, status=status)


def _with_errors(form: SignalStepForm, action: str, error: DomainError, found: Signal) -> SignalStepForm:
    """The posted form with the service's refusals on their fields; a stale form carries the current
    version, so what the user wrote is kept and a deliberate second submit applies it."""
    if any(e.code == "stale_version" for e in error.errors):
        data = form.data.copy()
        data[f"{action}-version"] = str(found.version)
        form = type(form)(data, prefix=action)
        form.is_valid()
    for item in error.errors:
        message = CODE_MESSAGES.get(item.code)
        text = message % {"version": found.version} if message else f"{item.message} {item.fix}".strip()
        form.add_error(item.field if item.field in form.fields and item.field != "version" else None, str(text))
    return form


@login_required
def signal_queue(request: HttpRequest) -> HttpResponse:
    """Open signals (or those of one status) per product family and jurisdiction, oldest first."""
    scope = _regulator(request)
    form = SignalQueueForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "page": None, "counts": [], "status_labels": STATUS_LABELS}
        return render(request, "vigilance/signals/queue.html", context, status=400)
    data = form.cleaned_data
    found = signal_selectors.queue_page(
        scope, family=data["family"], status=data["status"], jurisdiction_code=data["jurisdiction"]
    )
    context = {
        "form": form,
        "page": Paginator(found, QUEUE_ROWS_PER_PAGE).get_page(request.GET.get("page")),
        "counts": [
            {**row, "family_label": FAMILY_LABELS[row["product_family"]], "status_label": STATUS_LABELS[row["status"]]}
            for row in signal_selectors.queue_counts(found)
        ],
        "status_labels": STATUS_LABELS,
        "query": _query(request),
    }
    return render(request, "vigilance/signals/queue.html", context)


@login_required
def signal_thresholds(request: HttpRequest) -> HttpResponse:
    """The dated screening thresholds, every row ever in force or scheduled (read-only)."""
    _regulator(request)
    today = timezone.localdate()
    rows = [(row, state, THRESHOLD_STATES[state]) for row, state in signal_selectors.threshold_history(today)]
    return render(request, "vigilance/signals/thresholds.html", {"rows": rows, "today": today})
