"""Duplicate reports: summaries of stored cases, the dated linkage model, candidates, review, merge.

The record linkage itself is `medreg.vigilance.duplicates` (pure); this module feeds it the stored
cases (pseudonyms, dates, suspect drugs, reactions, narrative: four set-based queries, no loop over
ORM rows per case), keeps its weights as dated configuration, stores the scored pairs, and applies a
reviewer's decision. A merge keeps both cases and all their versions; the duplicate is marked as
merged into the master (`CaseMerge`, with the merge plan), its index rows move to the master where
the master lacks them and are dropped where it has them, so analytics count the event once.
"""

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.errors import DomainError, NotFound, PermissionDenied
from medreg.core.models import Role
from medreg.core.scoping import Scope
from medreg.vigilance import selectors
from medreg.vigilance.duplicates import CaseSummary, LinkageModel, find_duplicates, fit_model, generate_set, merge_plan
from medreg.vigilance.e2b.model import Report
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, CaseVersion, DrugRole
from medreg.vigilance.models.duplicates import (
    CaseMerge,
    DuplicateCandidate,
    DuplicateStatus,
    LinkageModelConfig,
    LinkageSource,
)
from medreg.vigilance.services.codec import load
from medreg.vigilance.services.index import rebuild_index, reviewed_matches

REVIEWER_ROLES = frozenset({Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, "system"})
# The synthetic training set fitted at first use (see docs/modules/vigilance-duplicates.md).
FIT_REPORTS, FIT_DUPLICATE_PAIRS, FIT_SEED = 4_000, 300, 1
SEX = {"1": "M", "2": "F"}
AGE_UNITS = {"a": 1.0, "mo": 1 / 12, "wk": 1 / 52, "d": 1 / 365}


def may_review(scope: Scope) -> bool:
    """National and provincial regulators review duplicates (they may see identifiers)."""
    return scope.role in REVIEWER_ROLES


def _require_reviewer(scope: Scope) -> None:
    if not may_review(scope):
        raise PermissionDenied("Only national and provincial regulators review duplicate reports.")


def linkage_model(today: dt.date | None = None) -> tuple[LinkageModelConfig, LinkageModel]:
    """The linkage model in force today; at first use fitted on the synthetic labeled set and stored."""
    day = today or timezone.localdate()
    config = LinkageModelConfig.objects.filter(valid_from__lte=day).first()
    if config is None:
        fitted = fit_model(generate_set(FIT_REPORTS, FIT_DUPLICATE_PAIRS, seed=FIT_SEED))
        config = LinkageModelConfig.objects.create(
            valid_from=day,
            source=LinkageSource.SYNTHETIC,
            weights={name: list(levels) for name, levels in fitted.weights.items()},
            threshold=fitted.threshold,
            training_size=FIT_REPORTS,
            reference=f"generate_set({FIT_REPORTS}, {FIT_DUPLICATE_PAIRS}, seed={FIT_SEED})",
        )
    weights = {name: tuple(levels) for name, levels in config.weights.items()}
    return config, LinkageModel(weights, config.threshold)


def open_cases(scope: Scope) -> QuerySet[Case]:
    """Cases that take part in linkage: visible, not nullified, not merged into another."""
    return selectors.cases(scope).filter(nullified=False, merged_into__isnull=True)


def case_summaries(cases: QuerySet[Case]) -> list[CaseSummary]:
    """What linkage compares of each case, from its current version and index rows."""
    ids = cases.values("pk")
    versions = CaseVersion.objects.filter(case__in=ids, number=F("case__current_version")).values(
        "case_id",
        "report",
        "patient_pseudonym",
        "patient_birth_date_pseudonym",
        "reporter_pseudonym",
        "case__jurisdiction_path",
        "case__first_received",
    )
    drugs: dict[int, set[str]] = defaultdict(set)
    suspect = CaseDrug.objects.filter(case__in=ids).filter(Q(role=DrugRole.SUSPECT) | Q(role=DrugRole.INTERACTING))
    for case_id, name, ingredient in suspect.values_list("case_id", "name_as_reported", "active_ingredient"):
        drugs[case_id].add(drug_key(name, ingredient))
    reactions: dict[int, set[str]] = defaultdict(set)
    onsets: dict[int, dt.date] = {}
    for case_id, code, term, onset in CaseReaction.objects.filter(case__in=ids).values_list(
        "case_id", "meddra_code", "reported_term", "onset"
    ):
        reactions[case_id].add(reaction_key(code, term))
        if onset and (case_id not in onsets or onset < onsets[case_id]):
            onsets[case_id] = onset
    return [
        _summary(row, drugs[row["case_id"]], reactions[row["case_id"]], onsets.get(row["case_id"])) for row in versions
    ]


def drug_key(name: str, ingredient: str) -> str:
    return " ".join((ingredient or name).casefold().split())


