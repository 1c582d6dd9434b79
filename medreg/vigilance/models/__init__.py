from medreg.vigilance.models.case import (
    Case,
    CaseDrug,
    CaseIdentity,
    CaseReaction,
    CaseVersion,
    DrugRole,
    IntakeTransmission,
    MatchStatus,
    ProductFamily,
    VersionKind,
)

__all__ = [
    "Case",
    "CaseDrug",
    "CaseIdentity",
    "CaseReaction",
    "CaseVersion",
    "DrugRole",
    "IntakeTransmission",
    "MatchStatus",
    "ProductFamily",
    "VersionKind",
]
