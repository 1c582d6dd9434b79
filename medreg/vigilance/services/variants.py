"""Device adverse event and cosmetic adverse reaction reports (decision 0204): intake from the web
forms, the API and hospitals' CSV files; registry matching and its review.

A report is stored as a drug report is (services/forms.py): its envelope (patient, reporter, event
or reaction, narrative, the product as the suspect G.k with its number and lot) becomes an E2B(R3)
report, exported and parsed back and stored by intake's own storage function (identifiers split out
and encrypted, pseudonyms, index rows, one audit record). In the same transaction the case gets its
product family, the version its `CaseVariant` section, and the case its `CaseDevice`/`CaseCosmetic`
row with a proposed registry match (the drug-registry match of the G.k row is cleared: a device is
not a drug). An enterprise or hospital sends a follow-up by naming its case (`follow_up_of`).
"""

import dataclasses
import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.errors import DomainError, FieldError, NotFound, PermissionDenied
from medreg.core.models import Role
from medreg.core.scoping import SYSTEM_SCOPE, Scope
from medreg.core.tabular import Limits, read_table
from medreg.registry import selectors as registry
from medreg.vigilance import selectors
from medreg.vigilance.e2b import export_batch, parse_batch
from medreg.vigilance.e2b.model import Batch, Report, Value
from medreg.vigilance.forms_variants import (
    COLUMNS,
    COSMETIC_COLUMNS,
    DEVICE_COLUMNS,
    FAMILIES,
    FORMS,
    REQUIRED_COLUMNS,
    row_data,
)
from medreg.vigilance.models import Case, CaseVersion, MatchStatus
from medreg.vigilance.models.variants import CaseCosmetic, CaseDevice, CaseVariant, CosmeticSeverity, DeviceEventType
from medreg.vigilance.services import intake
from medreg.vigilance.services.forms import (
    IDS,
    OID,
    TableProgress,
    TableResult,
    build_report,
    public_sender,
    store_rows,
    validate_rows,
)

CHANNEL_SENDER_TYPE = {"professional": "professional", "enterprise": "holder", "public": "public"}
CASE_PREFIX = {"device": "CN-WEB-DEV", "cosmetic": "CN-WEB-COS"}
REVIEWED = (MatchStatus.CONFIRMED, MatchStatus.CORRECTED)


@dataclass(frozen=True)
class Stored:
    """What one accepted report became."""

    case_id: int
    worldwide_case_id: str
    version: int


def may_submit_variant(scope: Scope, channel: str) -> bool:
    """Anyone the public form; medical institutions and regulators the professional form and the CSV
    upload; registrants, manufacturers and distributors (every other enterprise) the enterprise form."""
    if channel == "public":
        return True
    if channel == "enterprise":
        return scope.is_enterprise and scope.role != Role.MEDICAL_INSTITUTION
    return channel == "professional" and (scope.role == Role.MEDICAL_INSTITUTION or scope.is_regulator)


def api_channel(scope: Scope) -> str:
    """The channel of an API caller: members of the public and inspectors do not use the API."""
    if scope.role == Role.MEDICAL_INSTITUTION or scope.is_regulator:
        return "professional"
    if scope.is_enterprise:
        return "enterprise"
    raise PermissionDenied(
        "Inspectors do not send adverse event reports."
        if scope.role == Role.INSPECTOR
        else "Members of the public report through the web form."
    )


def submit_variant_report(
    *,
    actor: Actor,
    scope: Scope,
    family: str,
    channel: str,
    data: Mapping[str, Any],
    division_code: str = "",
    follow_up_of: str = "",
    now: dt.datetime | None = None,
) -> Stored:
    """Store a validated form (`DeviceReportForm`/`CosmeticReportForm.cleaned_data`): a new case, or
    a follow-up version of the caller's own case `follow_up_of` (its worldwide case id)."""
    _check_family(family)
    if channel not in CHANNEL_SENDER_TYPE or not may_submit_variant(scope, channel):
        raise PermissionDenied("This report form is not for your account; use the form for your role.")
    now = now or timezone.now()
    if channel == "public":
        if follow_up_of:
            raise DomainError.single(
                "follow_up_of", "not_allowed", "Members of the public cannot add to a case.", "Send a new report."
            )
        sender = public_sender(division_code)
    else:
        sender = intake.sender_for(actor=actor, scope=scope)
    if not follow_up_of:
        case_id, first = _new_case_id(family, now), None
    else:
        case = _case_to_follow(scope, family, follow_up_of)
        case_id, first = case.worldwide_case_id, case.first_received
    return store_variant(
        actor=actor, sender=sender, family=family, channel=channel, data=data, case_id=case_id, first=first, now=now
    )


