"""Reports from the web forms and from hospitals' CSV files, stored through the E2B intake path.

A validated form becomes an E2B(R3) report model, is exported to XML and parsed back (so a web report
is stored exactly as the same report sent as an E2B file would be), then stored as the initial
version of a new case by intake's public storage service (`intake.store_received_report`):
identifiers split out and encrypted, pseudonyms, index rows, registry matches and the audit record, in one transaction.

CSV files are all-or-nothing per file: every row is validated first; one bad row refuses the whole
file with an error per row and field, and nothing is written. A hospital fixes the file and sends it
again, with no risk of half a file being stored twice.
"""

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.errors import DomainError, FieldError, PermissionDenied
from medreg.core.models import Jurisdiction, Role
from medreg.core.scoping import Scope
from medreg.core.tabular import Limits, Sheet, read_table
from medreg.vigilance.e2b import export_batch, parse_batch
from medreg.vigilance.e2b.model import (
    Batch,
    Dosage,
    Drug,
    DrugRole,
    Patient,
    PrimarySource,
    Reaction,
    Report,
    Sender,
    Value,
)
from medreg.vigilance.forms import CSV_COLUMNS, SERIOUSNESS_CHOICES, CsvReportForm
from medreg.vigilance.services import intake

OID = "2.16.840.1.113883.3.989.2.1.1"  # ICH code lists
IDS = "2.16.840.1.113883.3.989.2.1.3"  # ICH identifier roots
CHANNELS = ("professional", "holder", "public")
SENDER_TYPE = {"professional": "3", "holder": "1", "public": "6"}  # C.3.1: HP, pharmaceutical company, patient
PROGRESS_ROWS = 100  # a table import reports its validation progress every this many rows
# progress(stage, done, total): "validating" every PROGRESS_ROWS rows, "storing" before the one transaction
# (done 0), then "storing" every PROGRESS_ROWS rows stored inside it
TableProgress = Callable[[str, int, int], None]


@dataclass
class TableResult:
    """What a CSV upload stored (case ids) or, when refused, the errors by row and field."""

    stored: list[int] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def may_submit(scope: Scope, channel: str) -> bool:
    """Who uses which form: anyone the public form, health professionals (medical institutions and
    regulators) theirs, marketing authorization holders theirs."""
    if channel == "public":
        return True
    if channel == "holder":
        return scope.role == Role.MARKETING_AUTHORIZATION_HOLDER
    return scope.role == Role.MEDICAL_INSTITUTION or scope.is_regulator


def submit_report(
    *,
    actor: Actor,
    scope: Scope,
    channel: str,
    data: Mapping[str, Any],
    division_code: str = "",
    case_id: str = "",
    today: dt.date | None = None,
) -> int:
    """Store a validated form (`ReportForm.cleaned_data`) as a new case; returns the case's pk."""
    if channel not in CHANNELS or not may_submit(scope, channel):
        raise PermissionDenied("This report form is not for your account; use the form for your role.")
    sender = public_sender(division_code) if channel == "public" else intake.sender_for(actor=actor, scope=scope)
    return store_report(
        actor=actor, sender=sender, channel=channel, data=data, case_id=case_id or _new_case_id(today), today=today
    )


def import_report_table(
    *,
    actor: Actor,
    scope: Scope,
    data: bytes,
    filename: str,
    today: dt.date | None = None,
    progress: TableProgress | None = None,
) -> TableResult:
    """A hospital's CSV or Excel file, one report per row: all rows stored, or none (errors per row)."""
    if not may_submit(scope, "professional"):
        raise PermissionDenied("CSV reports are sent by medical institutions and regulators.")
    sender = intake.sender_for(actor=actor, scope=scope)
    sheet = read_table(data, filename, Limits.from_settings())
    _check_header(sheet.header)
    result = TableResult()
    rows, result.errors = validate_rows(
        sheet, lambda cells: CsvReportForm(dict(zip(sheet.header, cells, strict=False)), today=today), progress
    )
    if result.errors:
        return result
    if progress is not None:
        progress("storing", 0, len(rows))
    result.stored = store_rows(
        rows,
        lambda row: store_report(
            actor=actor, sender=sender, channel="professional", data=row, case_id=_new_case_id(today), today=today
        ),
        progress,
    )
    return result