def reaction_key(code: str, term: str) -> str:
    return code or " ".join(term.casefold().split())


def _summary(row: Mapping[str, Any], drugs: set[str], reactions: set[str], onset: dt.date | None) -> CaseSummary:
    report = row["report"]
    patient = report.get("patient") or {}
    narrative = (report.get("narrative") or {}).get("text") or ""
    return CaseSummary(
        case_id=str(row["case_id"]),
        sex=SEX.get((patient.get("sex") or {}).get("code") or ""),
        age_years=_age_years(patient.get("age") or {}),
        birth_date_pseudonym=row["patient_birth_date_pseudonym"] or None,
        initials_pseudonym=row["patient_pseudonym"] or None,
        reporter_pseudonym=row["reporter_pseudonym"] or None,
        jurisdiction=_province(row["case__jurisdiction_path"]),
        onset_date=onset,
        receive_date=row["case__first_received"],
        suspect_drugs=frozenset(drugs),
        reactions=frozenset(reactions),
        narrative=narrative,
    )


def _age_years(age: dict[str, Any]) -> float | None:
    try:
        return round(float(age["value"]) * AGE_UNITS[age.get("unit") or "a"], 2)
    except (KeyError, ValueError, TypeError):
        return None


def _province(path: str) -> str | None:
    codes = [code for code in path.split("/") if code and code != "000000"]
    return codes[0] if codes else None


def detect_duplicates(*, actor: Actor, scope: Scope, today: dt.date | None = None) -> int:
    """Score the caller's open cases and store new candidate pairs; returns how many were new."""
    _require_reviewer(scope)
    config, model = linkage_model(today)
    pairs = find_duplicates(case_summaries(open_cases(scope)), model)
    known = set(DuplicateCandidate.objects.values_list("case_a_id", "case_b_id"))
    new = []
    for pair in pairs:
        a, b = sorted((int(pair.case_a), int(pair.case_b)))
        if (a, b) not in known:
            known.add((a, b))
            new.append(
                DuplicateCandidate(
                    case_a_id=a, case_b_id=b, score=pair.score, contributions=pair.contributions, linkage_model=config
                )
            )
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(new)
        record_change(
            actor=actor,
            action="vigilance.duplicates.detected",
            object_type="vigilance.linkage_model",
            object_id=config.pk,
            before=None,
            after={"candidates": len(new), "threshold": config.threshold},
        )
    return len(new)


def candidates(scope: Scope) -> QuerySet[DuplicateCandidate]:
    """Candidate pairs whose two cases the caller may both see."""
    visible = selectors.cases(scope).values("pk")
    return DuplicateCandidate.objects.filter(case_a__in=visible, case_b__in=visible).select_related("case_a", "case_b")


def reject_duplicate(*, actor: Actor, scope: Scope, candidate_id: int) -> DuplicateCandidate:
    """The reviewer says the two reports are different events. Audited."""
    with transaction.atomic():
        candidate = _open_candidate(scope, candidate_id)
        _decide(actor, candidate, DuplicateStatus.REJECTED)
    return candidate


def confirm_duplicate(*, actor: Actor, scope: Scope, candidate_id: int, master_case_id: int | None = None) -> CaseMerge:
    """The reviewer confirms: the duplicate is merged into the master (the earlier case unless chosen)."""
    with transaction.atomic():
        candidate = _open_candidate(scope, candidate_id)
        master_id = master_case_id or candidate.case_a_id
        if master_id not in (candidate.case_a_id, candidate.case_b_id):
            raise DomainError.single(
                "master_case_id", "not_in_pair", "The master must be one of the two cases.", "Choose one of the pair."
            )
        duplicate_id = candidate.case_b_id if master_id == candidate.case_a_id else candidate.case_a_id
        if CaseMerge.objects.filter(duplicate_id__in=(master_id, duplicate_id)).exists():
            raise DomainError.single(
                "candidate", "already_merged", "One of these cases was already merged into another case.", status=409
            )
        summaries = {int(s.case_id): s for s in case_summaries(Case.objects.filter(pk__in=(master_id, duplicate_id)))}
        plan = merge_plan(summaries[master_id], summaries[duplicate_id])
        _combine_index(master_id, duplicate_id)
        merge = CaseMerge.objects.create(
            duplicate_id=duplicate_id,
            master_id=master_id,
            candidate=candidate,
            plan=json.loads(json.dumps(dataclasses.asdict(plan), default=str)),
            merged_by=actor.user,
            merged_at=timezone.now(),
        )
        _decide(actor, candidate, DuplicateStatus.CONFIRMED, {"master": master_id, "duplicate": duplicate_id})
    return merge


