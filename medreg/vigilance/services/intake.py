"""E2B(R3) intake: validate a batch, store each acceptable report as a case version, acknowledge.

Each report is stored in its own transaction (a refused report writes nothing) before the
acknowledgement is built, so an AA/AE answer never acknowledges data that is not durable.

Public API (also used by the web forms and CSV upload in `services/forms.py`):

* `import_batch(actor=, scope=, xml_bytes=)`: a whole E2B(R3) transmission, answered by its ACK;
* `sender_for(actor=, scope=)`: the `Sender` an authenticated actor sends as (owner of its cases);
* `ReceivedBatch(actor, sender, xml, parsed)`: a parsed batch on its way into storage;
* `store_received_report(received, index)`: store report `index` of it as a case version, or raise
  `Refusal` (element and message for a CR acknowledgement); None for a retransmission.
"""

import dataclasses
import datetime as dt
import hashlib
import json
import secrets as random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import Change, record_changes
from medreg.core.errors import DomainError, PermissionDenied
from medreg.core.models import Jurisdiction, Role
from medreg.core.scoping import SYSTEM_SCOPE, Scope
from medreg.registry import selectors as registry
from medreg.vigilance.e2b import E2BError, Issue, ParseResult, build_acknowledgement, parse_batch
from medreg.vigilance.e2b.ack import AckSettings, batch_code
from medreg.vigilance.e2b.model import Report
from medreg.vigilance.models import Case, CaseIdentity, CaseVersion, IntakeTransmission, VersionKind
from medreg.vigilance.privacy import decrypt, encrypt, identifiers_json, pseudonym, split_identifiers, text_of
from medreg.vigilance.services.codec import dump
from medreg.vigilance.services.duplicates import reindex_case
from medreg.vigilance.services.index import is_serious
from medreg.vigilance.services.timestamps import ts_day, ts_instant, ts_text

NULLIFICATION_CODES = {"1": VersionKind.NULLIFICATION, "2": VersionKind.AMENDMENT}  # C.1.11.1
ACK_SENDER = "NMPA"


@dataclass(frozen=True)
class Sender:
    """Who sends: an enterprise (by credit code) or a regulator's division; owns the cases it sends."""

    enterprise_code: str
    division_code: str
    jurisdiction_path: str


@dataclass
class IntakeResult:
    """The acknowledgement (ACK.A.4 code and XML) and what was stored."""

    code: str
    acknowledgement: bytes
    stored: list[tuple[int, int]] = field(default_factory=list)  # (case pk, version number)
    refused: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)  # every error-severity finding the ACK reports


class Refusal(Exception):
    """One report cannot be stored; becomes a CR acknowledgement naming the element."""

    def __init__(self, element: str, message: str) -> None:
        super().__init__(message)
        self.element, self.message = element, message


@dataclass
class ReceivedBatch:
    """A parsed batch on its way into storage: who sent it, its bytes, the parse result (model and
    findings), when it arrived. The transmission row is written with its first stored version."""

    actor: Actor
    sender: Sender
    xml: bytes
    parsed: ParseResult
    received_at: dt.datetime = field(default_factory=timezone.now)
    transmission: IntakeTransmission | None = None


