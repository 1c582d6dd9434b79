"""Vigilance writes: E2B(R3) intake, export, registry matching, identifier access. Other modules
call these functions, never the models."""

from medreg.vigilance.services.export import export_case
from medreg.vigilance.services.identifiers import may_view_identifiers, reveal_identifiers
from medreg.vigilance.services.intake import IntakeResult, import_batch
from medreg.vigilance.services.matching import review_drug_match

__all__ = [
    "IntakeResult",
    "export_case",
    "import_batch",
    "may_view_identifiers",
    "reveal_identifiers",
    "review_drug_match",
]
