"""E2B(R3) ICSR case model: frozen dataclasses, one per E2B section, values keep code systems.

Every data element is a :class:`Value` that keeps the HL7 attributes as sent (code, codeSystem
OID, codeSystemVersion, displayName, root/extension, value/unit, nullFlavor, xsi:type) so that
nothing is normalised away.  Elements the model does not cover (regional extensions such as
FDA.*) are kept verbatim as :class:`Extension` fragments on the nearest modelled object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import ICH_OID, MEDDRA_OID, Ext, Extension, V, Value

__all__ = [
    "ICH_OID",
    "MEDDRA_OID",
    "Assessment",
    "Batch",
    "Comment",
    "Document",
    "Dosage",
    "Drug",
    "DrugRole",
    "Ext",
    "Extension",
    "Indication",
    "Interval",
    "Literature",
    "MedicalHistory",
    "Parent",
    "PastDrug",
    "Patient",
    "PrimarySource",
    "Reaction",
    "Recurrence",
    "Report",
    "Sender",
    "Study",
    "StudyRegistration",
    "Substance",
    "Test",
    "V",
    "Value",
]


@dataclass(frozen=True)
class Document:
    """C.1.6.1.r documents held by sender."""

    title: V = None
    ext: Ext = ()


@dataclass(frozen=True)
class Literature:
    """C.4.r literature reference."""

    reference: V = None
    ext: Ext = ()


@dataclass(frozen=True)
class PrimarySource:
    """C.2.r primary source (reporter)."""

    regulatory: V = None  # C.2.r.5 priorityNumber
    title: V = None  # C.2.r.1.1
    given: tuple[Value, ...] = ()  # C.2.r.1.2, C.2.r.1.3
    family: V = None  # C.2.r.1.4
    organisation: V = None  # C.2.r.2.1
    department: V = None  # C.2.r.2.2
    street: V = None  # C.2.r.2.3
    city: V = None  # C.2.r.2.4
    state: V = None  # C.2.r.2.5
    postcode: V = None  # C.2.r.2.6
    telecom: tuple[Value, ...] = ()  # C.2.r.2.7
    country: V = None  # C.2.r.3
    qualification: V = None  # C.2.r.4
    ext: Ext = ()


@dataclass(frozen=True)
class Sender:
    """C.3 information on sender of case safety report."""

    sender_type: V = None  # C.3.1
    organisation: V = None  # C.3.2
    department: V = None  # C.3.3.1
    title: V = None  # C.3.3.2
    given: tuple[Value, ...] = ()  # C.3.3.3, C.3.3.4
    family: V = None  # C.3.3.5
    street: V = None  # C.3.4.1
    city: V = None  # C.3.4.2
    state: V = None  # C.3.4.3
    postcode: V = None  # C.3.4.4
    country: V = None  # C.3.4.5
    telecom: tuple[Value, ...] = ()  # C.3.4.6-8
    ext: Ext = ()


@dataclass(frozen=True)
class StudyRegistration:
    """C.5.1.r study registration."""

    number: V = None  # C.5.1.r.1
    country: V = None  # C.5.1.r.2
    ext: Ext = ()


@dataclass(frozen=True)
class Study:
    """C.5 study identification."""

    registrations: tuple[StudyRegistration, ...] = ()
    name: V = None  # C.5.2
    sponsor_number: V = None  # C.5.3
    study_type: V = None  # C.5.4
    ext: Ext = ()


@dataclass(frozen=True)
class MedicalHistory:
    """D.7.1.r / D.10.7.1.r structured medical history entry."""

    term: V = None  # .r.1a/b MedDRA version + code
    period: V = None  # effectiveTime carrier (xsi:type, nullFlavor)
    start: V = None  # .r.2
    continuing: V = None  # .r.3
    end: V = None  # .r.4
    comments: V = None  # .r.5
    family_history: V = None  # D.7.1.r.6
    ext: Ext = ()


@dataclass(frozen=True)
class PastDrug:
    """D.8.r / D.10.8.r relevant past drug history."""

    product: V = None  # .r.2 MPID / .r.3 PhPID
    name: V = None  # .r.1
    period: V = None  # effectiveTime carrier (xsi:type, nullFlavor)
    start: V = None  # .r.4
    end: V = None  # .r.5
    indication: V = None  # .r.6
    reaction: V = None  # .r.7
    ext: Ext = ()


@dataclass(frozen=True)
class Parent:
    """D.10 parent information (parent-child / foetus report)."""

    relationship: V = None  # role code PRN (parent)
    name: V = None  # D.10.1
    birth_date: V = None  # D.10.2.1
    sex: V = None  # D.10.6
    age: V = None  # D.10.2.2
    lmp: V = None  # D.10.3
    weight: V = None  # D.10.4
    height: V = None  # D.10.5
    medical_history: tuple[MedicalHistory, ...] = ()  # D.10.7.1.r
    history_text: V = None  # D.10.7.2
    past_drugs: tuple[PastDrug, ...] = ()  # D.10.8.r
    ext: Ext = ()


@dataclass(frozen=True)
class Patient:
    """D patient characteristics."""

    name: V = None  # D.1
    sex: V = None  # D.5
    birth_date: V = None  # D.2.1
    death_date: V = None  # D.9.1
    parent: Parent | None = None  # D.10
    age: V = None  # D.2.2
    gestation: V = None  # D.2.2.1
    age_group: V = None  # D.2.3
    weight: V = None  # D.3
    height: V = None  # D.4
    lmp: V = None  # D.6
    medical_history: tuple[MedicalHistory, ...] = ()  # D.7.1.r
    history_text: V = None  # D.7.2
    concomitant_therapies: V = None  # D.7.3
    past_drugs: tuple[PastDrug, ...] = ()  # D.8.r
    death_causes: tuple[Value, ...] = ()  # D.9.2.r
    autopsy: V = None  # D.9.3
    autopsy_causes: tuple[Value, ...] = ()  # D.9.4.r
    ext: Ext = ()


@dataclass(frozen=True)
class Reaction:
    """E.i reaction / event."""

    id: V = None  # reaction id (referenced by G.k.9.i)
    period: V = None  # effectiveTime carrier (xsi:type, nullFlavor)
    start: V = None  # E.i.4
    end: V = None  # E.i.5
    duration: V = None  # E.i.6
    term: V = None  # E.i.2.1a/b MedDRA + E.i.1.1 as reported (original_text)
    country: V = None  # E.i.9
    translation: V = None  # E.i.1.2
    highlighted: V = None  # E.i.3.1
    death: V = None  # E.i.3.2a
    life_threatening: V = None  # E.i.3.2b
    hospitalisation: V = None  # E.i.3.2c
    disabling: V = None  # E.i.3.2d
    congenital_anomaly: V = None  # E.i.3.2e
    medically_important: V = None  # E.i.3.2f
    outcome: V = None  # E.i.7
    medical_confirmation: V = None  # E.i.8
    ext: Ext = ()


@dataclass(frozen=True)
class Test:
    """F.r results of tests and procedures."""

    __test__ = False  # not a pytest class

    name: V = None  # F.r.2.1 (original_text) / F.r.2.2 MedDRA
    date: V = None  # F.r.1
    result: V = None  # F.r.3.2/3.3/3.4
    result_code: V = None  # F.r.3.1
    normal_low: V = None  # F.r.4
    normal_low_flag: V = None  # interpretationCode L of the F.r.4 range
    normal_high: V = None  # F.r.5
    normal_high_flag: V = None  # interpretationCode H of the F.r.5 range
    comments: V = None  # F.r.6
    more_info: V = None  # F.r.7
    ext: Ext = ()


@dataclass(frozen=True)
class Substance:
    """G.k.2.3.r substance / specified substance."""

    code: V = None  # G.k.2.3.r.2
    name: V = None  # G.k.2.3.r.1
    ext: Ext = ()


@dataclass(frozen=True)
class Dosage:
    """G.k.4.r dosage and relevant information (schedule kept verbatim as extension)."""

    text: V = None  # G.k.4.r.8
    route: V = None  # G.k.4.r.10
    dose: V = None  # G.k.4.r.1
    batch: V = None  # G.k.4.r.7
    form: V = None  # G.k.4.r.9
    parent_route: V = None  # G.k.4.r.11
    ext: Ext = ()


@dataclass(frozen=True)
class Interval:
    """G.k.9.i.3 time interval between drug and reaction start."""

    interval: V = None
    reaction_ref: V = None
    ext: Ext = ()


@dataclass(frozen=True)
class Recurrence:
    """G.k.9.i.4 did reaction recur on re-administration."""

    value: V = None
    reaction_ref: V = None
    ext: Ext = ()


@dataclass(frozen=True)
class Indication:
    """G.k.7.r indication for use in case."""

    term: V = None  # G.k.7.r.1 (original_text), G.k.7.r.2 MedDRA
    ext: Ext = ()


@dataclass(frozen=True)
class Drug:
    """G.k drug information."""

    id: V = None
    product: V = None  # G.k.2.1 MPID/PhPID
    name: V = None  # G.k.2.2
    authorisation: V = None  # G.k.3.1
    holder: V = None  # G.k.3.3
    authorisation_country: V = None  # G.k.3.2
    substances: tuple[Substance, ...] = ()  # G.k.2.3.r
    obtained_country: V = None  # G.k.2.4
    start_intervals: tuple[Interval, ...] = ()  # G.k.9.i.3.1
    last_dose_intervals: tuple[Interval, ...] = ()  # G.k.9.i.3.2
    dosages: tuple[Dosage, ...] = ()  # G.k.4.r
    blinded: V = None  # G.k.2.5
    cumulative_dose: V = None  # G.k.5
    gestation: V = None  # G.k.6
    recurrences: tuple[Recurrence, ...] = ()  # G.k.9.i.4
    additional_info: tuple[Value, ...] = ()  # G.k.10.r
    indications: tuple[Indication, ...] = ()  # G.k.7.r
    action_taken: V = None  # G.k.8
    ext: Ext = ()


@dataclass(frozen=True)
class DrugRole:
    """G.k.1 characterisation of drug role, pointing at a drug id."""

    role: V = None
    drug_ref: V = None
    ext: Ext = ()


@dataclass(frozen=True)
class Assessment:
    """G.k.9.i.2.r relatedness of drug to reaction."""

    result: V = None  # G.k.9.i.2.r.3
    method: V = None  # G.k.9.i.2.r.2
    source: V = None  # G.k.9.i.2.r.1
    reaction_ref: V = None
    drug_ref: V = None
    ext: Ext = ()


@dataclass(frozen=True)
class Comment:
    """H.2 reporter's / H.4 sender's comments, H.3.r sender's diagnosis, H.5.r case summary."""

    value: V = None
    ext: Ext = ()