def import_variant_table(
    *,
    actor: Actor,
    scope: Scope,
    family: str,
    data: bytes,
    filename: str,
    now: dt.datetime | None = None,
    progress: TableProgress | None = None,
) -> TableResult:
    """A hospital's CSV or Excel file, one device or cosmetic report per row: all stored, or none."""
    _check_family(family)
    if not may_submit_variant(scope, "professional"):
        raise PermissionDenied("CSV reports are sent by medical institutions and regulators.")
    sender = intake.sender_for(actor=actor, scope=scope)
    sheet = read_table(data, filename, Limits.from_settings())
    _check_header(family, sheet.header)
    now = now or timezone.now()
    result = TableResult()
    today = timezone.localdate(now)
    rows, result.errors = validate_rows(
        sheet, lambda cells: FORMS[family](row_data(sheet.header, cells), today=today), progress
    )
    if result.errors:
        return result
    if progress is not None:
        progress("storing", 0, len(rows))
    result.stored = store_rows(
        rows,
        lambda row: (
            store_variant(
                actor=actor,
                sender=sender,
                family=family,
                channel="professional",
                data=row,
                case_id=_new_case_id(family, now),
                first=None,
                now=now,
            ).case_id
        ),
        progress,
    )
    return result


def store_variant(
    *,
    actor: Actor,
    sender: intake.Sender,
    family: str,
    channel: str,
    data: Mapping[str, Any],
    case_id: str,
    first: dt.date | None,
    now: dt.datetime,
) -> Stored:
    """Store one validated report as a version of `case_id` (for trusted callers: the services above
    and the demo loader, which names its senders)."""
    local = timezone.localtime(now)
    report = build_variant_report(
        family, data, channel=channel, case_id=case_id, first=first or local.date(), now=local
    )
    batch = Batch(
        batch_number=Value(extension=f"WEB-{case_id}-{local:%Y%m%d%H%M%S}", root=f"{IDS}.22"),
        batch_type=Value(code="1", code_system=f"{OID}.1"),
        creation_time=Value(value=f"{local:%Y%m%d%H%M%S%z}"),
        sender=Value(extension=sender.enterprise_code or sender.division_code or "PUBLIC", root=f"{IDS}.13"),
        receiver=Value(extension="NMPA", root=f"{IDS}.14"),
        reports=(report,),
    )
    xml = export_batch(batch)
    parsed = parse_batch(xml, today=local.date())
    if not parsed.ok:  # a form that validated but makes an invalid E2B report is a bug: refuse, store nothing
        raise DomainError(
            [FieldError(i.element, "invalid_report", i.message) for i in parsed.errors if i.severity == "error"]
        )
    with transaction.atomic():
        try:
            stored = intake.store_received_report(intake.ReceivedBatch(actor, sender, xml, parsed, now), 0)
        except intake.Refusal as refusal:
            raise DomainError.single(
                "follow_up_of",
                "refused",
                f"{refusal.element}: {refusal.message}",
                "Send follow-ups only to cases you reported, one at a time.",
            ) from refusal
        if stored is None:
            raise DomainError.single(
                "follow_up_of",
                "duplicate",
                "This report was already stored, with the same content and time.",
                "Nothing to do; send a follow-up only with new information.",
            )
        _store_section(stored[0], stored[1], family, data)
    return Stored(stored[0], case_id, stored[1])


def build_variant_report(
    family: str, data: Mapping[str, Any], *, channel: str, case_id: str, first: dt.date, now: dt.datetime
) -> Report:
    """The E2B(R3) envelope of a device or cosmetic report; the product is the suspect G.k."""
    mapped = _device_envelope(data) if family == "device" else _cosmetic_envelope(data)
    common = {
        "patient_initials": data.get("patient_initials") or "",
        "patient_sex": data.get("patient_sex") or "",
        "patient_age": data.get("patient_age"),
        "reporter_name": data["reporter_name"],
        "reporter_qualification": data.get("reporter_qualification") or "",
        "reporter_telephone": data.get("reporter_telephone") or "",
        "narrative": data.get("narrative") or "",
        "concomitant_drugs": "",
    }
    report = build_report({**common, **mapped}, channel=CHANNEL_SENDER_TYPE[channel], case_id=case_id, received=first)
    instant = f"{now:%Y%m%d%H%M%S%z}"
    patient = report.patient
    if patient is not None and not common["patient_initials"]:
        patient = dataclasses.replace(patient, name=Value(null_flavor="UNK"))
    return dataclasses.replace(
        report,
        message_id=Value(extension=f"WEB-{case_id}-{now:%Y%m%d%H%M%S}", root=f"{IDS}.1"),
        creation_date=Value(value=instant),
        most_recent=Value(value=instant),
        patient=patient,
    )


