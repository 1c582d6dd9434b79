"""Business-rule validation of the E2B(R3) case model with per-element findings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import model as m
from .dates import TSError, ts_bounds
from .issues import Issue, Locator
from .spec import SPEC, field_map

MEDDRA_CODE = re.compile(r"^\d{8}$")
REPORT_TYPES = {"1", "2", "3", "4"}
DRUG_ROLES = {"1", "2", "3", "4"}
ERROR, WARNING = "error", "warning"  # an error rejects the report (CR); a warning is loaded (CA) and flagged
DATE_FIELDS = {
    m.Batch: ("creation_time",), m.Report: ("message_date", "creation_date", "first_received", "most_recent"),
    m.Patient: ("birth_date", "death_date", "lmp"), m.Parent: ("birth_date", "lmp"),
    m.Reaction: ("start", "end"), m.MedicalHistory: ("start", "end"), m.PastDrug: ("start", "end"),
    m.Test: ("date",),
}
MEDDRA_FIELDS = {
    m.Reaction: ("term",), m.MedicalHistory: ("term",), m.PastDrug: ("indication", "reaction"),
    m.Patient: ("death_causes", "autopsy_causes"), m.Indication: ("term",), m.Comment: (),
}


@dataclass
class Ctx:
    """Validation context for one report (or the batch when ``report`` is None)."""

    paths: Locator
    today: dt.date
    report: int | None = None
    out: list[Issue] = field(default_factory=list)

    def where(self, obj: Any, name: str) -> str:
        """XPath of a field value, or where it was expected when missing."""
        got = getattr(obj, name, None)
        if isinstance(got, tuple) and got:
            got = got[0]
        found = self.paths.get(got) if got is not None else None
        if found:
            return found
        base = self.paths.get(obj) or ""
        return f"{base}/{field_map(type(obj))[name].path.replace('|', '/').lstrip('/')}"

    def add(self, obj: Any, name: str, eid: str, msg: str, severity: str = ERROR) -> None:
        """Record a finding about ``obj.name``."""
        self.out.append(Issue(self.report, eid, self.where(obj, name), msg, severity))


def eid(obj: Any, name: str) -> str:
    """E2B element id of a model field."""
    return field_map(type(obj))[name].eid


def require(ctx: Ctx, obj: Any, name: str, what: str) -> bool:
    """Error when a mandatory value is absent or empty; True when present."""
    v = getattr(obj, name)
    if v is None or (isinstance(v, m.Value) and not (v.null_flavor or _has_content(v))):
        ctx.add(obj, name, eid(obj, name), f"{eid(obj, name)} {what} is mandatory but missing; add it.")
        return False
    return True


def _has_content(v: m.Value) -> bool:
    """Whether a value carries any data (code, id, value or text)."""
    return any((v.code, v.extension, v.root, v.value, (v.text or "").strip(), v.original_text))


def validate(batch: m.Batch, paths: Locator, today: dt.date) -> list[Issue]:
    """All findings for a parsed batch."""
    ctx = Ctx(paths, today)
    require(ctx, batch, "batch_number", "batch number (<id> of MCCI_IN200100UV01)")
    require(ctx, batch, "sender", "batch sender identifier")
    require(ctx, batch, "receiver", "batch receiver identifier")
    check_dates(ctx, batch)
    if not batch.reports:
        ctx.add(batch, "reports", "N.2.r", "the batch holds no ICSR message (PORR_IN049016UV); send at least one.")
    for i, report in enumerate(batch.reports):
        ctx.report = i
        validate_report(ctx, report)
    return ctx.out


def validate_report(ctx: Ctx, r: m.Report) -> None:
    """Mandatory elements, code lists, dates and references of one report."""
    require(ctx, r, "message_id", "message identifier")
    require(ctx, r, "safety_report_id", "sender's safety report unique identifier (id root ...3.1)")
    require(ctx, r, "creation_date", "date of creation")
    require(ctx, r, "first_received", "date report was first received from source")
    require(ctx, r, "most_recent", "date of most recent information")
    require(ctx, r, "worldwide_case_id", "worldwide unique case identification number (id root ...3.2)")
    check_report_type(ctx, r)
    check_sources(ctx, r)
    check_patient(ctx, r)
    check_reactions(ctx, r)
    check_drugs(ctx, r)
    check_nullification(ctx, r)
    for obj in walk(r):
        check_dates(ctx, obj)
        check_meddra(ctx, obj)


def check_report_type(ctx: Ctx, r: m.Report) -> None:
    """C.1.3 must be 1-4 from the ICH report type list."""
    rt = r.report_type if require(ctx, r, "report_type", "type of report") else None
    if rt is not None and not rt.null_flavor and rt.code not in REPORT_TYPES:
        ctx.add(r, "report_type", "C.1.3", f"C.1.3 type of report {rt.code!r} is not one of "
                "1 spontaneous, 2 study, 3 other, 4 not available to sender; use one of these codes.")


def check_sources(ctx: Ctx, r: m.Report) -> None:
    """C.2.r: at least one primary source, each with a qualification; C.3 sender type."""
    if not r.primary_sources:
        ctx.add(r, "primary_sources", "C.2.r", "C.2.r at least one primary source is required; add a reporter.")
    for src in r.primary_sources:
        require(ctx, src, "qualification", "primary source qualification")
    if r.primary_sources and not any(s.regulatory and s.regulatory.value == "1" for s in r.primary_sources):
        ctx.add(r, "primary_sources", "C.2.r.5", "C.2.r.5 no primary source is flagged for regulatory purposes; "
                "set <priorityNumber value=\"1\"/> on exactly one reporter.")
    if r.sender is None:
        ctx.add(r, "sender", "C.3", "C.3 information on the sender is missing; add the sender block.")
    else:
        require(ctx, r.sender, "sender_type", "sender type")


def check_patient(ctx: Ctx, r: m.Report) -> None:
    """D: a patient with D.1; death and reaction starts not before birth (warnings, see decision 0206)."""
    if r.patient is None:
        ctx.add(r, "patient", "D", "D patient characteristics are missing; add the primaryRole/player1 block.")
        return
    require(ctx, r.patient, "name", "patient (name or initials, or a nullFlavor)")
    born = _day(r.patient.birth_date)
    died = _day(r.patient.death_date)
    if born and died and died < born:
        ctx.add(r.patient, "death_date", "D.9.1", "D.9.1 date of death is before D.2.1 date of birth; the report "
                "was loaded, correct one of them in a follow-up.", WARNING)
    for reaction in r.reactions:
        start = _day(reaction.start)
        if born and start and start < born:
            ctx.add(reaction, "start", "E.i.4", f"E.i.4 reaction start {reaction.start.value if reaction.start else ''}"
                    " is before the patient's date of birth (D.2.1); the report was loaded, correct the dates in a "
                    "follow-up (a reaction of a foetus is reported in a parent-child report).", WARNING)


def check_reactions(ctx: Ctx, r: m.Report) -> None:
    """E.i: at least one reaction with a MedDRA code; end not before start."""
    if not r.reactions:
        ctx.add(r, "reactions", "E.i", "E.i at least one reaction/event is required; add one.")
    for reaction in r.reactions:
        term = reaction.term if require(ctx, reaction, "term", "reaction MedDRA code") else None
        if term is not None and not term.code and not term.null_flavor:
            ctx.add(reaction, "term", "E.i.2.1b", "E.i.2.1b reaction has no MedDRA code; code it in MedDRA.")
        start, end = _day(reaction.start), _day(reaction.end)
        if start and end and end < start:
            ctx.add(reaction, "end", "E.i.5", "E.i.5 reaction end is before E.i.4 start; the report was loaded, "
                    "correct the dates in a follow-up.", WARNING)


def check_drugs(ctx: Ctx, r: m.Report) -> None:
    """G.k: names; G.k.1 roles with ICH codes, at least one suspect, interacting or not administered drug.

    A role or assessment pointing at no drug, and two drugs sharing an id, are warnings: the drug data
    are all loaded, only the link is unusable (decision 0206)."""
    ids = [d.id.root for d in r.drugs if d.id and d.id.root]
    for drug in r.drugs:
        require(ctx, drug, "name", "medicinal product name as reported")
    for shared in sorted({i for i in ids if ids.count(i) > 1}):
        drug = next(d for d in r.drugs if d.id and d.id.root == shared)
        ctx.add(drug, "id", "G.k", f"G.k two drugs share the id {shared!r}; roles (G.k.1) and assessments "
                "(G.k.9.i.2.r) pointing at it are ambiguous; give each drug its own id in a follow-up.", WARNING)
    resolved = set()
    for role in r.drug_roles:
        ref = role.drug_ref.root if role.drug_ref else None
        code = role.role.code if role.role else None
        if ref not in ids:
            ctx.add(role, "drug_ref", "G.k.1", f"G.k.1 role {code!r} refers to drug id {ref!r} that is not in G.k; "
                    "the role was kept but applies to no drug; point it at a substanceAdministration id in a "
                    "follow-up.", WARNING)
        elif code in DRUG_ROLES:
            resolved.add(code)
        if role.role and code not in DRUG_ROLES:
            ctx.add(role, "role", "G.k.1", f"G.k.1 role code {code!r} is not 1-4 (suspect, "
                    "concomitant, interacting, drug not administered).")
    if not resolved & {"1", "3", "4"}:
        ctx.add(r, "drug_roles", "G.k.1", "G.k.1 no drug is characterised as suspect (1), interacting (3) or drug "
                "not administered (4); at least one is required.")
    check_assessments(ctx, r)


def check_assessments(ctx: Ctx, r: m.Report) -> None:
    """G.k.9.i.2.r assessments must reference an existing reaction."""
    reactions = {x.id.root for x in r.reactions if x.id and x.id.root}
    for a in r.assessments:
        ref = a.reaction_ref.root if a.reaction_ref else None
        if ref not in reactions:
            ctx.add(a, "reaction_ref", "G.k.9.i.2.r", f"G.k.9.i.2.r assessment refers to reaction id {ref!r} "
                    "that is not in E.i; the assessment was kept but applies to no reaction; point it at a reaction "
                    "observation id in a follow-up.", WARNING)


def check_nullification(ctx: Ctx, r: m.Report) -> None:
    """C.1.11.2 reason is required when C.1.11.1 nullifies or amends."""
    if r.nullification and r.nullification.code and not r.nullification_reason:
        ctx.add(r, "nullification_reason", "C.1.11.2", "C.1.11.2 reason for nullification/amendment is "
                "mandatory when C.1.11.1 is given; add the reason text.")


def check_dates(ctx: Ctx, obj: Any) -> None:
    """Every date field must be a valid HL7 TS and not in the future."""
    for name in DATE_FIELDS.get(type(obj), ()):
        v = getattr(obj, name)
        if v is None or v.value is None:
            continue
        try:
            lo, _ = ts_bounds(v.value)
        except TSError as exc:
            ctx.add(obj, name, eid(obj, name), f"{eid(obj, name)} {exc}; use e.g. 20240131.")
            continue
        if lo > ctx.today:
            ctx.add(obj, name, eid(obj, name), f"{eid(obj, name)} date {v.value} is in the future; correct it.")


def check_meddra(ctx: Ctx, obj: Any) -> None:
    """MedDRA-coded values must use OID 2.16.840.1.113883.6.163, an 8-digit code and a version."""
    for name in MEDDRA_FIELDS.get(type(obj), ()):
        got = getattr(obj, name)
        for v in got if isinstance(got, tuple) else (got,):
            if v is not None and v.code:
                _meddra_value(ctx, obj, name, v)


def _meddra_value(ctx: Ctx, obj: Any, name: str, v: m.Value) -> None:
    """Check one MedDRA-coded value."""
    e = eid(obj, name)
    if v.code_system != m.MEDDRA_OID:
        ctx.add(obj, name, e, f"{e} code {v.code} uses code system {v.code_system!r}; MedDRA codes must use "
                f"codeSystem=\"{m.MEDDRA_OID}\".")
    elif not MEDDRA_CODE.match(v.code or ""):
        ctx.add(obj, name, e, f"{e} MedDRA code {v.code!r} is not an 8-digit LLT/PT code; send the numeric code.")
    elif not v.code_system_version:
        ctx.add(obj, name, e, f"{e} MedDRA version (codeSystemVersion) is missing; add it, e.g. 26.1.")


def _day(v: m.Value | None) -> dt.date | None:
    """Earliest day a TS value denotes, None when absent or invalid."""
    if v is None or not v.value:
        return None
    try:
        return ts_bounds(v.value)[0]
    except TSError:
        return None


def walk(obj: Any) -> list[Any]:
    """``obj`` and every nested model object below it."""
    out = [obj]
    for f in SPEC[type(obj)]:
        if f.kind is None:
            continue
        got = getattr(obj, f.name)
        for item in got if f.many else (got,):
            if item is not None:
                out += walk(item)
    return out
