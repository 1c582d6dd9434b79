"""Console pages of traceability: verify a code (public), a pack's trace, a batch's distribution
tree and recall scope, the regulators' alert queue, enterprises' uploads and scans, capture jobs.

Every read goes through `medreg.trace.selectors` with `request.scope` and every write through
`medreg.trace.services`; a view parses its input, calls them and renders. Refusals are
`DomainError`s, which the request middleware turns into the translated error page.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from medreg.core.actor import Actor, client_ip
from medreg.core.error_texts import said_refusal
from medreg.core.errors import DomainError, PermissionDenied
from medreg.core.scoping import Scope, ScopeKind
from medreg.registry import selectors as registry
from medreg.trace import selectors, svg
from medreg.trace.alert_texts import TEXTS
from medreg.trace.error_texts import SUBMISSION_TEXTS, said_error
from medreg.trace.locations import gln_of
from medreg.trace.models import Alert, AlertStatus, CaptureStatus, PackStatus
from medreg.trace.services.alerts import change_alert_status
from medreg.trace.services.recalls import start_recall
from medreg.trace.services.submission import submit_scan, submit_table

ALERTS_PER_PAGE = 200
STEPS = {
    "commissioning": _("Code assignment"),
    "packing": _("Packing"),
    "unpacking": _("Unpacking"),
    "shipping": _("Shipping (outbound)"),
    "receiving": _("Receiving (inbound)"),
    "retail_selling": _("Retail sale"),
    "dispensing": _("Dispensing"),
    "returning": _("Return"),
    "destroying": _("Destruction"),
    "decommissioning": _("Decommissioning"),
    "inspecting": _("Inspection"),
    "storing": _("Storage"),
    "recalling": _("Recall"),
}
DISPOSITIONS = {
    "active": _("Active"),
    "in_progress": _("In progress"),
    "in_transit": _("In transit"),
    "retail_sold": _("Sold"),
    "dispensed": _("Dispensed"),
    "returned": _("Returned"),
    "destroyed": _("Destroyed"),
    "recalled": _("Recalled"),
    "expired": _("Expired"),
    "inactive": _("Inactive"),
}
WARNINGS = {
    "recalled": _("This batch is being recalled: do not sell or use it."),
    "expired": _("This pack has expired."),
    "already_dispensed": _("This pack has already been sold or dispensed: a second sale may mean a counterfeit."),
    "inactive": _("This code was destroyed or cancelled."),
    "unknown_code": _("This code is unknown to the traceability system."),
    "invalid_code": _("This is not a valid traceability code."),
}
RULES = {
    "code_not_commissioned": _("Code never assigned"),
    "commissioned_twice": _("Code assigned twice"),
    "dispensed_twice": _("Sold or dispensed twice"),
    "received_without_shipment": _("Received without a shipment"),
    "shipped_to_unlicensed": _("Shipped to an unlicensed party"),
    "recalled_batch_movement": _("Movement of a recalled batch"),
    "expired_batch_movement": _("Movement of an expired batch"),
    "special_quantity_mismatch": _("Special-control quantity mismatch"),
    "special_outside_channel": _("Special-control drug outside its channel"),
}
SCAN_STEPS = [(s, STEPS[s]) for s in ("receiving", "dispensing", "returning", "shipping", "destroying")]


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, ip_address=client_ip(request.META), channel="console")  # type: ignore[arg-type]


def _step(code: str) -> str:
    """A CBV value, bare or as a URI, in the console's words (unknown values as they are)."""
    bare = code.rsplit("/", 1)[-1].removeprefix("BizStep-").removeprefix("Disp-").rsplit(":", 1)[-1]
    return str(STEPS.get(bare) or DISPOSITIONS.get(bare) or bare)


def _status(code: str) -> str:
    return str(dict(PackStatus.choices).get(code, code))


# -- 1. verify (public) ------------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    """A code typed, pasted or scanned (a handheld scanner types it and presses Enter)."""
    code = request.GET.get("code", "").strip()[:300]
    answer = selectors.verify(code) if code else None
    context = {
        "code": code,
        "answer": answer,
        "status": _status(answer.status) if answer else "",
        "warnings": [WARNINGS.get(w, w) for w in answer.warnings] if answer else [],
    }
    return render(request, "trace/verify.html", context)