def _device_envelope(data: Mapping[str, Any]) -> dict[str, Any]:
    event = data["event_type"]
    return {
        "suspect_drug": data["device_name"],
        "approval_number": data.get("certificate_number") or "",
        "batch_number": data.get("lot_number") or "",
        "reaction": data.get("patient_problem") or data.get("device_problem") or "",
        "onset_date": data["event_date"],
        "outcome": "5" if event == DeviceEventType.DEATH else "0",
        "seriousness": {"death": ["death"], "serious_injury": ["medically_important"]}.get(event, []),
    }


def _cosmetic_envelope(data: Mapping[str, Any]) -> dict[str, Any]:
    serious = ["medically_important"] if data["severity"] == CosmeticSeverity.SERIOUS else []
    return {
        "suspect_drug": data["product_name"],
        "approval_number": data.get("registration_number") or "",
        "batch_number": data.get("lot_number") or "",
        "reaction": data["reaction_description"],
        "onset_date": data["onset_date"],
        "outcome": data["outcome"],
        "seriousness": (["death"] if data["outcome"] == "5" else []) + serious,
    }


def _store_section(case_pk: int, number: int, family: str, data: Mapping[str, Any]) -> None:
    section = {name: _json(data.get(name)) for name in _SECTION_FIELDS[family]}
    Case.objects.filter(pk=case_pk).update(product_family=family)
    version = CaseVersion.objects.get(case_id=case_pk, number=number)
    CaseVariant.objects.create(version=version, product_family=family, data=section)
    case = Case.objects.get(pk=case_pk)
    case.drugs.update(matched_approval_number="", registry_holder_code="", match_status=MatchStatus.NONE)
    rebuild_variant_index(case, family, section)


_SECTION_FIELDS = {"device": DEVICE_COLUMNS, "cosmetic": COSMETIC_COLUMNS}  # no patient or reporter field


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def rebuild_variant_index(case: Case, family: str, section: Mapping[str, Any]) -> None:
    """Replace the case's device or cosmetic row by the section's, keeping a reviewed match while
    the product is reported the same way (name, number, UDI-DI)."""
    model: type[CaseDevice] | type[CaseCosmetic] = CaseDevice if family == "device" else CaseCosmetic
    row = _device_row(case, section) if family == "device" else _cosmetic_row(case, section)
    old = model.objects.filter(case=case).first()
    if old is not None and old.match_status in REVIEWED and _product_key(old) == _product_key(row):
        for name in ("matched_number", "registry_holder_code", "match_status", "match_basis", "matched_by_id"):
            setattr(row, name, getattr(old, name))
        row.matched_at = old.matched_at
    else:
        propose_variant_match(row)
    model.objects.filter(case=case).delete()
    row.save()


def _device_row(case: Case, section: Mapping[str, Any]) -> CaseDevice:
    return CaseDevice(
        case=case,
        name_as_reported=section["device_name"],
        certificate_number=section["certificate_number"],
        model_specification=section["model_specification"],
        udi_di=section["udi_di"],
        lot_number=section["lot_number"],
        serial_number=section["serial_number"],
        event_type=section["event_type"],
        event_date=dt.date.fromisoformat(section["event_date"]),
        awareness_date=dt.date.fromisoformat(section["awareness_date"]),
        device_problem_code=section["device_problem_code"],
        patient_problem_code=section["patient_problem_code"],
    )


def _cosmetic_row(case: Case, section: Mapping[str, Any]) -> CaseCosmetic:
    return CaseCosmetic(
        case=case,
        name_as_reported=section["product_name"],
        registration_number=section["registration_number"],
        category=section["category"],
        use_start=dt.date.fromisoformat(section["use_start"]),
        onset_date=dt.date.fromisoformat(section["onset_date"]),
        severity=section["severity"],
        reaction_types=list(section["reaction_types"]),
    )


def _product_key(row: CaseDevice | CaseCosmetic) -> tuple[str, ...]:
    if isinstance(row, CaseDevice):
        return (row.name_as_reported, row.certificate_number, row.udi_di)
    return (row.name_as_reported, row.registration_number)


def propose_variant_match(row: CaseDevice | CaseCosmetic) -> None:
    """A device by its UDI-DI, else its certificate number; a cosmetic by its number, else by its
    name when exactly one registered cosmetic has it. Reads the whole registry (public facts)."""
    found, basis = None, ""
    if isinstance(row, CaseDevice):
        if row.udi_di:
            found, basis = registry.devices_by_udi_di(SYSTEM_SCOPE, {row.udi_di}).get(row.udi_di), "udi_di"
        if found is None and row.certificate_number:
            number = row.certificate_number
            found, basis = registry.devices_by_number(SYSTEM_SCOPE, {number}).get(number), "certificate_number"
    else:
        if row.registration_number:
            number = row.registration_number
            found, basis = registry.cosmetics_by_number(SYSTEM_SCOPE, {number}).get(number), "registration_number"
        if found is None:
            named = registry.cosmetics_by_name(SYSTEM_SCOPE, {row.name_as_reported}).get(row.name_as_reported, [])
            found, basis = (named[0], "name") if len(named) == 1 else (None, "")
    if found is not None:
        row.matched_number, row.registry_holder_code = found.number, found.holder_code
        row.match_status, row.match_basis = MatchStatus.PROPOSED, basis


