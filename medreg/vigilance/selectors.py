"""Vigilance reads, scoped to the caller. Other modules read cases through these functions only."""

from django.db.models import Prefetch, QuerySet

from medreg.core.errors import NotFound
from medreg.core.models import Role
from medreg.core.scoping import Scope
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, CaseVersion


def cases(scope: Scope) -> QuerySet[Case]:
    """Cases the caller may see: regulators their jurisdiction, enterprises their own and their
    products' cases; inspectors and the public none (case data is health data)."""
    if scope.role == Role.INSPECTOR:
        return Case.objects.none()
    return scope.apply(Case.objects.all())


def case(scope: Scope, case_id: int) -> Case:
    found = cases(scope).filter(pk=case_id).first()
    if found is None:
        raise NotFound("case")
    return found


def case_with_details(scope: Scope, case_id: int) -> Case:
    """One case with its versions, drugs and reactions prefetched (four queries)."""
    found = (
        cases(scope)
        .filter(pk=case_id)
        .prefetch_related(
            Prefetch("versions", queryset=CaseVersion.objects.order_by("number")),
            Prefetch("drugs", queryset=CaseDrug.objects.order_by("sequence")),
            Prefetch("reactions", queryset=CaseReaction.objects.order_by("sequence")),
        )
        .first()
    )
    if found is None:
        raise NotFound("case")
    return found


def current_version(case: Case) -> CaseVersion:
    return next(v for v in case.versions.all() if v.number == case.current_version)


def case_drugs(scope: Scope) -> QuerySet[CaseDrug]:
    """Drug rows of the visible, non-nullified cases (for signal detection and product pages)."""
    return CaseDrug.objects.filter(case__in=cases(scope).filter(nullified=False))


def case_reactions(scope: Scope) -> QuerySet[CaseReaction]:
    return CaseReaction.objects.filter(case__in=cases(scope).filter(nullified=False))
