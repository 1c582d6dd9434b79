"""Console pages of adverse reaction monitoring: case list and case page, report forms (three
audiences), hospitals' CSV upload, and the duplicate review queue.

Every read goes through `medreg.vigilance.selectors` (or a scoped service read) with `request.scope`
and every write through `medreg.vigilance.services`; refusals are `DomainError`s, which the request
middleware turns into the translated error page (a case outside the caller's scope is a 404).
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from medreg.core.actor import Actor, client_ip
from medreg.core.error_texts import said_refusal
from medreg.core.errors import DomainError, NotFound, PermissionDenied
from medreg.core.scoping import Scope
from medreg.trace import selectors as trace
from medreg.vigilance import meddra_selectors, selectors, signal_plots, signal_selectors
from medreg.vigilance.forms import (
    CSV_COLUMNS,
    OUTCOME_CHOICES,
    CaseFilterForm,
    MatchForm,
    PublicReportForm,
    ReportForm,
    UploadForm,
)
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, DrugRole
from medreg.vigilance.models.signal import OPEN_SIGNAL_STATUSES
from medreg.vigilance.services import duplicates as duplicate_services
from medreg.vigilance.services import may_view_identifiers, reveal_identifiers, review_drug_match
from medreg.vigilance.services.forms import import_report_table, may_submit, submit_report
from medreg.vigilance.services.imports import answers_inline, submit_import
from medreg.vigilance.views_variants import variant_context

CASES_PER_PAGE = 50
DUPLICATES_PER_PAGE = 100
CHANNEL_TITLES = {
    "professional": _("Adverse reaction report (health professional)"),
    "holder": _("Adverse reaction report (marketing authorization holder)"),
    "public": _("Report a side effect (public)"),
}
OUTCOMES = dict(OUTCOME_CHOICES)
SUBMITTED = "vigilance_submitted"


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest) -> Actor:
    user = request.user if request.user.is_authenticated else None
    return Actor(user=user, ip_address=client_ip(request.META), channel="console")  # type: ignore[arg-type]


def _errors(error: DomainError) -> str:
    """The refusal in the reader's language where its code has a text (the table reader's, decision
    0108), else as the service said it."""
    return said_refusal(error)


# -- 1. cases ----------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The caller's cases, newest first, filtered by id or drug, seriousness and receipt dates."""
    form = CaseFilterForm(request.GET or None)
    found = selectors.cases(_scope(request)).select_related("merged_into")
    if form.is_valid():
        found = _filtered(found, form.cleaned_data)
    found = found.order_by("-first_received", "-pk").prefetch_related(
        Prefetch("drugs", queryset=CaseDrug.objects.filter(role=DrugRole.SUSPECT).order_by("sequence")),
        Prefetch("reactions", queryset=CaseReaction.objects.order_by("sequence")),
    )
    page = Paginator(found, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "vigilance/case_list.html", {"form": form, "page": page, "query": _query(request)})