def variant_row(case: Case) -> CaseDevice | CaseCosmetic | None:
    """The device or cosmetic row of a case already read through the caller's scope."""
    if case.product_family == "device":
        return CaseDevice.objects.filter(case=case).select_related("matched_by").first()
    if case.product_family == "cosmetic":
        return CaseCosmetic.objects.filter(case=case).select_related("matched_by").first()
    return None


def review_variant_match(*, actor: Actor, scope: Scope, case_id: int, number: str) -> CaseDevice | CaseCosmetic:
    """A regulator confirms the proposed match (same number), corrects it (another registered
    number) or clears it (empty number). Audited."""
    if not scope.is_regulator and scope.role != SYSTEM_SCOPE.role:
        raise PermissionDenied("Only regulators review registry matches of reported products.")
    case = selectors.case(scope, case_id)
    if case.product_family not in FAMILIES:
        raise DomainError.single(
            "case", "not_a_variant", "This case is a drug case.", "Review drug matches on the case's drug rows."
        )
    model: type[CaseDevice] | type[CaseCosmetic] = CaseDevice if case.product_family == "device" else CaseCosmetic
    number = number.strip()
    with transaction.atomic():
        row = model.objects.select_for_update().filter(case=case).first()
        if row is None:
            raise NotFound(case.product_family)
        before = _match_state(row)
        if number and number == row.matched_number:
            row.match_status = MatchStatus.CONFIRMED
        else:
            row.matched_number = number
            row.registry_holder_code = _holder_of(case.product_family, number) if number else ""
            row.match_status, row.match_basis = MatchStatus.CORRECTED, "reviewer"
        row.matched_by, row.matched_at = actor.user, timezone.now()
        row.save()
        record_change(
            actor=actor,
            action="vigilance.variant_match.reviewed",
            object_type=f"vigilance.case_{case.product_family}",
            object_id=row.pk,
            before=before,
            after=_match_state(row),
        )
    return row


def _holder_of(family: str, number: str) -> str:
    lookup = registry.devices_by_number if family == "device" else registry.cosmetics_by_number
    found = lookup(SYSTEM_SCOPE, {number}).get(number)
    if found is None:
        example = "国械注准20153090001" if family == "device" else "国妆特字G20190001"
        raise DomainError.single(
            "number",
            "unknown_product",
            f"No {family} with number {number} is in the registry.",
            f"Give the number exactly as registered (e.g. {example}), or leave it empty for no match.",
        )
    return found.holder_code


def _match_state(row: CaseDevice | CaseCosmetic) -> dict[str, object]:
    return {
        "case": row.case_id,
        "number": row.matched_number,
        "holder": row.registry_holder_code,
        "status": row.match_status,
        "basis": row.match_basis,
    }


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise DomainError.single(
            "family", "invalid_value", f"{family!r} is not a report family here.", "Use device or cosmetic."
        )


def _case_to_follow(scope: Scope, family: str, worldwide_case_id: str) -> Case:
    found = selectors.cases(scope).filter(worldwide_case_id=worldwide_case_id.strip()).first()
    if found is None:
        raise DomainError.single(
            "follow_up_of",
            "not_found",
            f"No case {worldwide_case_id!r} is visible to you.",
            "Give the case id the platform answered for your first report.",
            status=404,
        )
    if found.product_family != family:
        raise DomainError.single(
            "follow_up_of",
            "wrong_family",
            f"Case {found.worldwide_case_id} is a {found.product_family} case.",
            f"Send its follow-up with the {found.product_family} form.",
        )
    return found


def _check_header(family: str, header: list[str]) -> None:
    missing = sorted(set(REQUIRED_COLUMNS[family]) - set(header))
    unknown = sorted(set(header) - set(COLUMNS[family]))
    if missing or unknown:
        raise DomainError.single(
            "file",
            "bad_header",
            f"Missing columns: {', '.join(missing) or '-'}; unknown columns: {', '.join(unknown) or '-'}.",
            f"The first row names the columns: {', '.join(COLUMNS[family])}.",
        )


def _new_case_id(family: str, now: dt.datetime) -> str:
    return f"{CASE_PREFIX[family]}-{timezone.localtime(now):%Y%m%d}-{secrets.token_hex(5).upper()}"
