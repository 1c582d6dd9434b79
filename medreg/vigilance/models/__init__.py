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
from medreg.vigilance.models.duplicates import CaseMerge, DuplicateCandidate, LinkageModelConfig  # noqa: F401
from medreg.vigilance.models.imports import ImportJob, ImportKind, ImportStatus  # noqa: F401
from medreg.vigilance.models.meddra import MeddraRelease  # noqa: F401
from medreg.vigilance.models.signal import Signal, SignalRun, SignalStatistic, SignalThreshold  # noqa: F401
from medreg.vigilance.models.variants import CaseCosmetic, CaseDevice, CaseVariant  # noqa: F401
