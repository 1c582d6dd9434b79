"""Registry reads, always narrowed to the caller's scope first. Other modules read the registry
through these functions only."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from medreg.core.errors import NotFound
from medreg.core.models import AuditRecord, Jurisdiction, JurisdictionLevel
from medreg.core.scoping import Scope, ScopeKind
from medreg.registry.models import (
    Cosmetic,
    Device,
    Drug,
    Enterprise,
    EnterpriseStatus,
    EnterpriseTypeAssignment,
    Licence,
    LicenceStatus,
    PackageLevel,
)


def enterprises(scope: Scope) -> QuerySet[Enterprise]:
    return scope.apply(
        Enterprise.objects.select_related("jurisdiction").prefetch_related(
            Prefetch("type_assignments", queryset=EnterpriseTypeAssignment.objects.order_by("type"))
        )
    )


def enterprise(scope: Scope, uscc: str) -> Enterprise:
    found = enterprises(scope).filter(uscc=uscc.strip().upper()).first()
    if found is None:
        raise NotFound("enterprise")
    return found


def licences(scope: Scope) -> QuerySet[Licence]:
    return scope.apply(Licence.objects.select_related("enterprise", "issued_by"))


def licence(scope: Scope, licence_id: int) -> Licence:
    found = licences(scope).filter(pk=licence_id).first()
    if found is None:
        raise NotFound("licence")
    return found


def drugs(scope: Scope) -> QuerySet[Drug]:
    return scope.apply(
        Drug.objects.select_related("marketing_authorization_holder").prefetch_related(
            "manufacturers__enterprise", Prefetch("package_levels", queryset=PackageLevel.objects.order_by("level"))
        )
    )


def drug(scope: Scope, approval_number: str) -> Drug:
    found = drugs(scope).filter(approval_number=approval_number.strip()).first()
    if found is None:
        raise NotFound("drug")
    return found


def devices(scope: Scope) -> QuerySet[Device]:
    return scope.apply(Device.objects.select_related("marketing_authorization_holder").prefetch_related("identifiers"))


def device(scope: Scope, number: str) -> Device:
    found = devices(scope).filter(number=number.strip()).first()
    if found is None:
        raise NotFound("device")
    return found


def cosmetics(scope: Scope) -> QuerySet[Cosmetic]:
    return scope.apply(Cosmetic.objects.select_related("marketing_authorization_holder"))


def cosmetic(scope: Scope, number: str) -> Cosmetic:
    found = cosmetics(scope).filter(number=number.strip()).first()
    if found is None:
        raise NotFound("cosmetic")
    return found


def package_level_by_identification_code(scope: Scope, code: str) -> PackageLevel | None:
    """The drug and pack level a 7-digit drug identification code is bound to (for traceability)."""
    return (
        scope.apply(PackageLevel.objects.select_related("drug", "drug__marketing_authorization_holder"))
        .filter(drug_identification_code=code)
        .first()
    )


def history(scope: Scope, object_type: str, object_id: str) -> list[AuditRecord]:
    """Audit records of one object; only regulators see who changed what."""
    if not scope.is_regulator:
        return []
    return list(AuditRecord.objects.filter(object_type=object_type, object_id=object_id).order_by("-position")[:200])


def search(scope: Scope, text: str, limit: int = 20) -> dict[str, list]:  # type: ignore[type-arg]
    """Enterprises and products whose name (Chinese or pinyin), code or number contains `text`."""
    needle = text.strip().lower()
    if len(needle) < 2:
        return {"enterprises": [], "drugs": [], "devices": [], "cosmetics": []}
    match = Q(search_text__contains=needle)
    return {
        "enterprises": list(enterprises(scope).filter(match)[:limit]),
        "drugs": list(drugs(scope).filter(match)[:limit]),
        "devices": list(devices(scope).filter(match)[:limit]),
        "cosmetics": list(cosmetics(scope).filter(match)[:limit]),
    }


@dataclass(frozen=True)
class JurisdictionCounts:
    jurisdiction: Jurisdiction
    enterprises: int
    valid_licences: int
    drugs: int
    devices: int
    cosmetics: int


def dashboard(scope: Scope, root: Jurisdiction | None) -> list[JurisdictionCounts]:
    """Counts per child of `root` (the caller's node, or provinces for national users): five
    grouped queries, whatever the number of children."""
    children = _dashboard_rows(scope, root)
    per_node = {
        "enterprises": _grouped(enterprises(scope).filter(status=EnterpriseStatus.ACTIVE), "jurisdiction__path"),
        "valid_licences": _grouped(
            licences(scope).filter(status=LicenceStatus.VALID), "enterprise__jurisdiction__path"
        ),
        "drugs": _grouped(scope.apply(Drug.objects.all()), "marketing_authorization_holder__jurisdiction__path"),
        "devices": _grouped(scope.apply(Device.objects.all()), "marketing_authorization_holder__jurisdiction__path"),
        "cosmetics": _grouped(
            scope.apply(Cosmetic.objects.all()), "marketing_authorization_holder__jurisdiction__path"
        ),
    }
    return [
        JurisdictionCounts(node, **{name: _sum_under(counts, node.path) for name, counts in per_node.items()})
        for node in children
    ]


def _grouped(queryset: QuerySet, path_field: str) -> dict[str, int]:  # type: ignore[type-arg]
    rows = queryset.order_by().values(path_field).annotate(n=Count("pk", distinct=True))
    return {row[path_field]: row["n"] for row in rows}


def _sum_under(counts: dict[str, int], prefix: str) -> int:
    return sum(n for path, n in counts.items() if path.startswith(prefix))


def _dashboard_rows(scope: Scope, root: Jurisdiction | None) -> list[Jurisdiction]:
    if root is None:
        return list(Jurisdiction.objects.filter(level=JurisdictionLevel.PROVINCE).order_by("code"))
    if scope.kind is ScopeKind.JURISDICTION and not scope.covers_jurisdiction_path(root.path):
        raise NotFound("jurisdiction")
    return list(root.children.order_by("code")) or [root]


def enterprise_type_counts(scope: Scope) -> dict[str, int]:
    rows = scope.apply(Enterprise.objects.all()).values("type_assignments__type").annotate(n=Count("pk"))
    return {row["type_assignments__type"]: row["n"] for row in rows if row["type_assignments__type"]}