def _filtered(found: Any, data: dict[str, Any]) -> Any:
    if data["q"]:
        text = data["q"].strip()
        found = found.filter(
            Q(worldwide_case_id__icontains=text)
            | Q(drugs__name_as_reported__icontains=text)
            | Q(drugs__matched_approval_number=text)
        ).distinct()
    if data["serious"]:
        found = found.filter(serious=data["serious"] == "1")
    if data.get("family"):
        found = found.filter(product_family=data["family"])
    if data["received_from"]:
        found = found.filter(first_received__gte=data["received_from"])
    if data["received_to"]:
        found = found.filter(first_received__lte=data["received_to"])
    return found


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case: versions, drugs with their registry match, reactions, narrative, merges."""
    scope = _scope(request)
    case = selectors.case_with_details(scope, case_id)
    version = selectors.current_version(case)
    report = version.report
    merged_into, merged_duplicates = duplicate_services.case_merges(case)
    coding = meddra_selectors.reaction_coding(case.reactions.all())
    context = {
        "case": case,
        "version": version,
        "narrative": (report.get("narrative") or {}).get("text", ""),
        "patient": _patient_facts(report),
        "reactions": [(r, OUTCOMES.get(r.outcome, r.outcome), coding[r.sequence]) for r in case.reactions.all()],
        "may_review_match": scope.is_regulator,
        "may_reveal": may_view_identifiers(scope),
        "merged_into": merged_into,
        "merged_duplicates": merged_duplicates,
        "identifiers": request.session.pop(f"identifiers-{case.pk}", None),
        "batches": _batch_distribution(scope, case),
        **variant_context(case, version),
    }
    return render(request, "vigilance/case_detail.html", context)


def _patient_facts(report: dict[str, Any]) -> dict[str, str]:
    patient = report.get("patient") or {}
    age = patient.get("age") or {}
    sex = {"1": _("Male"), "2": _("Female")}.get((patient.get("sex") or {}).get("code", ""), "")
    return {"sex": str(sex), "age": f"{age.get('value', '')} {age.get('unit', '')}".strip()}


@login_required
@require_POST
def reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show the patient's and reporter's identifiers once (the access is audited)."""
    found = reveal_identifiers(actor=_actor(request), scope=_scope(request), case_id=case_id)
    shown = {path: _plain(value) for path, value in sorted(found.items())}
    request.session[f"identifiers-{case_id}"] = shown
    return redirect("vigilance:case", case_id=case_id)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("text") or value.get("value") or value.get("extension") or value.get("code") or "")
    return str(value)


@login_required
@require_POST
def review_match(request: HttpRequest, case_id: int, drug_id: int) -> HttpResponse:
    """A regulator confirms or corrects a drug's registry match."""
    form = MatchForm(request.POST)
    number = form.cleaned_data["approval_number"] if form.is_valid() else ""
    review_drug_match(
        actor=_actor(request), scope=_scope(request), case_id=case_id, drug_id=drug_id, approval_number=number
    )
    return redirect("vigilance:case", case_id=case_id)


# -- 2. report forms and CSV upload ------------------------------------------------------------


def report_form(request: HttpRequest, channel: str) -> HttpResponse:
    """The report form of one audience; the public form needs no account."""
    if channel not in CHANNEL_TITLES:
        raise NotFound("report form")
    if channel != "public" and not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    if not may_submit(_scope(request), channel):
        raise PermissionDenied("This report form is not for your account; use the form for your role.")
    form_class = PublicReportForm if channel == "public" else ReportForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_pk = submit_report(
                actor=_actor(request),
                scope=_scope(request),
                channel=channel,
                data=data,
                division_code=data.get("division_code", ""),
            )
        except DomainError as error:
            form.add_error(None, _errors(error))
        else:
            request.session[SUBMITTED] = {"case": case_pk, "reaction": data["reaction"], "channel": channel}
            return redirect("vigilance:report_done")
    context = {"form": form, "channel": channel, "title": CHANNEL_TITLES[channel]}
    return render(request, "vigilance/report_form.html", context, status=400 if form.errors else 200)


def report_done(request: HttpRequest) -> HttpResponse:
    """Thanks, the case number, and the coding suggestions for the reaction as described."""
    submitted = request.session.get(SUBMITTED)
    if not submitted:
        return redirect("vigilance:report", channel="public")
    case = selectors.cases(_scope(request)).filter(pk=submitted["case"]).first()
    terminology, suggestions = meddra_selectors.suggestions(submitted["reaction"], limit=5)
    context = {"submitted": submitted, "case": case, "suggestions": suggestions, "terminology": terminology}
    return render(request, "vigilance/report_done.html", context)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """A hospital's CSV or Excel file, one report per row: all stored, or none with errors by row."""
    if not may_submit(_scope(request), "professional"):
        raise PermissionDenied("CSV reports are sent by medical institutions and regulators.")
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        data, filename = file.read(), file.name or ""
        try:
            if not answers_inline(data, filename):  # a large file goes to a background job (decision 0207)
                job = submit_import(
                    actor=_actor(request), scope=_scope(request), kind="csv", data=data, filename=filename
                )
                return redirect("vigilance:import_job", job_id=job.pk)
            result = import_report_table(actor=_actor(request), scope=_scope(request), data=data, filename=filename)
        except DomainError as error:
            form.add_error("file", _errors(error))
    refused = bool(form.errors or (result and result.errors))
    context = {"form": form, "result": result, "columns": CSV_COLUMNS}
    return render(request, "vigilance/upload.html", context, status=400 if refused else 200)