# -- 2. pack trace -----------------------------------------------------------------------------


@login_required
def pack_trace(request: HttpRequest) -> HttpResponse:
    """A pack's history (its own and its containers' events) and its containment chain."""
    code = request.GET.get("code", "").strip()[:300]
    if not code:
        return render(request, "trace/pack_trace.html", {"code": ""})
    answer = selectors.trace(_scope(request), code)
    codes = {e.owner_enterprise_code or e.sender_enterprise_code for e in answer.events}
    names = _names(_scope(request), codes | {answer.pack.holder_enterprise_code})
    timeline = [
        {
            "time": event.event_time,
            "step": _step(event.biz_step) if event.biz_step else event.type,
            "disposition": _step(event.disposition) if event.disposition else "",
            "enterprise": names.get(event.owner_enterprise_code or event.sender_enterprise_code, ""),
            "gln": gln_of(event.biz_location) or gln_of(event.read_point) or "",
            "identity": event.identity,
        }
        for event in answer.events
    ]
    context = {
        "code": code,
        "pack": answer.pack,
        "status": _status(answer.pack.status),
        "holder": names.get(answer.pack.holder_enterprise_code, answer.pack.holder_enterprise_code),
        "containers": list(reversed(answer.ancestors)),
        "children": answer.children,
        "timeline": timeline,
    }
    return render(request, "trace/pack_trace.html", context)


def _names(scope: Scope, codes: set[str]) -> dict[str, str]:
    """Enterprise names the caller may see; others are shown by their credit code."""
    found = dict(registry.enterprises(scope).filter(uscc__in=codes).values_list("uscc", "name"))
    return {code: found.get(code, code) for code in codes if code}


# -- 3 and 4. a batch: distribution tree, recall scope, start a recall ---------------------------


class BatchForm(forms.Form):
    """A batch: the drug's approval number and the lot."""

    approval_number = forms.CharField(label=_("Approval number"), max_length=20)
    lot = forms.CharField(label=_("Batch number"), max_length=40)


class RecallForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=500, widget=forms.Textarea({"rows": 2}))
    level = forms.TypedChoiceField(
        label=_("Recall level"),
        coerce=int,
        initial=2,
        choices=[(1, _("Level I")), (2, _("Level II")), (3, _("Level III"))],
    )


def _batch(request: HttpRequest) -> tuple[BatchForm, str, str]:
    form = BatchForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["approval_number"].strip(), form.cleaned_data["lot"].strip()
    return form, "", ""


def _may_read_batch(scope: Scope, approval_number: str) -> bool:
    """Regulators and inspectors within their jurisdiction; of enterprises only the holder."""
    if scope.kind in (ScopeKind.ALL, ScopeKind.JURISDICTION):
        return True
    drug = registry.drug_facts(scope, {approval_number}).get(approval_number) if scope.is_enterprise else None
    return drug is not None and drug.marketing_authorization_holder.uscc == scope.enterprise_code


def _require_batch_reader(scope: Scope, approval_number: str) -> None:
    if not _may_read_batch(scope, approval_number):
        raise PermissionDenied("Only regulators and the batch's marketing authorization holder see its distribution.")


@login_required
def batch_track(request: HttpRequest) -> HttpResponse:
    """The distribution tree of a batch as a picture and as a table."""
    form, approval_number, lot = _batch(request)
    context: dict[str, Any] = {"form": form, "approval_number": approval_number, "lot": lot}
    if approval_number:
        _require_batch_reader(_scope(request), approval_number)
        nodes = selectors.track(_scope(request), approval_number, lot)
        names = {n.enterprise_code: n.enterprise_name for n in nodes}
        context["picture"] = svg.render(nodes, _status)
        context["rows"] = [
            {
                "name": n.enterprise_name,
                "code": n.enterprise_code,
                "packs": n.packs,
                "statuses": [(_status(s), c) for s, c in sorted(n.by_status.items())],
                "suppliers": [names.get(s, s) for s in sorted(n.received_from)],
            }
            for n in nodes
        ]
        context["batch_query"] = urlencode({"approval_number": approval_number, "lot": lot})
    return render(request, "trace/batch_track.html", context)


