"""Registry reads, always narrowed to the caller's scope first. Other modules read the registry
through these functions only."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

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
    LicenceStatusChange,
    PackageLevel,
    Site,
    SpecialControl,
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
    holder = "marketing_authorization_holder"
    return {
        "enterprises": list(scope.apply(Enterprise.objects.select_related("jurisdiction")).filter(match)[:limit]),
        "drugs": list(scope.apply(Drug.objects.select_related(holder)).filter(match)[:limit]),
        "devices": list(scope.apply(Device.objects.select_related(holder)).filter(match)[:limit]),
        "cosmetics": list(scope.apply(Cosmetic.objects.select_related(holder)).filter(match)[:limit]),
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


# Facts other modules need about the registry (traceability checks, alert routing).


@dataclass(frozen=True)
class ProductBinding:
    """What a product code (GTIN or 7-digit drug identification code) is bound to."""

    approval_number: str
    package_level: int
    quantity: int
    holder_enterprise_code: str
    special_control: str
    generic_name: str
    strength: str
    holder_name: str


def product_bindings(scope: Scope, gtins: set[str], identification_codes: set[str]) -> dict[str, ProductBinding]:
    """Bindings for many codes at once, keyed by the GTIN-14 or the 7-digit code."""
    levels = scope.apply(PackageLevel.objects.select_related("drug", "drug__marketing_authorization_holder")).filter(
        Q(gtin__in=gtins) | Q(drug_identification_code__in=identification_codes)
    )
    result: dict[str, ProductBinding] = {}
    for level in levels:
        binding = ProductBinding(
            level.drug.approval_number,
            level.level,
            level.quantity,
            level.drug.marketing_authorization_holder.uscc,
            level.drug.special_control,
            level.drug.generic_name,
            level.drug.strength,
            level.drug.marketing_authorization_holder.name,
        )
        for code in (level.gtin, level.drug_identification_code):
            if code:
                result[code] = binding
    return result


@dataclass(frozen=True)
class SiteFacts:
    gln: str
    enterprise_code: str
    enterprise_name: str
    jurisdiction_code: str
    jurisdiction_path: str
    enterprise_types: tuple[str, ...]


def sites_by_gln(scope: Scope, glns: set[str]) -> dict[str, SiteFacts]:
    """Sites (and so their owners) for many GLNs at once."""
    sites = scope.apply(Site.objects.select_related("enterprise", "jurisdiction")).filter(gln__in=glns)
    sites = sites.prefetch_related("enterprise__type_assignments")
    return {
        s.gln: SiteFacts(
            s.gln,
            s.enterprise.uscc,
            s.enterprise.name,
            s.jurisdiction.code,
            s.jurisdiction.path,
            tuple(s.enterprise.type_codes),
        )
        for s in sites
    }


def enterprise_jurisdiction_paths(scope: Scope, codes: set[str]) -> dict[str, str]:
    return dict(enterprises(scope).filter(uscc__in=codes).values_list("uscc", "jurisdiction__path"))


def licensed_kinds(scope: Scope, codes: set[str], on: dt.date) -> dict[str, set[str]]:
    """For each enterprise, the kinds of licence it holds in force on `on`."""
    result: dict[str, set[str]] = {code: set() for code in codes}
    rows = (
        licences(scope)
        .filter(enterprise__uscc__in=codes, status=LicenceStatus.VALID, issued_on__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .values_list("enterprise__uscc", "kind")
    )
    for code, kind in rows:
        result[code].add(kind)
    return result


class InForce(NamedTuple):
    """A stretch of time in which a licence of `kind` was in force: from `start` until before `end`
    (None: with no end)."""

    kind: str
    start: dt.datetime
    end: dt.datetime | None


OUT_OF_FORCE = (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED)


def licence_periods(scope: Scope, codes: set[str]) -> dict[str, list[InForce]]:
    """For each enterprise, when each of its licences was in force, to judge a past moment: from the
    start of its issue day to the end of its last valid day (days of the platform's calendar), less
    the time its status history shows it suspended or revoked, and ended early by a step to expired
    (the rules, and what happens when history and status disagree: `_in_force`). Two queries."""
    rows = list(
        licences(scope)
        .filter(enterprise__uscc__in=codes)
        .values_list("pk", "enterprise__uscc", "kind", "issued_on", "valid_until", "status")
    )
    history: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    changes = LicenceStatusChange.objects.filter(licence_id__in=[row[0] for row in rows]).order_by("changed_at", "pk")
    for licence_id, to_status, changed_at in changes.values_list("licence_id", "to_status", "changed_at"):
        history[licence_id].append((to_status, changed_at))
    result: dict[str, list[InForce]] = {code: [] for code in codes}
    for pk, code, kind, issued_on, valid_until, status in rows:
        stretches = _in_force(_day_start(issued_on), _day_after(valid_until), status, history[pk])
        result[code] += [InForce(kind, start, end) for start, end in stretches]
    return result


def _in_force(
    issued: dt.datetime, ends: dt.datetime | None, status: str, history: list[tuple[str, dt.datetime]]
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """The validity [issued, ends) less every stretch from a suspension or revocation to the
    reinstatement that followed it (to the end, if none did), and ended early by a step to `expired`
    (a licence surrendered or cancelled before its date; the nightly expiry's step comes after it).
    Where the history and the current status disagree, for want of a recorded step, the current
    status has the last word: valid now, the last suspension is disregarded (it was lifted by no
    recorded step, at no known moment); suspended or revoked now, the licence counts for no time."""
    stretches: list[tuple[dt.datetime, dt.datetime | None]] = []
    start, out_since = issued, None
    for to_status, at in history:
        if to_status == LicenceStatus.EXPIRED:
            ends = _earlier(ends, at)
        elif to_status in OUT_OF_FORCE and out_since is None:
            stretches.append((start, at))
            out_since = at
        elif to_status == LicenceStatus.VALID and out_since is not None:
            start, out_since = at, None
    if status in OUT_OF_FORCE and out_since is None:
        return []
    if out_since is None:
        stretches.append((start, None))
    elif status == LicenceStatus.VALID:  # reinstated by no recorded step
        stretches.append((out_since, None))
    clipped = [(max(s, issued), _earlier(e, ends)) for s, e in stretches]
    return [(s, e) for s, e in clipped if e is None or s < e]


def _earlier(one: dt.datetime | None, other: dt.datetime | None) -> dt.datetime | None:
    """The earlier of two ends, None being no end."""
    if one is None or other is None:
        return other if one is None else one
    return min(one, other)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _day_after(day: dt.date | None) -> dt.datetime | None:
    """The start of the day after `day`: the end of a validity that includes `day` (None: no end)."""
    return None if day is None or day == dt.date.max else _day_start(day + dt.timedelta(days=1))


def special_control_label(code: str) -> str:
    """A special-control class in the reader's language (an unknown code as it is)."""
    return str(SpecialControl(code).label) if code in SpecialControl.values else code


def drug_facts(scope: Scope, approval_numbers: set[str]) -> dict[str, Drug]:
    return {d.approval_number: d for d in drugs(scope).filter(approval_number__in=approval_numbers)}


@dataclass(frozen=True)
class DrugSummary:
    """What the public may know of a drug: names, strength, holder."""

    approval_number: str
    generic_name: str
    strength: str
    holder_name: str


def drug_summary(scope: Scope, approval_number: str) -> DrugSummary | None:
    """One query, no related lists: for hot paths such as pack verification."""
    row = (
        scope.apply(Drug.objects.all())
        .filter(approval_number=approval_number)
        .values_list("generic_name", "strength", "marketing_authorization_holder__name")
        .first()
    )
    return DrugSummary(approval_number, *row) if row else None


@dataclass(frozen=True)
class RegisteredProduct:
    """A registered or filed device or cosmetic, as adverse event matching needs it."""

    number: str
    name: str
    holder_code: str
    holder_name: str


_PRODUCT_COLUMNS = ("number", "name", "marketing_authorization_holder__uscc", "marketing_authorization_holder__name")


def devices_by_number(scope: Scope, numbers: set[str]) -> dict[str, RegisteredProduct]:
    """Devices by registration certificate or filing number (exact)."""
    rows = scope.apply(Device.objects.all()).filter(number__in=numbers).values_list(*_PRODUCT_COLUMNS)
    return {row[0]: RegisteredProduct(*row) for row in rows}


def devices_by_udi_di(scope: Scope, device_identifiers: set[str]) -> dict[str, RegisteredProduct]:
    """Devices by the UDI-DI of any of their package levels (exact)."""
    rows = (
        scope.apply(Device.objects.all())
        .filter(identifiers__di__in=device_identifiers)
        .values_list("identifiers__di", *_PRODUCT_COLUMNS)
    )
    return {row[0]: RegisteredProduct(*row[1:]) for row in rows}


def cosmetics_by_number(scope: Scope, numbers: set[str]) -> dict[str, RegisteredProduct]:
    """Cosmetics by registration or filing number (exact)."""
    rows = scope.apply(Cosmetic.objects.all()).filter(number__in=numbers).values_list(*_PRODUCT_COLUMNS)
    return {row[0]: RegisteredProduct(*row) for row in rows}


def cosmetics_by_name(scope: Scope, names: set[str]) -> dict[str, list[RegisteredProduct]]:
    """Cosmetics by exact name; a name may belong to several products (the caller decides)."""
    found: dict[str, list[RegisteredProduct]] = {}
    rows = scope.apply(Cosmetic.objects.all()).filter(name__in=names).order_by("number").values_list(*_PRODUCT_COLUMNS)
    for row in rows:
        found.setdefault(row[1], []).append(RegisteredProduct(*row))
    return found
