"""Create and change enterprises."""

from django.db import transaction

from medreg.core.actor import Actor
from medreg.core.audit import Change, record_change, record_changes, snapshot
from medreg.core.errors import FieldError, NotFound
from medreg.core.identifiers import validate_uscc
from medreg.core.scoping import Scope
from medreg.registry.models import Enterprise, EnterpriseTypeAssignment, Site
from medreg.registry.regulatory_numbers import validate_gln
from medreg.registry.resolver import Resolver
from medreg.registry.schemas import EnterpriseIn, EnterpriseUpdate
from medreg.registry.search_text import search_text_for
from medreg.registry.services.common import atomic_write, check_version, collect, raise_if, require_registry_writer

OBJECT_TYPE = "registry.enterprise"


def enterprise_snapshot(enterprise: Enterprise, types: list[str]) -> dict[str, object]:
    return {**snapshot(enterprise, exclude=("search_text", "created_at", "updated_at")), "types": sorted(types)}


def build_enterprise(data: EnterpriseIn, resolver: Resolver, errors: list[FieldError]) -> Enterprise | None:
    """Validate one enterprise against codes, the division tree and the caller's jurisdiction."""
    uscc = collect(errors, validate_uscc, data.uscc)
    node = resolver.jurisdiction(data.jurisdiction, "jurisdiction", errors)
    if uscc is None or node is None:
        return None
    if Enterprise.objects.filter(uscc=uscc).exists():
        errors.append(
            FieldError(
                "uscc",
                "duplicate",
                f"An enterprise with credit code {uscc} is already registered.",
                "Update the existing enterprise instead of registering it again.",
            )
        )
        return None
    return Enterprise(
        uscc=uscc,
        name=data.name.strip(),
        legal_representative=data.legal_representative.strip(),
        registered_address=data.registered_address.strip(),
        jurisdiction=node,
        status=data.status,
        search_text=search_text_for(data.name, uscc),
    )


def save_enterprises(*, actor: Actor, items: list[tuple[Enterprise, list[str]]]) -> None:
    """Insert validated enterprises with their types and audit records (inside the caller's transaction)."""
    Enterprise.objects.bulk_create([enterprise for enterprise, _ in items], batch_size=1000)
    saved = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=[e.uscc for e, _ in items])}
    EnterpriseTypeAssignment.objects.bulk_create(
        [EnterpriseTypeAssignment(enterprise=saved[e.uscc], type=t) for e, types in items for t in set(types)],
        batch_size=2000,
    )
    record_changes(
        actor=actor,
        changes=[
            Change("create", OBJECT_TYPE, e.uscc, None, enterprise_snapshot(saved[e.uscc], types)) for e, types in items
        ],
    )


def create_enterprise(*, actor: Actor, scope: Scope, data: EnterpriseIn) -> Enterprise:
    require_registry_writer(scope)
    errors: list[FieldError] = []
    enterprise = build_enterprise(data, Resolver(scope), errors)
    raise_if(errors)
    assert enterprise is not None
    with atomic_write("uscc"):
        save_enterprises(actor=actor, items=[(enterprise, [t.value for t in data.types])])
    return Enterprise.objects.select_related("jurisdiction").get(uscc=enterprise.uscc)


def update_enterprise(*, actor: Actor, scope: Scope, uscc: str, data: EnterpriseUpdate) -> Enterprise:
    """Change some fields; `data.version` must be the version the caller read (else 409)."""
    require_registry_writer(scope)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        enterprise = _locked(scope, uscc)
        check_version(enterprise.version, data.version)
        types_before = enterprise.type_codes
        before = enterprise_snapshot(enterprise, types_before)
        types_after = _apply_enterprise_changes(enterprise, changes, Resolver(scope))
        enterprise.version += 1
        enterprise.search_text = search_text_for(enterprise.name, enterprise.uscc)
        enterprise.save()
        if types_after is not None:
            _replace_types(enterprise, types_after)
        record_change(
            actor=actor,
            action="update",
            object_type=OBJECT_TYPE,
            object_id=enterprise.uscc,
            before=before,
            after=enterprise_snapshot(enterprise, types_after or types_before),
        )
    return enterprise


def _apply_enterprise_changes(
    enterprise: Enterprise, changes: dict[str, object], resolver: Resolver
) -> list[str] | None:
    errors: list[FieldError] = []
    if "jurisdiction" in changes:
        node = resolver.jurisdiction(str(changes.pop("jurisdiction")), "jurisdiction", errors)
        raise_if(errors)
        enterprise.jurisdiction = node  # type: ignore[assignment]
    types = changes.pop("types", None)
    for name, value in changes.items():
        setattr(enterprise, name, value.strip() if isinstance(value, str) else value)
    return sorted({str(t) for t in types}) if isinstance(types, list) else None


def _replace_types(enterprise: Enterprise, types: list[str]) -> None:
    EnterpriseTypeAssignment.objects.filter(enterprise=enterprise).exclude(type__in=types).delete()
    existing = set(EnterpriseTypeAssignment.objects.filter(enterprise=enterprise).values_list("type", flat=True))
    EnterpriseTypeAssignment.objects.bulk_create(
        [EnterpriseTypeAssignment(enterprise=enterprise, type=t) for t in types if t not in existing]
    )


def _locked(scope: Scope, uscc: str) -> Enterprise:
    enterprise = (
        scope.apply(Enterprise.objects.select_for_update(of=("self",))).filter(uscc=uscc.strip().upper()).first()
    )
    if enterprise is None:
        raise NotFound("enterprise")
    return enterprise


def register_site(
    *, actor: Actor, scope: Scope, enterprise_code: str, kind: str, address: str, jurisdiction: str, gln: str = ""
) -> Site:
    """Add a production site, warehouse or shop (with its GLN, the id traceability events use)."""
    require_registry_writer(scope)
    errors: list[FieldError] = []
    resolver = Resolver(scope)
    enterprise = resolver.enterprise(enterprise_code, "enterprise", errors)
    node = resolver.jurisdiction(jurisdiction, "jurisdiction", errors)
    gln_value = collect(errors, validate_gln, gln) if gln else ""
    raise_if(errors)
    assert enterprise is not None
    assert node is not None
    with atomic_write("gln"):
        site = Site.objects.create(
            enterprise=enterprise, kind=kind, address=address.strip(), jurisdiction=node, gln=gln_value or ""
        )
        record_change(
            actor=actor,
            action="create",
            object_type="registry.site",
            object_id=site.pk,
            before=None,
            after=snapshot(site),
        )
    return site
