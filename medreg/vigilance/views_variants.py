"""Console pages of device adverse event and cosmetic adverse reaction reports: the three audiences'
forms, hospitals' CSV upload, the case page's device or cosmetic section and its match review."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from medreg.core.actor import Actor, client_ip
from medreg.core.error_texts import said_refusal
from medreg.core.errors import DomainError, NotFound, PermissionDenied
from medreg.core.scoping import Scope
from medreg.vigilance import selectors
from medreg.vigilance.forms import UploadForm
from medreg.vigilance.forms_variants import COLUMNS, FAMILIES, FORMS, PUBLIC_FORMS
from medreg.vigilance.models import Case, CaseVariant, CaseVersion
from medreg.vigilance.services.imports import answers_inline, submit_import
from medreg.vigilance.services.variants import (
    import_variant_table,
    may_submit_variant,
    review_variant_match,
    submit_variant_report,
    variant_row,
)

TITLES = {
    ("device", "professional"): _("Medical device adverse event report (health professional)"),
    ("device", "enterprise"): _("Medical device adverse event report (enterprise)"),
    ("device", "public"): _("Report a problem with a medical device (public)"),
    ("cosmetic", "professional"): _("Cosmetic adverse reaction report (health professional)"),
    ("cosmetic", "enterprise"): _("Cosmetic adverse reaction report (enterprise)"),
    ("cosmetic", "public"): _("Report a reaction to a cosmetic (public)"),
}
SUBMITTED = "vigilance_variant_submitted"


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest) -> Actor:
    user = request.user if request.user.is_authenticated else None
    return Actor(user=user, ip_address=client_ip(request.META), channel="console")  # type: ignore[arg-type]


def _errors(error: DomainError) -> str:
    """The refusal in the reader's language where its code has a text (the table reader's, decision
    0108), else as the service said it."""
    return said_refusal(error)


def report_form(request: HttpRequest, family: str, channel: str) -> HttpResponse:
    """The device or cosmetic report form of one audience; the public form needs no account."""
    if (family, channel) not in TITLES:
        raise NotFound("report form")
    if channel != "public" and not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    if not may_submit_variant(_scope(request), channel):
        raise PermissionDenied("This report form is not for your account; use the form for your role.")
    form = (PUBLIC_FORMS if channel == "public" else FORMS)[family](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored = submit_variant_report(
                actor=_actor(request),
                scope=_scope(request),
                family=family,
                channel=channel,
                data=form.cleaned_data,
                division_code=form.cleaned_data.get("division_code", ""),
            )
        except DomainError as error:
            form.add_error(None, _errors(error))
        else:
            request.session[SUBMITTED] = {"case": stored.case_id, "family": family, "channel": channel}
            return redirect("vigilance:variant_done")
    context = {"form": form, "family": family, "channel": channel, "title": TITLES[(family, channel)]}
    return render(request, "vigilance/variants/report_form.html", context, status=400 if form.errors else 200)


def report_done(request: HttpRequest) -> HttpResponse:
    submitted = request.session.get(SUBMITTED)
    if not submitted:
        return redirect("vigilance:variant_report", family="device", channel="public")
    case = selectors.cases(_scope(request)).filter(pk=submitted["case"]).first()
    return render(request, "vigilance/variants/report_done.html", {"submitted": submitted, "case": case})


@login_required
def upload(request: HttpRequest, family: str) -> HttpResponse:
    """A hospital's CSV or Excel file of device or cosmetic reports: all stored, or none."""
    if family not in FAMILIES:
        raise NotFound("upload form")
    if not may_submit_variant(_scope(request), "professional"):
        raise PermissionDenied("CSV reports are sent by medical institutions and regulators.")
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        data, filename = file.read(), file.name or ""
        try:
            if not answers_inline(data, filename):  # a large file goes to a background job (decision 0207)
                job = submit_import(
                    actor=_actor(request),
                    scope=_scope(request),
                    kind="variant-csv",
                    family=family,
                    data=data,
                    filename=filename,
                )
                return redirect("vigilance:import_job", job_id=job.pk)
            result = import_variant_table(
                actor=_actor(request), scope=_scope(request), family=family, data=data, filename=filename
            )
        except DomainError as error:
            form.add_error("file", _errors(error))
    refused = bool(form.errors or (result and result.errors))
    context = {"form": form, "result": result, "columns": COLUMNS[family], "family": family}
    return render(request, "vigilance/variants/upload.html", context, status=400 if refused else 200)


@login_required
@require_POST
def review_match(request: HttpRequest, case_id: int) -> HttpResponse:
    """A regulator confirms or corrects the registry match of the case's device or cosmetic."""
    number = str(request.POST.get("number", ""))[:40]
    review_variant_match(actor=_actor(request), scope=_scope(request), case_id=case_id, number=number)
    return redirect("vigilance:case", case_id=case_id)


def variant_context(case: Case, version: CaseVersion) -> dict[str, Any]:
    """The case page's device or cosmetic section: (label, value) pairs and the registry match row
    (no query for a drug case)."""
    if case.product_family not in FAMILIES:
        return {}
    variant = CaseVariant.objects.filter(version=version).first()
    if variant is None:
        return {}
    section: dict[str, Any] = variant.data
    fields = FORMS[case.product_family]().fields
    facts = []
    for name, value in section.items():
        field = fields[name]
        choices = {str(k): v for k, v in getattr(field, "choices", [])}
        shown = [choices.get(v, v) for v in value] if isinstance(value, list) else [choices.get(value, value)]
        facts.append((field.label, "、".join(str(v) for v in shown)))
    return {"variant_facts": facts, "variant_match": variant_row(case)}