# -- 3. duplicate review -----------------------------------------------------------------------


@login_required
def duplicate_queue(request: HttpRequest) -> HttpResponse:
    """Proposed duplicate pairs, best score first; reviewers confirm (merge) or reject."""
    scope = _scope(request)
    if not duplicate_services.may_review(scope):
        raise PermissionDenied("Only national and provincial regulators review duplicate reports.")
    status = request.GET.get("status", "proposed")
    pairs = duplicate_services.candidates(scope).filter(status=status).order_by("-score", "pk")
    context = {
        "pairs": list(pairs[:DUPLICATES_PER_PAGE]),
        "status": status,
        "statuses": ["proposed", "confirmed", "rejected"],
        "found": request.GET.get("found"),
    }
    return render(request, "vigilance/duplicates.html", context)


@login_required
@require_POST
def duplicate_detect(request: HttpRequest) -> HttpResponse:
    found = duplicate_services.detect_duplicates(actor=_actor(request), scope=_scope(request))
    return redirect(f"/vigilance/duplicates/?found={found}")


@login_required
@require_POST
def duplicate_decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision == "confirm":
        master = request.POST.get("master", "")
        duplicate_services.confirm_duplicate(
            actor=_actor(request),
            scope=_scope(request),
            candidate_id=candidate_id,
            master_case_id=int(master) if master.isdigit() else None,
        )
    elif decision == "reject":
        duplicate_services.reject_duplicate(actor=_actor(request), scope=_scope(request), candidate_id=candidate_id)
    else:
        raise DomainError.single("decision", "invalid_value", f"{decision!r} is not a decision.", "confirm or reject")
    return redirect("vigilance:duplicates")


# -- 4. product page ---------------------------------------------------------------------------


@login_required
def product(request: HttpRequest, approval_number: str) -> HttpResponse:
    """One registry product's cases (count, link to the list) and open signals with their latest measures."""
    scope = _scope(request)
    if not scope.is_regulator:
        raise PermissionDenied("Product pages of adverse reactions are for regulators.")
    case_ids = selectors.case_drugs(scope).filter(matched_approval_number=approval_number).values("case_id")
    found = (
        signal_selectors.signals(scope)
        .filter(approval_number=approval_number, status__in=OPEN_SIGNAL_STATUSES)
        .order_by("detected_at", "pk")
    )
    open_signals = [(s, signal_selectors.signal_statistics_history(s).last()) for s in found]
    context = {
        "approval_number": approval_number,
        "case_count": selectors.cases(scope).filter(pk__in=case_ids).count(),
        "cases_url": f"{reverse('vigilance:cases')}?{urlencode({'q': approval_number})}",
        "signals": open_signals,
        "plots": signal_plots.product_plots(scope, approval_number),
    }
    return render(request, "vigilance/product.html", context)


def _batch_distribution(scope: Scope, case: Case) -> list[dict[str, Any]]:
    """Each suspect drug's batch in traceability: the batch page's address and its packs by holder."""
    found = []
    for drug in case.drugs.all():
        if drug.role != DrugRole.SUSPECT or not drug.batch_number or not drug.matched_approval_number:
            continue
        query = urlencode({"approval_number": drug.matched_approval_number, "lot": drug.batch_number})
        holders = trace.track(scope, drug.matched_approval_number, drug.batch_number)
        found.append({"drug": drug, "url": f"/trace/batches/?{query}", "holders": [h for h in holders if h.packs]})
    return found
