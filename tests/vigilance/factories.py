"""E2B(R3) test reports: FDA's Scenario 1 (read in place) with the fields a test varies replaced."""

import dataclasses
import functools

from medreg.core.actor import Actor
from medreg.core.models import User
from medreg.core.scoping import scope_for
from medreg.vigilance.e2b import export_batch, parse_batch
from medreg.vigilance.e2b.model import Batch, Report, Value
from medreg.vigilance.services import IntakeResult, import_batch
from tests.shared import CONFORMANCE

E2B_DIR = CONFORMANCE / "e2b"


@functools.cache
def fda_batch(name: str = "FAERS2022Scenario1.xml") -> Batch:
    return parse_batch((E2B_DIR / name).read_bytes()).batch


def make_report(
    case_id: str = "CN-TEST-0001",
    *,
    most_recent: str = "20260301",
    first_received: str = "20260301",
    patient_name: str = "张伟明",
    reporter_family: str = "Robertson",
    drug_name: str = "Drug A",
    authorisation: str | None = None,
    nullification: str | None = None,
) -> Report:
    """Scenario 1 as a new case: its ids, dates, patient and first drug replaced."""
    base = fda_batch().reports[0]
    ids = {"extension": case_id, "root": base.worldwide_case_id.root if base.worldwide_case_id else None}
    drug = base.drugs[0]
    drug = dataclasses.replace(
        drug,
        name=Value(text=drug_name),
        authorisation=dataclasses.replace(drug.authorisation, extension=authorisation)
        if authorisation
        else drug.authorisation,
    )
    source = dataclasses.replace(base.primary_sources[0], family=Value(text=reporter_family))
    changes: dict[str, object] = {}
    if nullification:
        changes = {
            "nullification": Value(code=nullification, code_system="2.16.840.1.113883.3.989.2.1.1.5"),
            "nullification_reason": Value(text="corrected by sender"),
        }
    return dataclasses.replace(
        base,
        worldwide_case_id=dataclasses.replace(base.worldwide_case_id, **ids),
        safety_report_id=dataclasses.replace(base.safety_report_id, extension=f"{case_id}-{most_recent}"),
        message_id=dataclasses.replace(base.message_id, extension=f"MSG-{case_id}-{most_recent}-{nullification or 0}"),
        first_received=Value(value=first_received),
        most_recent=Value(value=most_recent),
        patient=dataclasses.replace(base.patient, name=Value(text=patient_name)),
        primary_sources=(source, *base.primary_sources[1:]),
        drugs=(drug, *base.drugs[1:]),
        **changes,
    )


def e2b_xml(*reports: Report) -> bytes:
    return export_batch(dataclasses.replace(fda_batch(), reports=reports))


def send(user: User | None, *reports: Report, xml: bytes | None = None) -> IntakeResult:
    scope = scope_for(user)
    actor = Actor(user=user, channel="api") if user else Actor.system()
    if user is None:
        from medreg.core.scoping import SYSTEM_SCOPE  # noqa: PLC0415

        scope = SYSTEM_SCOPE
    return import_batch(actor=actor, scope=scope, xml_bytes=xml if xml is not None else e2b_xml(*reports))
