"""Binding of model fields to E2B(R3) HL7 v3 element paths (one table per model class)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import model as m
from .paths import Attrs

ICH = m.ICH_OID
C19 = f"{ICH}.1.19"  # ICH observation codes
C20 = f"{ICH}.1.20"  # ICH organizer codes


@dataclass(frozen=True)
class Field:
    """One model field: its path, E2B element id, nested class (None = Value), repetition."""

    name: str
    path: str
    eid: str = ""
    kind: type | None = None
    many: bool = False
    carrier: bool = False  # element exists mainly to hold children; an empty one reads as None


def obs(code: str, tag: str = "observation", cs: str = C19) -> str:
    """An observation-like step selected by its ``code``."""
    return f"{tag}[code@code={code},codeSystem={cs}]"


def org(code: str) -> str:
    """An ICH organizer step selected by its category code."""
    return obs(code, "organizer", C20)


def _f(name: str, path: str, eid: str = "", kind: type | None = None, many: bool = False) -> Field:
    return Field(name, path, eid, kind, many)


IE = "controlActProcess/subject/investigationEvent"
AEA = f"{IE}/component/adverseEventAssessment"
PR = f"{AEA}/subject1/primaryRole"
KOP = "consumable/instanceOfKind/kindOfProduct"
APPROVAL = f"{KOP}/asManufacturedProduct/subjectOf/approval"
SRC_AE = "relatedInvestigation/subjectOf2/controlActEvent/author/assignedEntity"
H_AUTHOR = f"[author/assignedEntity/code@codeSystem={ICH}.1.21,code="

BATCH = (
    _f("batch_number", "id", "N.1.2"),
    _f("creation_time", "creationTime", "N.1.5"),
    _f("response_mode", "responseModeCode"),
    _f("interaction_id", "interactionId"),
    _f("batch_type", "name", "N.1.1"),
    _f("reports", "|PORR_IN049016UV", "N.2.r", m.Report, True),
    _f("receiver", "receiver/device/id", "N.1.4"),
    _f("sender", "sender/device/id", "N.1.3"),
)

REPORT = (
    _f("message_id", "id", "N.2.r.1"),
    _f("message_date", "creationTime", "N.2.r.4"),
    _f("interaction_id", "interactionId"),
    _f("processing_code", "processingCode"),
    _f("processing_mode", "processingModeCode"),
    _f("accept_ack", "acceptAckCode"),
    _f("receiver", "receiver/device/id", "N.2.r.3"),
    _f("sender_id", "sender/device/id", "N.2.r.2"),
    _f("trigger_event", "controlActProcess/code"),
    _f("creation_date", "controlActProcess/effectiveTime", "C.1.2"),
    _f("safety_report_id", f"{IE}/id[@root={ICH}.3.1]", "C.1.1"),
    _f("worldwide_case_id", f"{IE}/id[@root={ICH}.3.2]", "C.1.8.1"),
    _f("event_code", f"{IE}/code"),
    _f("narrative", f"{IE}/text", "H.1"),
    _f("status", f"{IE}/statusCode"),
    _f("first_received", f"{IE}/effectiveTime/low", "C.1.4"),
    _f("most_recent", f"{IE}/availabilityTime", "C.1.5"),
    _f("documents", f"{IE}|reference[document/code@code=1,codeSystem={ICH}.1.27]", "C.1.6.1.r", m.Document, True),
    _f("literature", f"{IE}|reference[document/code@code=2,codeSystem={ICH}.1.27]", "C.4.r", m.Literature, True),
    _f("patient", PR, "D", m.Patient),
    _f("reactions", f"{PR}|subjectOf2/{obs('29')}", "E.i", m.Reaction, True),
    _f("tests", f"{PR}/subjectOf2/{org('3')}|component/observation", "F.r", m.Test, True),
    _f("drugs", f"{PR}/subjectOf2/{org('4')}|component/substanceAdministration", "G.k", m.Drug, True),
    _f("study", f"{PR}/subjectOf1/researchStudy", "C.5", m.Study),
    _f("drug_roles", f"{AEA}|component/{obs('20', 'causalityAssessment')}", "G.k.1", m.DrugRole, True),
    _f("assessments", f"{AEA}|component/{obs('39', 'causalityAssessment')}", "G.k.9.i.2.r", m.Assessment, True),
    _f("reporter_comments", f"{AEA}/component1/{obs('10', 'observationEvent')}{H_AUTHOR}3]/value", "H.2"),
    _f("diagnoses", f"{AEA}|component1/{obs('15', 'observationEvent')}", "H.3.r", m.Comment, True),
    _f("sender_comments", f"{AEA}/component1/{obs('10', 'observationEvent')}{H_AUTHOR}1]/value", "H.4"),
    _f("additional_docs", f"{IE}/component/{obs('1', 'observationEvent')}/value", "C.1.6.1"),
    _f("expedited", f"{IE}/component/{obs('23', 'observationEvent')}/value", "C.1.7"),
    _f("case_summaries", f"{IE}|component/{obs('36', 'observationEvent')}", "H.5.r", m.Comment, True),
    _f("first_sender", f"{IE}/outboundRelationship[relatedInvestigation/code@code=1,codeSystem={ICH}.1.22]/"
       f"{SRC_AE}/code", "C.1.8.2"),
    _f("linked_reports", f"{IE}|outboundRelationship[relatedInvestigation/code@nullFlavor=NA]/"
       "relatedInvestigation/subjectOf2/controlActEvent/id", "C.1.10.r", None, True),
    _f("primary_sources", f"{IE}|outboundRelationship[relatedInvestigation/code@code=2,codeSystem={ICH}.1.22]",
       "C.2.r", m.PrimarySource, True),
    _f("sender", f"{IE}/subjectOf1[controlActEvent/author]/controlActEvent/author/assignedEntity", "C.3", m.Sender),
    _f("other_case_ids", f"{IE}|subjectOf1[controlActEvent/id]/controlActEvent/id", "C.1.9.1.r", None, True),
    _f("report_type", f"{IE}/subjectOf2/{obs('1', 'investigationCharacteristic', f'{ICH}.1.23')}/value", "C.1.3"),
    _f("other_case_ids_exist", f"{IE}/subjectOf2/{obs('2', 'investigationCharacteristic', f'{ICH}.1.23')}/value",
       "C.1.9.1"),
    _f("nullification", f"{IE}/subjectOf2/{obs('3', 'investigationCharacteristic', f'{ICH}.1.23')}/value",
       "C.1.11.1"),
    _f("nullification_reason", f"{IE}/subjectOf2/{obs('4', 'investigationCharacteristic', f'{ICH}.1.23')}/value",
       "C.1.11.2"),
)

DOCUMENT = (_f("title", "document/title", "C.1.6.1.r.1"),)
LITERATURE = (_f("reference", "document/bibliographicDesignationText", "C.4.r.1"),)
COMMENT = (_f("value", "value"),)

PRIMARY_SOURCE = (
    _f("regulatory", "priorityNumber", "C.2.r.5"),
    _f("title", f"{SRC_AE}/assignedPerson/name/prefix", "C.2.r.1.1"),
    _f("given", f"{SRC_AE}/assignedPerson/name|given", "C.2.r.1.2", None, True),
    _f("family", f"{SRC_AE}/assignedPerson/name/family", "C.2.r.1.4"),
    _f("organisation", f"{SRC_AE}/representedOrganization/assignedEntity/representedOrganization/name", "C.2.r.2.1"),
    _f("department", f"{SRC_AE}/representedOrganization/name", "C.2.r.2.2"),
    _f("street", f"{SRC_AE}/addr/streetAddressLine", "C.2.r.2.3"),
    _f("city", f"{SRC_AE}/addr/city", "C.2.r.2.4"),
    _f("state", f"{SRC_AE}/addr/state", "C.2.r.2.5"),
    _f("postcode", f"{SRC_AE}/addr/postalCode", "C.2.r.2.6"),
    _f("telecom", f"{SRC_AE}|telecom", "C.2.r.2.7", None, True),
    _f("country", f"{SRC_AE}/assignedPerson/asLocatedEntity/location/code", "C.2.r.3"),
    _f("qualification", f"{SRC_AE}/assignedPerson/asQualifiedEntity/code", "C.2.r.4"),
)

SENDER = (
    _f("sender_type", "code", "C.3.1"),
    _f("organisation", "representedOrganization/assignedEntity/representedOrganization/name", "C.3.2"),
    _f("department", "representedOrganization/name", "C.3.3.1"),
    _f("title", "assignedPerson/name/prefix", "C.3.3.2"),
    _f("given", "assignedPerson/name|given", "C.3.3.3", None, True),
    _f("family", "assignedPerson/name/family", "C.3.3.5"),
    _f("street", "addr/streetAddressLine", "C.3.4.1"),
    _f("city", "addr/city", "C.3.4.2"),
    _f("state", "addr/state", "C.3.4.3"),
    _f("postcode", "addr/postalCode", "C.3.4.4"),
    _f("country", "assignedPerson/asLocatedEntity/location/code", "C.3.4.5"),
    _f("telecom", "|telecom", "C.3.4.6", None, True),
)

STUDY_REGISTRATION = (
    _f("number", "id", "C.5.1.r.1"),
    _f("country", "author/territorialAuthority/governingPlace/code", "C.5.1.r.2"),
)
STUDY = (
    _f("sponsor_number", "id", "C.5.3"),
    _f("study_type", "code", "C.5.4"),
    _f("name", "title", "C.5.2"),
    _f("registrations", "|authorization/studyRegistration", "C.5.1.r", m.StudyRegistration, True),
)


def _history(prefix: str) -> tuple[Field, ...]:
    """Medical history fields shared by patient (D.7.1.r) and parent (D.10.7.1.r)."""
    return (
        _f("term", "code", f"{prefix}.r.1b"),
        Field("period", "effectiveTime", carrier=True),
        _f("start", "effectiveTime/low", f"{prefix}.r.2"),
        _f("end", "effectiveTime/high", f"{prefix}.r.4"),
        _f("continuing", f"inboundRelationship/{obs('13')}/value", f"{prefix}.r.3"),
        _f("comments", f"outboundRelationship2/{obs('10')}/value", f"{prefix}.r.5"),
        _f("family_history", f"outboundRelationship2/{obs('38')}/value", "D.7.1.r.6"),
    )


MEDICAL_HISTORY = _history("D.7.1")
PAST_DRUG = (
    Field("period", "effectiveTime", carrier=True),
    _f("start", "effectiveTime/low", "D.8.r.4"),
    _f("end", "effectiveTime/high", "D.8.r.5"),
    _f("product", f"{KOP}/code", "D.8.r.2"),
    _f("name", f"{KOP}/name", "D.8.r.1"),
    _f("indication", f"outboundRelationship2/{obs('19')}/value", "D.8.r.6"),
    _f("reaction", f"outboundRelationship2/{obs('29')}/value", "D.8.r.7"),
)
HISTORY_ORG = f"subjectOf2/{org('1')}"


def _person_history(d: str) -> tuple[Field, ...]:
    """History, history text and past drugs of patient (D) or parent (D.10)."""
    return (
        _f("medical_history", f"{HISTORY_ORG}|component/observation[code@codeSystem={m.MEDDRA_OID}]",
           f"{d}7.1.r", m.MedicalHistory, True),
        _f("history_text", f"{HISTORY_ORG}/component/{obs('18')}/value", f"{d}7.2"),
        _f("past_drugs", f"subjectOf2/{org('2')}|component/substanceAdministration", f"{d}8.r", m.PastDrug, True),
    )


PARENT = (
    _f("relationship", "code"),
    _f("name", "associatedPerson/name", "D.10.1"),
    _f("sex", "associatedPerson/administrativeGenderCode", "D.10.6"),
    _f("birth_date", "associatedPerson/birthTime", "D.10.2.1"),
    _f("age", f"subjectOf2/{obs('3')}/value", "D.10.2.2"),
    _f("lmp", f"subjectOf2/{obs('22')}/value", "D.10.3"),
    _f("weight", f"subjectOf2/{obs('7')}/value", "D.10.4"),
    _f("height", f"subjectOf2/{obs('17')}/value", "D.10.5"),
    *_person_history("D.10."),
)

PATIENT = (
    _f("name", "player1/name", "D.1"),
    _f("sex", "player1/administrativeGenderCode", "D.5"),
    _f("birth_date", "player1/birthTime", "D.2.1"),
    _f("death_date", "player1/deceasedTime", "D.9.1"),
    _f("parent", "player1/role[code@code=PRN,codeSystem=2.16.840.1.113883.5.111]", "D.10", m.Parent),
    _f("age", f"subjectOf2/{obs('3')}/value", "D.2.2"),
    _f("gestation", f"subjectOf2/{obs('16')}/value", "D.2.2.1"),
    _f("age_group", f"subjectOf2/{obs('4')}/value", "D.2.3"),
    _f("weight", f"subjectOf2/{obs('7')}/value", "D.3"),
    _f("height", f"subjectOf2/{obs('17')}/value", "D.4"),
    _f("lmp", f"subjectOf2/{obs('22')}/value", "D.6"),
    *_person_history("D."),
    _f("concomitant_therapies", f"{HISTORY_ORG}/component/{obs('11')}/value", "D.7.3"),
    _f("death_causes", f"|subjectOf2/{obs('32')}/value", "D.9.2.r", None, True),
    _f("autopsy", f"subjectOf2/{obs('5')}/value", "D.9.3"),
    _f("autopsy_causes", f"subjectOf2/{obs('5')}|outboundRelationship2/{obs('8')}/value", "D.9.4.r", None, True),
)

SERIOUS = "outboundRelationship2/{}/value"
REACTION = (
    _f("id", "id", "E.i"),
    Field("period", "effectiveTime", carrier=True),
    _f("start", "effectiveTime/low", "E.i.4"),
    _f("end", "effectiveTime/high", "E.i.5"),
    _f("duration", "effectiveTime/width", "E.i.6"),
    _f("term", "value", "E.i.2.1"),
    _f("country", "location/locatedEntity/locatedPlace/code", "E.i.9"),
    _f("translation", SERIOUS.format(obs("30")), "E.i.1.2"),
    _f("highlighted", SERIOUS.format(obs("37")), "E.i.3.1"),
    _f("death", SERIOUS.format(obs("34")), "E.i.3.2a"),
    _f("life_threatening", SERIOUS.format(obs("21")), "E.i.3.2b"),
    _f("hospitalisation", SERIOUS.format(obs("33")), "E.i.3.2c"),
    _f("disabling", SERIOUS.format(obs("35")), "E.i.3.2d"),
    _f("congenital_anomaly", SERIOUS.format(obs("12")), "E.i.3.2e"),
    _f("medically_important", SERIOUS.format(obs("26")), "E.i.3.2f"),
    _f("outcome", SERIOUS.format(obs("27")), "E.i.7"),
    _f("medical_confirmation", SERIOUS.format(obs("24")), "E.i.8"),
)

TEST = (
    _f("name", "code", "F.r.2"),
    _f("date", "effectiveTime", "F.r.1"),
    _f("result", "value", "F.r.3.2"),
    _f("result_code", "interpretationCode", "F.r.3.1"),
    _f("normal_low", "referenceRange/observationRange[interpretationCode@code=L]/value", "F.r.4"),
    _f("normal_low_flag", "referenceRange/observationRange[interpretationCode@code=L]/interpretationCode"),
    _f("normal_high", "referenceRange/observationRange[interpretationCode@code=H]/value", "F.r.5"),
    _f("normal_high_flag", "referenceRange/observationRange[interpretationCode@code=H]/interpretationCode"),
    _f("comments", SERIOUS.format(obs("10")), "F.r.6"),
    _f("more_info", SERIOUS.format(obs("25")), "F.r.7"),
)

SUBSTANCE = (
    _f("code", "ingredientSubstance/code", "G.k.2.3.r.2"),
    _f("name", "ingredientSubstance/name", "G.k.2.3.r.1"),
)
DOSAGE = (
    _f("text", "text", "G.k.4.r.8"),
    _f("route", "routeCode", "G.k.4.r.10"),
    _f("dose", "doseQuantity", "G.k.4.r.1"),
    _f("batch", "consumable/instanceOfKind/productInstanceInstance/lotNumberText", "G.k.4.r.7"),
    _f("form", "consumable/instanceOfKind/kindOfProduct/formCode", "G.k.4.r.9"),
    _f("parent_route", f"inboundRelationship/{obs('28')}/value", "G.k.4.r.11"),
)
INTERVAL = (_f("interval", "pauseQuantity", "G.k.9.i.3"), _f("reaction_ref", "actReference/id"))
RECURRENCE = (_f("value", "value", "G.k.9.i.4"), _f("reaction_ref", "outboundRelationship1/actReference/id"))
INDICATION = (_f("term", "value", "G.k.7.r"),)
DRUG = (
    _f("id", "id", "G.k"),
    _f("product", f"{KOP}/code", "G.k.2.1"),
    _f("name", f"{KOP}/name", "G.k.2.2"),
    _f("authorisation", f"{APPROVAL}/id", "G.k.3.1"),
    _f("holder", f"{APPROVAL}/holder/role/playingOrganization/name", "G.k.3.3"),
    _f("authorisation_country", f"{APPROVAL}/author/territorialAuthority/territory/code", "G.k.3.2"),
    _f("substances", f"{KOP}|ingredient", "G.k.2.3.r", m.Substance, True),
    _f("obtained_country", "consumable/instanceOfKind/subjectOf/productEvent/performer/assignedEntity/"
       "representedOrganization/addr/country", "G.k.2.4"),
    _f("start_intervals", "|outboundRelationship1[@typeCode=SAS]", "G.k.9.i.3.1", m.Interval, True),
    _f("last_dose_intervals", "|outboundRelationship1[@typeCode=SAE]", "G.k.9.i.3.2", m.Interval, True),
    _f("dosages", "|outboundRelationship2/substanceAdministration", "G.k.4.r", m.Dosage, True),
    _f("blinded", SERIOUS.format(obs("6")), "G.k.2.5"),
    _f("cumulative_dose", SERIOUS.format(obs("14")), "G.k.5"),
    _f("gestation", SERIOUS.format(obs("16")), "G.k.6"),
    _f("recurrences", f"|outboundRelationship2/{obs('31')}", "G.k.9.i.4", m.Recurrence, True),
    _f("additional_info", "|" + SERIOUS.format(obs("2")), "G.k.10.r", None, True),
    _f("indications", f"|inboundRelationship/{obs('19')}", "G.k.7.r", m.Indication, True),
    _f("action_taken", f"inboundRelationship/act[code@codeSystem={ICH}.1.15]/code", "G.k.8"),
)
DRUG_ROLE = (_f("role", "value", "G.k.1"), _f("drug_ref", "subject2/productUseReference/id"))
ASSESSMENT = (
    _f("result", "value", "G.k.9.i.2.r.3"),
    _f("method", "methodCode", "G.k.9.i.2.r.2"),
    _f("source", "author/assignedEntity/code", "G.k.9.i.2.r.1"),
    _f("reaction_ref", "subject1/adverseEffectReference/id"),
    _f("drug_ref", "subject2/productUseReference/id"),
)

SPEC: dict[type, tuple[Field, ...]] = {
    m.Batch: BATCH, m.Report: REPORT, m.Document: DOCUMENT, m.Literature: LITERATURE,
    m.Comment: COMMENT, m.PrimarySource: PRIMARY_SOURCE, m.Sender: SENDER, m.Study: STUDY,
    m.StudyRegistration: STUDY_REGISTRATION, m.MedicalHistory: MEDICAL_HISTORY, m.PastDrug: PAST_DRUG,
    m.Parent: PARENT, m.Patient: PATIENT, m.Reaction: REACTION, m.Test: TEST, m.Substance: SUBSTANCE,
    m.Dosage: DOSAGE, m.Interval: INTERVAL, m.Recurrence: RECURRENCE, m.Indication: INDICATION,
    m.Drug: DRUG, m.DrugRole: DRUG_ROLE, m.Assessment: ASSESSMENT,
}

ROOT_TAG = {m.Batch: "MCCI_IN200100UV01"}

DEFAULTS: dict[str, Attrs] = {
    "PORR_IN049016UV": (),
    "observation": (("classCode", "OBS"), ("moodCode", "EVN")),
    "observationEvent": (("classCode", "OBS"), ("moodCode", "EVN")),
    "causalityAssessment": (("classCode", "OBS"), ("moodCode", "EVN")),
    "investigationCharacteristic": (("classCode", "OBS"), ("moodCode", "EVN")),
    "organizer": (("classCode", "CATEGORY"), ("moodCode", "EVN")),
    "substanceAdministration": (("classCode", "SBADM"), ("moodCode", "EVN")),
    "investigationEvent": (("classCode", "INVSTG"), ("moodCode", "EVN")),
    "adverseEventAssessment": (("classCode", "INVSTG"), ("moodCode", "EVN")),
    "relatedInvestigation": (("classCode", "INVSTG"), ("moodCode", "EVN")),
    "controlActProcess": (("classCode", "CACT"), ("moodCode", "EVN")),
    "controlActEvent": (("classCode", "CACT"), ("moodCode", "EVN")),
    "document": (("classCode", "DOC"), ("moodCode", "EVN")),
    "researchStudy": (("classCode", "CLNTRL"), ("moodCode", "EVN")),
    "primaryRole": (("classCode", "INVSBJ"),),
    "player1": (("classCode", "PSN"), ("determinerCode", "INSTANCE")),
    "assignedPerson": (("classCode", "PSN"), ("determinerCode", "INSTANCE")),
    "associatedPerson": (("classCode", "PSN"), ("determinerCode", "INSTANCE")),
    "device": (("classCode", "DEV"), ("determinerCode", "INSTANCE")),
    "kindOfProduct": (("classCode", "MMAT"), ("determinerCode", "KIND")),
    "representedOrganization": (("classCode", "ORG"), ("determinerCode", "INSTANCE")),
    "assignedEntity": (("classCode", "ASSIGNED"),),
    "receiver": (("typeCode", "RCV"),),
    "sender": (("typeCode", "SND"),),
    "subject": (("typeCode", "SUBJ"),),
    "subject1": (("typeCode", "SBJ"),),
    "subjectOf2": (("typeCode", "SBJ"),),
    "component": (("typeCode", "COMP"),),
    "component1": (("typeCode", "COMP"),),
    "outboundRelationship": (("typeCode", "SPRT"),),
    "outboundRelationship2": (("typeCode", "PERT"),),
    "inboundRelationship": (("typeCode", "RSON"),),
    "reference": (("typeCode", "REFR"),),
    "author": (("typeCode", "AUT"),),
    "consumable": (("typeCode", "CSM"),),
    "instanceOfKind": (("classCode", "INST"),),
}


def check_spec() -> list[str]:
    """Model fields missing from the spec (should be empty; used by tests)."""
    problems = []
    for cls, fields in SPEC.items():
        names = {f.name for f in fields} | {"ext"}
        declared = {f.name for f in dataclasses.fields(cls)}
        problems += [f"{cls.__name__}.{n}" for n in declared ^ names]
    return problems


def field_map(cls: type) -> dict[str, Field]:
    """Spec fields of a class by name."""
    return {f.name: f for f in SPEC[cls]}