@dataclass(frozen=True)
class Report:
    """One ICSR message (PORR_IN049016UV): N.2.r header plus sections C to H."""

    message_id: V = None  # N.2.r.1
    message_date: V = None  # N.2.r.4
    interaction_id: V = None
    processing_code: V = None
    processing_mode: V = None
    accept_ack: V = None
    receiver: V = None  # N.2.r.3
    sender_id: V = None  # N.2.r.2
    trigger_event: V = None
    creation_date: V = None  # C.1.2
    safety_report_id: V = None  # C.1.1
    worldwide_case_id: V = None  # C.1.8.1
    event_code: V = None
    narrative: V = None  # H.1
    status: V = None
    first_received: V = None  # C.1.4
    most_recent: V = None  # C.1.5
    documents: tuple[Document, ...] = ()  # C.1.6.1.r
    literature: tuple[Literature, ...] = ()  # C.4.r
    patient: Patient | None = None  # D
    reactions: tuple[Reaction, ...] = ()  # E.i
    tests: tuple[Test, ...] = ()  # F.r
    drugs: tuple[Drug, ...] = ()  # G.k
    study: Study | None = None  # C.5
    drug_roles: tuple[DrugRole, ...] = ()  # G.k.1
    assessments: tuple[Assessment, ...] = ()  # G.k.9.i.2.r
    reporter_comments: V = None  # H.2
    diagnoses: tuple[Comment, ...] = ()  # H.3.r
    sender_comments: V = None  # H.4
    additional_docs: V = None  # C.1.6.1
    expedited: V = None  # C.1.7
    case_summaries: tuple[Comment, ...] = ()  # H.5.r
    first_sender: V = None  # C.1.8.2
    linked_reports: tuple[Value, ...] = ()  # C.1.10.r
    primary_sources: tuple[PrimarySource, ...] = ()  # C.2.r
    sender: Sender | None = None  # C.3
    other_case_ids: tuple[Value, ...] = ()  # C.1.9.1.r
    report_type: V = None  # C.1.3
    other_case_ids_exist: V = None  # C.1.9.1
    nullification: V = None  # C.1.11.1
    nullification_reason: V = None  # C.1.11.2
    ext: Ext = ()

    def role_of(self, drug: Drug) -> str | None:
        """G.k.1 role code (1 suspect, 2 concomitant, 3 interacting, 4 not administered)."""
        for r in self.drug_roles:
            if drug.id is not None and r.drug_ref is not None and r.drug_ref.root == drug.id.root:
                return r.role.code if r.role else None
        return None


@dataclass(frozen=True)
class Batch:
    """ICSR transmission batch (MCCI_IN200100UV01, N.1)."""

    batch_number: V = None  # N.1.2
    creation_time: V = None  # N.1.5
    response_mode: V = None
    interaction_id: V = None
    batch_type: V = None  # N.1.1
    reports: tuple[Report, ...] = ()
    receiver: V = None  # N.1.4
    sender: V = None  # N.1.3
    ext: Ext = field(default=())