def store_rows(
    rows: list[dict[str, Any]], store: Callable[[dict[str, Any]], int], progress: TableProgress | None
) -> list[int]:
    """Store every validated row in one transaction (all or none); reports "storing" progress per
    chunk of rows from inside that transaction (the caller makes it visible: decision 0207)."""
    stored: list[int] = []
    with transaction.atomic():
        for done, row in enumerate(rows, 1):
            stored.append(store(row))
            if progress is not None and (done % PROGRESS_ROWS == 0 or done == len(rows)):
                progress("storing", done, len(rows))
    return stored


def validate_rows(
    sheet: Sheet, make_form: Callable[[list[str]], forms.Form], progress: TableProgress | None
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """Every row through its form: the cleaned rows, and the errors by row and field (a file
    without data rows is one `no_rows` error). Reports "validating" progress per chunk of rows."""
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    total = len(sheet.rows)
    for done, (number, cells) in enumerate(sheet.rows, 1):
        form = make_form(cells)
        if form.is_valid():
            rows.append(form.cleaned_data)
        for name, messages in form.errors.items():
            errors += [FieldError(name, "invalid", str(m), row=number) for m in messages]
        if progress is not None and (done % PROGRESS_ROWS == 0 or done == total):
            progress("validating", done, total)
    if not rows and not errors:
        errors.append(FieldError("file", "no_rows", "The file has no reports.", row=None))
    return rows, errors


def _check_header(header: list[str]) -> None:
    required = {"patient_initials", "reaction", "onset_date", "suspect_drug", "reporter_name", "outcome"}
    missing = sorted(required - set(header))
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if missing or unknown:
        raise DomainError.single(
            "file",
            "bad_header",
            f"Missing columns: {', '.join(missing) or '-'}; unknown columns: {', '.join(unknown) or '-'}.",
            f"The first row names the columns: {', '.join(CSV_COLUMNS)}.",
        )


def public_sender(division_code: str) -> intake.Sender:
    """The sender of a public report: nobody, in the division where the reaction happened."""
    node = Jurisdiction.objects.filter(code=division_code).first()
    if node is None:
        raise DomainError.single(
            "division_code",
            "unknown_division",
            f"{division_code!r} is not an administrative division.",
            "Give the 6-digit code of the county or city where the reaction happened, e.g. 330106.",
        )
    return intake.Sender("", node.code, node.path)


def _new_case_id(today: dt.date | None) -> str:
    day = today or timezone.localdate()
    return f"CN-WEB-{day:%Y%m%d}-{secrets.token_hex(5).upper()}"


def store_report(
    *, actor: Actor, sender: intake.Sender, channel: str, data: Mapping[str, Any], case_id: str, today: dt.date | None
) -> int:
    """Store one validated report as the initial version of case `case_id` (for trusted callers: the
    form services above, and the demo loader, which names its senders)."""
    day = today or timezone.localdate()
    report = build_report(data, channel=channel, case_id=case_id, received=day)
    batch = Batch(
        batch_number=Value(extension=f"WEB-{case_id}", root=f"{IDS}.22"),
        batch_type=Value(code="1", code_system=f"{OID}.1"),
        creation_time=Value(value=f"{day:%Y%m%d}"),
        sender=Value(extension=sender.enterprise_code or sender.division_code or "PUBLIC", root=f"{IDS}.13"),
        receiver=Value(extension="NMPA", root=f"{IDS}.14"),
        reports=(report,),
    )
    xml = export_batch(batch)
    parsed = parse_batch(xml, today=day)
    if not parsed.ok:  # a form that validated but makes an invalid E2B report is a bug: refuse, store nothing
        raise DomainError(
            [FieldError(i.element, "invalid_report", i.message) for i in parsed.errors if i.severity == "error"]
        )
    try:
        stored = intake.store_received_report(intake.ReceivedBatch(actor, sender, xml, parsed), 0)
    except intake.Refusal as refusal:  # e.g. the case id was taken by another report meanwhile
        raise DomainError.single(refusal.element, "refused", refusal.message, "Send the report again.") from refusal
    assert stored is not None  # a new case id is never a retransmission
    return stored[0]


def build_report(data: Mapping[str, Any], *, channel: str, case_id: str, received: dt.date) -> Report:
    """The E2B(R3) report model of one validated form."""
    drug_names = [(data["suspect_drug"], "1")] + [
        (name.strip(), "2") for name in (data.get("concomitant_drugs") or "").split(";") if name.strip()
    ]
    drugs = tuple(_drug(case_id, n, name, role, data) for n, (name, role) in enumerate(drug_names))
    return Report(
        message_id=Value(extension=f"WEB-{case_id}", root=f"{IDS}.1"),
        creation_date=Value(value=f"{received:%Y%m%d}"),
        safety_report_id=Value(extension=case_id, root=f"{IDS}.1"),
        worldwide_case_id=Value(extension=case_id, root=f"{IDS}.2"),
        narrative=Value(text=data.get("narrative") or data["reaction"]),
        first_received=Value(value=f"{received:%Y%m%d}"),
        most_recent=Value(value=f"{received:%Y%m%d}"),
        report_type=Value(code="1", code_system=f"{OID}.2"),
        patient=_patient(data),
        reactions=(_reaction(case_id, data),),
        drugs=drugs,
        drug_roles=tuple(
            DrugRole(role=Value(code=role, code_system=f"{OID}.13"), drug_ref=drug.id)
            for drug, (_name, role) in zip(drugs, drug_names, strict=True)
        ),
        primary_sources=(_reporter(data, channel),),
        sender=Sender(sender_type=Value(code=SENDER_TYPE[channel], code_system=f"{OID}.7")),
    )


def _patient(data: Mapping[str, Any]) -> Patient:
    birth, age, sex = data.get("patient_birth_date"), data.get("patient_age"), data.get("patient_sex")
    return Patient(
        name=Value(text=data["patient_initials"]),
        sex=Value(code=sex, code_system="1.0.5218") if sex else None,
        birth_date=Value(value=f"{birth:%Y%m%d}") if birth else None,
        age=Value(value=str(age), unit="a") if age is not None else None,
    )


def _reaction(case_id: str, data: Mapping[str, Any]) -> Reaction:
    serious = set(data.get("seriousness") or ())
    flags: dict[str, Any] = {
        code: Value(value="true") if code in serious else None for code, _label in SERIOUSNESS_CHOICES
    }
    return Reaction(
        id=Value(root=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/reaction/1"))),
        term=Value(null_flavor="NI", original_text=data["reaction"]),  # coded later by a reviewer
        start=Value(value=f"{data['onset_date']:%Y%m%d}"),
        outcome=Value(code=data.get("outcome") or "0", code_system=f"{OID}.11"),
        **flags,
    )


def _drug(case_id: str, n: int, name: str, role: str, data: Mapping[str, Any]) -> Drug:
    suspect = role == "1"
    batch, number = (data.get("batch_number"), data.get("approval_number")) if suspect else ("", "")
    return Drug(
        id=Value(root=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case_id}/drug/{n + 1}"))),
        name=Value(text=name),
        authorisation=Value(extension=number, root=f"{IDS}.4") if number else None,
        dosages=(Dosage(batch=Value(text=batch)),) if batch else (),
    )


def _reporter(data: Mapping[str, Any], channel: str) -> PrimarySource:
    telephone = data.get("reporter_telephone")
    qualification = "5" if channel == "public" else data.get("reporter_qualification") or "3"
    return PrimarySource(
        regulatory=Value(value="1"),
        family=Value(text=data["reporter_name"]),
        telecom=(Value(value=f"tel:{telephone}"),) if telephone else (),
        country=Value(code="CN", code_system="1.0.3166.1.2.2"),
        qualification=Value(code=qualification, code_system=f"{OID}.6"),
    )