@login_required
def batch_track_svg(request: HttpRequest) -> HttpResponse:
    """The same picture alone, to save or print."""
    _form, approval_number, lot = _batch(request)
    if not approval_number:
        raise DomainError.single("lot", "required", "Give the approval number and the batch number.")
    _require_batch_reader(_scope(request), approval_number)
    picture = svg.render(selectors.track(_scope(request), approval_number, lot), _status)
    return HttpResponse(picture, content_type="image/svg+xml; charset=utf-8")


@login_required
def batch_recall(request: HttpRequest) -> HttpResponse:
    """Recall scope of a batch; the holder or a regulator may start the recall here."""
    scope = _scope(request)
    form, approval_number, lot = _batch(request)
    context: dict[str, Any] = {"form": form, "approval_number": approval_number, "lot": lot}
    if not approval_number:
        return render(request, "trace/batch_recall.html", context)
    _require_batch_reader(scope, approval_number)
    recall_form = RecallForm(request.POST or None)
    if request.method == "POST" and recall_form.is_valid():
        try:
            start_recall(
                actor=_actor(request), scope=scope, approval_number=approval_number, lot=lot, **recall_form.cleaned_data
            )
        except DomainError as error:
            recall_form.add_error(None, "; ".join(e.message for e in error.errors))
        else:
            return redirect(
                f"{request.path}?{urlencode({'approval_number': approval_number, 'lot': lot, 'started': 1})}"
            )
    answer = selectors.recall_scope(scope, approval_number, lot)
    query = urlencode({"approval_number": approval_number, "lot": lot})
    context |= {
        "answer": answer,
        "held": sum(int(r["packs"]) for r in answer.holders),  # type: ignore[call-overload]
        "sold": sum(int(r["packs"]) for r in answer.dispensed),  # type: ignore[call-overload]
        "holders": [{**r, "status_label": _status(str(r["status"]))} for r in answer.holders],
        "csv_url": f"/api/trace/batches/recall-scope?{query}&format=csv",
        "batch_query": query,
        "recall_form": recall_form if scope.may_write_registry or scope.is_enterprise else None,
        "started": request.GET.get("started") == "1",
    }
    return render(request, "trace/batch_recall.html", context, status=400 if recall_form.errors else 200)


# -- 5. alert queue ----------------------------------------------------------------------------


def _said(alert: Alert) -> str:
    """What the alert says in the console's language, business steps and special-control classes in
    the console's words; the stored English message for an alert without a known text."""
    template = TEXTS.get(alert.text)
    if template is None:
        return alert.message
    fields = {str(name): str(value) for name, value in alert.text_fields.items()}
    if "step" in fields:
        fields["step"] = _step(fields["step"])
    if "control" in fields:
        fields["control"] = registry.special_control_label(fields["control"])
    try:
        return gettext(template) % fields
    except (KeyError, TypeError, ValueError):  # fields stored by an older text
        return alert.message


def _require_regulator(scope: Scope) -> None:
    if scope.kind not in (ScopeKind.ALL, ScopeKind.JURISDICTION):
        raise PermissionDenied("Only regulators see the alert queue.")


@login_required
def alert_queue(request: HttpRequest) -> HttpResponse:
    """Alerts of the caller's jurisdiction, newest first, by status and rule."""
    scope = _scope(request)
    _require_regulator(scope)
    status = request.GET.get("status", AlertStatus.OPEN)
    status = status if status in AlertStatus.values else AlertStatus.OPEN
    rule = request.GET.get("rule", "")
    alerts = selectors.alerts(scope).filter(status=status)
    alerts = alerts.filter(rule=rule) if rule else alerts
    counts = selectors.alert_counts(scope)
    shown = [(a, [(e, _step(e.biz_step)) for e in a.evidence.all()]) for a in alerts[:ALERTS_PER_PAGE]]
    names = _names(scope, {a.enterprise_code for a, _ in shown})
    context = {
        "alerts": [
            (alert, RULES.get(alert.rule, alert.rule), _said(alert), evidence, names.get(alert.enterprise_code, ""))
            for alert, evidence in shown
        ],
        "rules": [(code, label, counts.get(code, 0)) for code, label in RULES.items()],
        "statuses": AlertStatus.choices,
        "status": status,
        "rule": rule,
        "open_total": sum(counts.values()),
        "may_act": scope.is_regulator,
    }
    return render(request, "trace/alerts.html", context)