def import_batch(
    *,
    actor: Actor,
    scope: Scope,
    xml_bytes: bytes,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IntakeResult:
    """Import an MCCI_IN200100UV01 batch; answers the MCCI_IN200101UV01 acknowledgement (AA/AE/AR).
    `progress(done, total)` is called after each report (stored or refused), outside its transaction."""
    sender = sender_for(actor=actor, scope=scope)
    if len(xml_bytes) > settings.MEDREG_MAX_UPLOAD_BYTES:
        raise DomainError.single(
            "file",
            "too_large",
            "The E2B file is larger than the platform accepts.",
            "Split the batch into smaller batches and send them one by one.",
            status=413,
        )
    ack = AckSettings(ack_number=f"{timezone.now():%Y%m%d%H%M%S}-{random.token_hex(4)}", sender=ACK_SENDER)
    try:
        parsed = parse_batch(xml_bytes, today=today)
    except E2BError as exc:
        return IntakeResult("AR", build_acknowledgement(None, exc, ack), errors=[Issue(None, "batch", "/", str(exc))])
    work = ReceivedBatch(actor, sender, xml_bytes, parsed)
    result = IntakeResult("", b"")
    total = len(parsed.batch.reports)
    for n in range(total):
        if progress is not None and n:
            progress(n, total)
        if any(i.severity == "error" for i in parsed.report_errors(n)):
            continue
        try:
            stored = store_received_report(work, n)
        except Refusal as refusal:
            result.refused.append(
                Issue(
                    n,
                    refusal.element,
                    f"/MCCI_IN200100UV01/PORR_IN049016UV[{n + 1}]",
                    f"{refusal.element}: {refusal.message}",
                )
            )
        else:
            if stored is not None:
                result.stored.append(stored)
    issues = [*parsed.errors, *result.refused]
    errors = [i for i in issues if i.severity == "error"]
    result.code, result.errors = batch_code(parsed.batch, errors), errors
    result.acknowledgement = build_acknowledgement(parsed.batch, issues, ack)
    if work.transmission is not None:
        IntakeTransmission.objects.filter(pk=work.transmission.pk).update(acknowledgement=result.acknowledgement)
    if progress is not None:
        progress(total, total)
    return result


def sender_for(*, actor: Actor, scope: Scope) -> Sender:
    """The sender an authenticated actor sends as: its enterprise, its regulator's division, or the
    platform itself; members of the public and inspectors send no E2B reports (PermissionDenied)."""
    if scope.role == SYSTEM_SCOPE.role:
        return Sender("", "000000", _division_path("000000"))
    user = actor.user
    if scope.is_enterprise and user is not None:
        path = registry.enterprise_jurisdiction_paths(SYSTEM_SCOPE, {scope.enterprise_code}).get(scope.enterprise_code)
        if path is None:
            raise DomainError.single(
                "sender",
                "unknown_enterprise",
                "Your enterprise is not in the registry.",
                "Ask your regulator to register the enterprise before sending reports.",
            )
        return Sender(scope.enterprise_code, "", path)
    if scope.is_regulator and user is not None and user.jurisdiction is not None:
        return Sender("", user.jurisdiction.code, user.jurisdiction.path)
    raise PermissionDenied(
        "Adverse reaction reports are sent by enterprises and regulators; members of the public use the report form."
        if scope.role != Role.INSPECTOR
        else "Inspectors do not send adverse reaction reports."
    )


def _division_path(code: str) -> str:
    node = Jurisdiction.objects.filter(code=code).first()
    return node.path if node else f"/{code}/"


def store_received_report(work: ReceivedBatch, index: int) -> tuple[int, int] | None:
    """Store report `index` of a received batch as the next version of its case, in one transaction:
    identifiers split out and encrypted, pseudonyms, warnings kept as data-quality findings, index rows
    (merges re-applied), registry matches, audit record. Returns (case pk, version number), or None
    for a retransmission of the stored current version. Raises `Refusal` and writes nothing when the
    report has validation errors or breaks an intake rule (unknown case, other sender, older C.1.5)."""
    findings = work.parsed.report_errors(index)
    errors = [i for i in findings if i.severity == "error"]
    if errors:
        raise Refusal(errors[0].element, "; ".join(i.message for i in errors))
    report = work.parsed.batch.reports[index]
    warnings = [{"element": i.element, "xpath": i.xpath, "message": i.message} for i in findings]
    case_id = _identifier(report.worldwide_case_id)
    if not case_id:
        raise Refusal("C.1.8.1", "the worldwide unique case identification number is missing.")
    created_transmission = work.transmission is None
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(worldwide_case_id=case_id).first()
            kind = _version_kind(work, case, report)
            if kind is None:
                return None  # a retransmission of the stored current version: acknowledged, nothing new
            stored = _write_version(work, case, case_id, kind, report, warnings=warnings)
    except IntegrityError as exc:
        if created_transmission:
            work.transmission = None
        raise Refusal("C.1.8.1", "another report for this case was being stored at the same moment; resend.") from exc
    except Refusal:
        if created_transmission:
            work.transmission = None
        raise
    return stored


def _version_kind(work: ReceivedBatch, case: Case | None, report: Report) -> VersionKind | None:
    amendment = NULLIFICATION_CODES.get(report.nullification.code or "") if report.nullification else None
    if case is None:
        if amendment or _says_follow_up(report):
            raise Refusal(
                "C.1.8.1",
                "this report is a follow-up, amendment or nullification of a case the platform "
                "has not received; send the initial report first.",
            )
        return VersionKind.INITIAL
    if not case.is_sent_by(work.sender.enterprise_code, work.sender.division_code):
        raise Refusal(
            "C.1.8.1",
            "this case id belongs to a case sent by another sender; a sender may only send "
            "follow-ups to its own cases (check C.1.8.1, or use C.1.9.1.r for other senders' ids).",
        )
    if case.nullified:
        raise Refusal("C.1.11.1", "the case was nullified; a nullified case takes no further versions.")
    current = case.versions.order_by("-number").first()
    if current and _is_retransmission(current, report):
        return None
    received, stored = ts_instant(report.most_recent), case.most_recent
    if received is None or stored is None:
        raise Refusal("C.1.5", "the date of most recent information is missing or invalid.")
    if received > stored or (amendment and received >= stored):
        return amendment or VersionKind.FOLLOW_UP
    raise Refusal(
        "C.1.5",
        f"the date of most recent information ({ts_text(report.most_recent)}) is not later than "
        f"that of stored version {case.current_version} ({current.most_recent_ts if current else ''}); "
        "a follow-up needs a later C.1.5 (an amendment or nullification at least the same).",
    )


def _is_retransmission(current: CaseVersion, report: Report) -> bool:
    """The same message (N.2.r.1, C.1.5) with the same content, identifiers included, sent again."""
    if (current.message_id, current.most_recent_ts) != (_identifier(report.message_id), ts_text(report.most_recent)):
        return False
    deidentified, identifiers = split_identifiers(report)
    if dump(deidentified) != current.report:
        return False
    stored = json.loads(decrypt(bytes(current.identity.identifiers_encrypted)))
    return bool(stored == json.loads(identifiers_json(identifiers)))


def _says_follow_up(report: Report) -> bool:
    """C.1.5 later than C.1.4: the report carries information received after the first report."""
    first, latest = ts_day(report.first_received), ts_day(report.most_recent)
    return first is not None and latest is not None and latest > first


def _write_version(
    work: ReceivedBatch,
    case: Case | None,
    case_id: str,
    kind: VersionKind,
    report: Report,
    *,
    warnings: list[dict[str, str]],
) -> tuple[int, int]:
    transmission = work.transmission or _transmission(work)
    work.transmission = transmission
    before = None if case is None else {"current_version": case.current_version, "nullified": case.nullified}
    case = case or Case(
        worldwide_case_id=case_id,
        sender_enterprise_code=work.sender.enterprise_code,
        sender_division_code=work.sender.division_code,
        jurisdiction_path=work.sender.jurisdiction_path,
        current_version=0,
    )
    number = case.current_version + 1
    _update_case(case, report, number, kind, work)
    deidentified, identifiers = split_identifiers(report)
    version = CaseVersion.objects.create(
        case=case,
        number=number,
        kind=kind,
        transmission=transmission,
        safety_report_id=_identifier(report.safety_report_id)[:100],
        message_id=_identifier(report.message_id)[:100],
        received_at=work.received_at,
        report_type=case.report_type,
        first_received=case.first_received,
        first_received_ts=ts_text(report.first_received)[:24],
        most_recent=case.most_recent,
        most_recent_ts=ts_text(report.most_recent)[:24],
        serious=case.serious,
        report=dump(deidentified),
        findings=warnings,
        **_pseudonyms(report),
    )
    CaseIdentity.objects.create(version=version, identifiers_encrypted=encrypt(identifiers_json(identifiers)))
    reindex_case(actor=work.actor, case=case, report=deidentified)
    after = {
        "worldwide_case_id": case_id,
        "version": number,
        "kind": kind.value,
        "transmission": transmission.pk,
        "safety_report_id": version.safety_report_id,
        "message_id": version.message_id,
        "findings": [w["element"] for w in warnings],
    }
    record_changes(
        actor=work.actor, changes=[Change("vigilance.case_version.received", "vigilance.case", case.pk, before, after)]
    )
    return case.pk, number


def _update_case(case: Case, report: Report, number: int, kind: VersionKind, work: ReceivedBatch) -> None:
    case.current_version = number
    case.report_type = (report.report_type.code or "")[:2] if report.report_type else ""
    case.serious = is_serious(report)
    case.nullified = kind == VersionKind.NULLIFICATION
    case.first_received = ts_day(report.first_received)
    case.most_recent = ts_instant(report.most_recent)
    sender = report.sender.organisation if report.sender else None
    case.sender_name = (text_of(sender) or text_of(work.parsed.batch.sender))[:200]
    case.save()


def _transmission(work: ReceivedBatch) -> IntakeTransmission:
    batch = work.parsed.batch
    return IntakeTransmission.objects.create(
        received_at=work.received_at,
        submitted_by=work.actor.user,
        batch_number=_identifier(batch.batch_number)[:100],
        batch_sender=_identifier(batch.sender)[:100],
        size_bytes=len(work.xml),
        sha256=hashlib.sha256(work.xml).hexdigest(),
        xml_encrypted=encrypt(work.xml),
        header=dump(dataclasses.replace(batch, reports=())),
    )


def _pseudonyms(report: Report) -> dict[str, str]:
    patient = report.patient
    source = report.primary_sources[0] if report.primary_sources else None
    reporter = " ".join([*(text_of(v) for v in source.given), text_of(source.family)]) if source else ""
    return {
        "patient_pseudonym": pseudonym("patient.name", text_of(patient.name) if patient else ""),
        "patient_birth_date_pseudonym": pseudonym("patient.birth_date", text_of(patient.birth_date) if patient else ""),
        "reporter_pseudonym": pseudonym("reporter.name", reporter),
    }


def _identifier(value: object) -> str:
    if value is None:
        return ""
    return str(getattr(value, "extension", None) or getattr(value, "root", None) or getattr(value, "value", None) or "")
