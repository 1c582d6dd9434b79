"""How two confirmed duplicates combine into one master case, as a plain description the app stores.

Nothing is deleted: the duplicate stays as a linked report of the master, both narratives are kept,
drugs and reactions are the union with the reports that named them, and where the two reports
disagree the master's value is kept and the conflict is listed for the reviewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from medreg.vigilance.duplicates.model import CaseSummary

SCALAR_FIELDS = (
    "sex",
    "age_years",
    "birth_date_pseudonym",
    "initials_pseudonym",
    "reporter_pseudonym",
    "jurisdiction",
    "onset_date",
)


@dataclass(frozen=True, slots=True)
class FieldDecision:
    """The value the master case takes for one field, where it comes from, and any conflict."""

    field_name: str
    value: object
    source_case_id: str | None
    conflicting_value: object = None
    is_conflict: bool = False


@dataclass(frozen=True, slots=True)
class MergePlan:
    """The merge of ``duplicate_case_id`` into ``master_case_id``: a description, applied by the app."""

    master_case_id: str
    duplicate_case_id: str
    linked_report_ids: tuple[str, ...]
    fields: tuple[FieldDecision, ...]
    suspect_drugs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # drug -> reports naming it
    reactions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # reaction -> reports naming it
    narratives: tuple[tuple[str, str], ...] = ()  # (case id, narrative), master first
    first_receive_date: dt.date | None = None  # the earliest receipt starts the regulatory clock

    @property
    def conflicts(self) -> tuple[FieldDecision, ...]:
        """The fields where the two reports disagree."""
        return tuple(decision for decision in self.fields if decision.is_conflict)


def _decide(name: str, master: CaseSummary, duplicate: CaseSummary) -> FieldDecision:
    """The master's value when it has one (flagging a different duplicate value), else the duplicate's."""
    ours, theirs = getattr(master, name), getattr(duplicate, name)
    if ours is None:
        return FieldDecision(name, theirs, duplicate.case_id if theirs is not None else None)
    is_conflict = theirs is not None and theirs != ours
    return FieldDecision(name, ours, master.case_id, theirs if is_conflict else None, is_conflict)


def _provenance(master: CaseSummary, duplicate: CaseSummary, attribute: str) -> dict[str, tuple[str, ...]]:
    """Each drug or reaction of either report, with the ids of the reports that name it."""
    terms = sorted(getattr(master, attribute) | getattr(duplicate, attribute))
    return {
        term: tuple(case.case_id for case in (master, duplicate) if term in getattr(case, attribute)) for term in terms
    }


def merge_plan(master: CaseSummary, duplicate: CaseSummary) -> MergePlan:
    """Describe how ``duplicate`` is merged into ``master`` without losing either report."""
    if master.case_id == duplicate.case_id:
        raise ValueError(f"cannot merge case {master.case_id} into itself: choose two different cases")
    receive_dates = [d for d in (master.receive_date, duplicate.receive_date) if d is not None]
    return MergePlan(
        master_case_id=master.case_id,
        duplicate_case_id=duplicate.case_id,
        linked_report_ids=(master.case_id, duplicate.case_id),
        fields=tuple(_decide(name, master, duplicate) for name in SCALAR_FIELDS),
        suspect_drugs=_provenance(master, duplicate, "suspect_drugs"),
        reactions=_provenance(master, duplicate, "reactions"),
        narratives=tuple((case.case_id, case.narrative) for case in (master, duplicate) if case.narrative),
        first_receive_date=min(receive_dates) if receive_dates else None,
    )