@login_required
@require_POST
def alert_status(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Acknowledge or close an alert, then back to the queue the caller came from."""
    status = request.POST.get("status", "")
    if status not in (AlertStatus.ACKNOWLEDGED, AlertStatus.CLOSED):
        raise DomainError.single(
            "status", "invalid_value", f"{status!r} is not an alert status.", "Use acknowledged or closed."
        )
    change_alert_status(
        actor=_actor(request),
        scope=_scope(request),
        alert_id=alert_id,
        status=status,
        note=request.POST.get("note", "")[:500],
    )
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/trace/alerts/") else reverse("trace:alerts"))


# -- 6. uploads, scans, capture jobs -----------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))


class ScanForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=SCAN_STEPS)
    location = forms.RegexField(label=_("Your site's GLN"), regex=r"^[0-9]{13}$", max_length=13)
    destination = forms.RegexField(
        label=_("Destination GLN (shipping only)"), regex=r"^[0-9]{13}$", max_length=13, required=False
    )
    codes = forms.CharField(label=_("Traceability codes, one per line"), widget=forms.Textarea({"rows": 8}))

    def clean_codes(self) -> list[str]:
        codes = [line.strip() for line in self.cleaned_data["codes"].splitlines() if line.strip()]
        if len(codes) > 500:
            raise forms.ValidationError(_("At most 500 codes at a time; send the rest in another report."))
        return codes


def _require_enterprise(scope: Scope) -> None:
    if not scope.is_enterprise:
        raise PermissionDenied("Only enterprise accounts report traceability data.")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """A CSV or Excel file of scanned codes: stored, then processed in the background."""
    _require_enterprise(_scope(request))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = submit_table(actor=_actor(request), scope=_scope(request), data=file.read(), filename=file.name or "")
        except DomainError as error:
            form.add_error("file", said_refusal(error, SUBMISSION_TEXTS))
        else:
            return redirect("trace:job", job_id=job.pk)
    return render(request, "trace/upload.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def scan(request: HttpRequest) -> HttpResponse:
    """Codes scanned at a counter or a dock, reported in one go (phone friendly)."""
    scope = _scope(request)
    _require_enterprise(scope)
    sites = _own_sites(scope)
    form = ScanForm(request.POST or None, initial={"location": sites[0][0]} if len(sites) == 1 else {})
    if request.method == "POST" and form.is_valid():
        try:
            job = submit_scan(actor=_actor(request), scope=_scope(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, said_refusal(error, SUBMISSION_TEXTS))
        else:
            return redirect("trace:job", job_id=job.pk)
    return render(request, "trace/scan.html", {"form": form, "sites": sites}, status=400 if form.errors else 200)


def _own_sites(scope: Scope) -> list[tuple[str, str]]:
    """The caller's sites that have a GLN, to pick from on the scan page."""
    own = registry.enterprises(scope).filter(uscc=scope.enterprise_code, sites__gln__gt="")
    return list(own.order_by("sites__gln").values_list("sites__gln", "sites__address")[:50])


@login_required
def job(request: HttpRequest, job_id: str) -> HttpResponse:
    """Progress of a capture job; refreshes itself while the job runs."""
    found = selectors.capture_job(_scope(request), str(job_id))
    running = found.status in (CaptureStatus.ACCEPTED, CaptureStatus.RUNNING)
    errors = [said_error(error) for error in found.errors]
    return render(request, "trace/job.html", {"job": found, "running": running, "errors": errors})