def _open_candidate(scope: Scope, candidate_id: int) -> DuplicateCandidate:
    _require_reviewer(scope)
    found = candidates(scope).select_for_update(of=("self",)).filter(pk=candidate_id).first()
    if found is None:
        raise NotFound("duplicate candidate")
    if found.status != DuplicateStatus.PROPOSED:
        raise DomainError.single(
            "candidate",
            "already_decided",
            f"This pair was already {found.status}; a decision is taken once.",
            status=409,
        )
    return found


def _decide(actor: Actor, candidate: DuplicateCandidate, status: str, extra: dict[str, int] | None = None) -> None:
    before = {"status": candidate.status}
    candidate.status, candidate.decided_by, candidate.decided_at = status, actor.user, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    record_change(
        actor=actor,
        action=f"vigilance.duplicate.{status}",
        object_type="vigilance.duplicate_candidate",
        object_id=candidate.pk,
        before=before,
        after={"status": status, "case_a": candidate.case_a_id, "case_b": candidate.case_b_id, **(extra or {})},
    )


def _combine_index(master_id: int, duplicate_id: int) -> None:
    """Drugs and reactions only the duplicate names move to the master; the duplicate keeps none."""
    for model, key in ((CaseDrug, _drug_row_key), (CaseReaction, _reaction_row_key)):
        _move_rows(master_id, model.objects.filter(case_id=master_id), model.objects.filter(case_id=duplicate_id), key)


def _drug_row_key(row: Any) -> str:
    return f"{drug_key(row.name_as_reported, row.active_ingredient)}\x1f{row.role}"


def _reaction_row_key(row: Any) -> str:
    return reaction_key(row.meddra_code, row.reported_term)


def _move_rows(
    master_id: int, master_rows: Iterable[Any], duplicate_rows: Iterable[Any], key: Callable[[Any], str]
) -> None:
    master = list(master_rows)
    present = {key(row) for row in master}
    sequence = max((row.sequence for row in master), default=0)
    for row in sorted(duplicate_rows, key=lambda r: r.sequence):
        if key(row) in present:
            row.delete()
            continue
        present.add(key(row))
        sequence += 1
        row.case_id, row.sequence = master_id, sequence
        row.save(update_fields=["case", "sequence"])


def reindex_case(*, actor: Actor, case: Case, report: Report) -> None:
    """Rebuild a case's index rows from its new current version (`report`, de-identified).

    When the case takes part in a merge (as master or as a merged duplicate), the merge is re-applied:
    the master's rows are rebuilt from its current version, each duplicate's from its own current
    version and combined into the master as at the merge (a nullified duplicate keeps its rows, which
    analytics skip), reviewed registry matches of the whole group are kept, and every merge plan of the
    group is recomputed. Both reports and all versions stay; the re-application is audited.
    """
    merge = CaseMerge.objects.filter(duplicate=case).select_related("master").first()
    master = merge.master if merge is not None else case
    group = list(CaseMerge.objects.filter(master=master).select_related("duplicate").order_by("merged_at", "pk"))
    if not group:
        rebuild_index(case, report)
        return
    reviewed = reviewed_matches(CaseDrug.objects.filter(case=master))
    members = [master, *(case if each.duplicate_id == case.pk else each.duplicate for each in group)]
    for member in members:  # every report's own rows first: the plans read them
        rebuild_index(member, report if member.pk == case.pk else _current_report(member), reviewed)
    _refresh_plans(actor, case, master, group)
    for duplicate in members[1:]:
        if not duplicate.nullified:
            _combine_index(master.pk, duplicate.pk)


def _current_report(case: Case) -> Report:
    return load(Report, case.versions.get(number=case.current_version).report)


def _refresh_plans(actor: Actor, case: Case, master: Case, group: list[CaseMerge]) -> None:
    """Recompute each merge plan of the group from the reports' current versions and own rows."""
    ids = [master.pk, *(each.duplicate_id for each in group)]
    summaries = {int(s.case_id): s for s in case_summaries(Case.objects.filter(pk__in=ids))}
    for each in group:
        plan = merge_plan(summaries[master.pk], summaries[each.duplicate_id])
        each.plan = json.loads(json.dumps(dataclasses.asdict(plan), default=str))
        each.save(update_fields=["plan"])
    record_change(
        actor=actor,
        action="vigilance.case_merge.reapplied",
        object_type="vigilance.case",
        object_id=master.pk,
        before=None,
        after={"changed_case": case.pk, "version": case.current_version, "duplicates": ids[1:]},
    )


def case_merges(case: Case) -> tuple[CaseMerge | None, list[CaseMerge]]:
    """(the merge that made this case a duplicate, the merges of duplicates into it)."""
    merges = list(CaseMerge.objects.filter(Q(duplicate=case) | Q(master=case)).select_related("master", "duplicate"))
    merged_into = next((m for m in merges if m.duplicate_id == case.pk), None)
    return merged_into, [m for m in merges if m.master_id == case.pk]
