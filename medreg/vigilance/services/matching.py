"""Registry matching of reported drugs: proposed at intake, confirmed or corrected by a reviewer."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.errors import DomainError, NotFound, PermissionDenied
from medreg.core.scoping import SYSTEM_SCOPE, Scope
from medreg.registry import selectors as registry
from medreg.vigilance import selectors
from medreg.vigilance.models import CaseDrug, MatchStatus


def propose_matches(rows: list[CaseDrug]) -> None:
    """Set a proposed registry match on each row: approval number exact, else generic/trade name.

    Matching reads the whole registry (approved products are public facts), whoever reports.
    """
    numbers = {r.authorisation_number for r in rows if r.authorisation_number}
    numbers |= {r.name_as_reported for r in rows if r.name_as_reported.startswith("国药准字")}
    by_number = registry.drug_facts(SYSTEM_SCOPE, numbers) if numbers else {}
    names = {r.name_as_reported for r in rows if r.name_as_reported} | {
        r.active_ingredient for r in rows if r.active_ingredient
    }
    by_name: dict[str, tuple[str, str]] = {}
    if names:
        found = registry.drugs(SYSTEM_SCOPE).filter(Q(generic_name__in=names) | Q(trade_name__in=names))
        for drug in found.order_by("approval_number"):
            holder = drug.marketing_authorization_holder.uscc
            for name in (drug.trade_name, drug.generic_name):
                if name:
                    by_name.setdefault(name, (drug.approval_number, holder))
    for row in rows:
        numbered = by_number.get(row.authorisation_number) or by_number.get(row.name_as_reported)
        match = (numbered.approval_number, numbered.marketing_authorization_holder.uscc) if numbered else None
        match = match or by_name.get(row.name_as_reported) or by_name.get(row.active_ingredient)
        if match:
            row.matched_approval_number, row.registry_holder_code = match
            row.match_status = MatchStatus.PROPOSED


def review_drug_match(*, actor: Actor, scope: Scope, case_id: int, drug_id: int, approval_number: str) -> CaseDrug:
    """A regulator confirms the proposed match (same number), corrects it (another number) or
    clears it (empty number). Audited."""
    if not scope.is_regulator and scope.role != "system":
        raise PermissionDenied("Only regulators review registry matches of reported drugs.")
    case = selectors.case(scope, case_id)
    number = approval_number.strip()
    with transaction.atomic():
        row = CaseDrug.objects.select_for_update().filter(case=case, pk=drug_id).first()
        if row is None:
            raise NotFound("case drug")
        before = _match_state(row)
        holder = _holder_of(number) if number else ""
        if number and number == row.matched_approval_number:
            row.match_status = MatchStatus.CONFIRMED
        else:
            row.matched_approval_number, row.registry_holder_code = number, holder
            row.match_status = MatchStatus.CORRECTED
        row.matched_by, row.matched_at = actor.user, timezone.now()
        row.save(
            update_fields=[
                "matched_approval_number",
                "registry_holder_code",
                "match_status",
                "matched_by",
                "matched_at",
            ]
        )
        record_change(
            actor=actor,
            action="vigilance.drug_match.reviewed",
            object_type="vigilance.case_drug",
            object_id=row.pk,
            before=before,
            after=_match_state(row),
        )
    return row


def _holder_of(number: str) -> str:
    drug = registry.drug_facts(SYSTEM_SCOPE, {number}).get(number)
    if drug is None:
        raise DomainError.single(
            "approval_number",
            "unknown_drug",
            f"No drug with approval number {number} is in the registry.",
            "Give the approval number exactly as registered (e.g. 国药准字H20051234), or leave it empty for no match.",
        )
    return drug.marketing_authorization_holder.uscc


def _match_state(row: CaseDrug) -> dict[str, object]:
    return {
        "case": row.case_id,
        "sequence": row.sequence,
        "approval_number": row.matched_approval_number,
        "holder": row.registry_holder_code,
        "status": row.match_status,
    }
