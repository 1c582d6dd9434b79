"""The current-version index rows (CaseDrug, CaseReaction) that analytics and pages read."""

from django.db.models import QuerySet

from medreg.vigilance.e2b.model import Reaction, Report
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, DrugRole
from medreg.vigilance.privacy import text_of
from medreg.vigilance.services.matching import propose_matches
from medreg.vigilance.services.timestamps import ts_day, ts_text

ROLES = {"1": DrugRole.SUSPECT, "2": DrugRole.CONCOMITANT, "3": DrugRole.INTERACTING, "4": DrugRole.NOT_ADMINISTERED}
UNREVIEWED = ("proposed", "none")
SERIOUSNESS = ("death", "life_threatening", "hospitalisation", "disabling", "congenital_anomaly", "medically_important")


def is_serious(report: Report) -> bool:
    """E.i.3.2: any seriousness criterion true on any reaction."""
    return any(_flag(reaction, name) for reaction in report.reactions for name in SERIOUSNESS)


def reviewed_matches(rows: QuerySet[CaseDrug]) -> dict[tuple[str, str], CaseDrug]:
    """The regulator-reviewed registry matches among `rows`, by (name as reported, G.k.3.1)."""
    return {
        (row.name_as_reported, row.authorisation_number): row for row in rows.exclude(match_status__in=UNREVIEWED)
    }


def rebuild_index(case: Case, report: Report, reviewed: dict[tuple[str, str], CaseDrug] | None = None) -> None:
    """Replace the case's drug and reaction rows by those of `report`, keeping reviewed matches
    (the case's own, or `reviewed` when given: a merge group's)."""
    if reviewed is None:
        reviewed = reviewed_matches(case.drugs.all())
    case.drugs.all().delete()
    case.reactions.all().delete()
    drugs = [_drug_row(case, report, k) for k in range(len(report.drugs))]
    propose_matches([d for d in drugs if (d.name_as_reported, d.authorisation_number) not in reviewed])
    for row in drugs:
        kept = reviewed.get((row.name_as_reported, row.authorisation_number))
        if kept is not None:
            row.matched_approval_number, row.registry_holder_code = (
                kept.matched_approval_number,
                kept.registry_holder_code,
            )
            row.match_status, row.matched_by_id, row.matched_at = kept.match_status, kept.matched_by_id, kept.matched_at
    CaseDrug.objects.bulk_create(drugs)
    CaseReaction.objects.bulk_create([_reaction_row(case, r, i) for i, r in enumerate(report.reactions)])


def _drug_row(case: Case, report: Report, k: int) -> CaseDrug:
    drug = report.drugs[k]
    batches = [text_of(d.batch) for d in drug.dosages if text_of(d.batch)]
    ingredients = [text_of(s.name) for s in drug.substances if text_of(s.name)]
    return CaseDrug(
        case=case,
        sequence=k + 1,
        role=ROLES.get(report.role_of(drug) or "", DrugRole.UNKNOWN),
        name_as_reported=text_of(drug.name)[:500],
        active_ingredient="; ".join(ingredients)[:500],
        authorisation_number=(drug.authorisation.extension or "")[:100] if drug.authorisation else "",
        batch_number=batches[0][:100] if batches else "",
    )


def _reaction_row(case: Case, reaction: Reaction, i: int) -> CaseReaction:
    term = reaction.term
    coded = term is not None and term.code_system == "2.16.840.1.113883.6.163"
    return CaseReaction(
        case=case,
        sequence=i + 1,
        reported_term=((term.original_text if term else None) or text_of(reaction.translation) or "")[:500],
        meddra_code=(term.code or "")[:8] if coded and term else "",
        meddra_version=(term.code_system_version or "")[:10] if coded and term else "",
        onset=ts_day(reaction.start),
        onset_ts=ts_text(reaction.start)[:24],
        outcome=(reaction.outcome.code or "")[:2] if reaction.outcome else "",
        **{name: _flag(reaction, name) for name in SERIOUSNESS},
    )


def _flag(reaction: Reaction, name: str) -> bool:
    value = getattr(reaction, name)
    return bool(value is not None and value.as_bool)
