"""Register drugs (with package levels and manufacturers), devices (with UDI-DIs) and cosmetics."""

from dataclasses import dataclass, field

from django.db import transaction

from medreg.core.actor import Actor
from medreg.core.audit import Change, record_change, record_changes, snapshot
from medreg.core.errors import FieldError, NotFound
from medreg.core.scoping import Scope
from medreg.registry.models import Cosmetic, Device, DeviceIdentifier, Drug, DrugManufacturer, PackageLevel
from medreg.registry.regulatory_numbers import (
    validate_cosmetic_number,
    validate_device_number,
    validate_drug_approval_number,
    validate_drug_identification_code,
    validate_gtin,
    validate_udi_di,
)
from medreg.registry.resolver import Resolver
from medreg.registry.schemas import CosmeticIn, DeviceIn, DrugIn, DrugUpdate, PackageLevelIn
from medreg.registry.search_text import search_text_for
from medreg.registry.services.common import atomic_write, check_version, collect, raise_if, require_registry_writer

EXCLUDED = ("search_text", "created_at", "updated_at")


@dataclass
class DrugDraft:
    """A validated drug with the rows that hang from it, ready to insert."""

    drug: Drug
    manufacturer_codes: list[str] = field(default_factory=list)
    package_levels: list[PackageLevel] = field(default_factory=list)


def build_drug(data: DrugIn, resolver: Resolver, errors: list[FieldError]) -> DrugDraft | None:
    number = collect(errors, validate_drug_approval_number, data.approval_number)
    holder = resolver.enterprise(data.marketing_authorization_holder, "marketing_authorization_holder", errors)
    manufacturers = [
        resolver.enterprise(code, f"manufacturers.{i}", errors) for i, code in enumerate(data.manufacturers)
    ]
    levels = _package_levels(data.package_levels, errors)
    if number and Drug.objects.filter(approval_number=number).exists():
        errors.append(
            FieldError(
                "approval_number", "duplicate", f"{number} is already registered.", "Update the existing drug instead."
            )
        )
    if number is None or holder is None or errors:
        return None
    drug = Drug(
        approval_number=number,
        generic_name=data.generic_name.strip(),
        trade_name=data.trade_name.strip(),
        dosage_form=data.dosage_form.strip(),
        strength=data.strength.strip(),
        marketing_authorization_holder=holder,
        prescription_class=data.prescription_class,
        special_control=data.special_control,
        approved_on=data.approved_on,
        search_text=search_text_for(data.generic_name, data.trade_name, number),
    )
    return DrugDraft(drug, [m.uscc for m in manufacturers if m is not None], levels)


def _package_levels(levels: list[PackageLevelIn], errors: list[FieldError]) -> list[PackageLevel]:
    result: list[PackageLevel] = []
    if sorted(level.level for level in levels) != list(range(1, len(levels) + 1)):
        errors.append(
            FieldError(
                "package_levels",
                "invalid_levels",
                "Package levels must be numbered 1, 2, 3 … without gaps or repeats.",
                "Level 1 is the sales unit, 2 the case, 3 the pallet.",
            )
        )
    for i, level in enumerate(levels):
        code = level.drug_identification_code
        dic = (
            collect(errors, validate_drug_identification_code, code, f"package_levels.{i}.drug_identification_code")
            if code
            else None
        )
        gtin = collect(errors, validate_gtin, level.gtin, f"package_levels.{i}.gtin") if level.gtin else None
        result.append(
            PackageLevel(
                level=level.level,
                description=level.description.strip(),
                quantity=level.quantity,
                drug_identification_code=dic,
                gtin=gtin,
            )
        )
    _check_codes_free(result, errors)
    return result


def _check_codes_free(levels: list[PackageLevel], errors: list[FieldError]) -> None:
    """Drug identification codes and GTINs identify one pack level of one product only."""
    for part in ("drug_identification_code", "gtin"):
        wanted = {getattr(lv, part): i for i, lv in enumerate(levels) if getattr(lv, part)}
        for value in PackageLevel.objects.filter(**{f"{part}__in": list(wanted)}).values_list(part, flat=True):
            errors.append(
                FieldError(
                    f"package_levels.{wanted[value]}.{part}",
                    "duplicate",
                    f"{value} is already bound to another product's pack level.",
                    "Each pack level has its own drug identification code and GTIN.",
                )
            )


def save_drugs(*, actor: Actor, drafts: list[DrugDraft], resolver: Resolver) -> None:
    Drug.objects.bulk_create([d.drug for d in drafts], batch_size=1000)
    saved = {
        d.approval_number: d for d in Drug.objects.filter(approval_number__in=[x.drug.approval_number for x in drafts])
    }
    manufacturers, levels = [], []
    for draft in drafts:
        drug = saved[draft.drug.approval_number]
        manufacturers += [
            DrugManufacturer(drug=drug, enterprise=resolver.enterprise(c, "", []))
            for c in set(draft.manufacturer_codes)
        ]
        for level in draft.package_levels:
            level.drug = drug
            levels.append(level)
    DrugManufacturer.objects.bulk_create(manufacturers, batch_size=2000)
    PackageLevel.objects.bulk_create(levels, batch_size=2000)
    record_changes(
        actor=actor,
        changes=[
            Change(
                "create",
                "registry.drug",
                d.drug.approval_number,
                None,
                _drug_snapshot(saved[d.drug.approval_number], d),
            )
            for d in drafts
        ],
    )


def _drug_snapshot(drug: Drug, draft: DrugDraft) -> dict[str, object]:
    levels = [snapshot(level, exclude=("id", "drug")) for level in draft.package_levels]
    return {
        **snapshot(drug, exclude=EXCLUDED),
        "manufacturers": sorted(set(draft.manufacturer_codes)),
        "package_levels": levels,
    }


def create_drug(*, actor: Actor, scope: Scope, data: DrugIn) -> Drug:
    require_registry_writer(scope)
    errors: list[FieldError] = []
    resolver = Resolver(scope)
    draft = build_drug(data, resolver, errors)
    raise_if(errors)
    assert draft is not None
    with atomic_write("approval_number"):
        save_drugs(actor=actor, drafts=[draft], resolver=resolver)
    return Drug.objects.get(approval_number=draft.drug.approval_number)


def update_drug(*, actor: Actor, scope: Scope, approval_number: str, data: DrugUpdate) -> Drug:
    require_registry_writer(scope)
    with transaction.atomic():
        drug = scope.apply(Drug.objects.select_for_update(of=("self",))).filter(approval_number=approval_number).first()
        if drug is None:
            raise NotFound("drug")
        check_version(drug.version, data.version)
        before = snapshot(drug, exclude=EXCLUDED)
        for name, value in data.model_dump(exclude_unset=True, exclude={"version"}).items():
            setattr(drug, name, value.strip() if isinstance(value, str) else value)
        drug.version += 1
        drug.search_text = search_text_for(drug.generic_name, drug.trade_name, drug.approval_number)
        drug.save()
        record_change(
            actor=actor,
            action="update",
            object_type="registry.drug",
            object_id=drug.approval_number,
            before=before,
            after=snapshot(drug, exclude=EXCLUDED),
        )
    return drug


def build_device(
    data: DeviceIn, resolver: Resolver, errors: list[FieldError]
) -> tuple[Device, list[DeviceIdentifier]] | None:
    number = collect(errors, validate_device_number, data.number, data.device_class)
    holder = resolver.enterprise(data.marketing_authorization_holder, "marketing_authorization_holder", errors)
    identifiers = []
    for i, ident in enumerate(data.identifiers):
        di = collect(errors, validate_udi_di, ident.di, ident.issuing_agency, f"identifiers.{i}.di")
        identifiers.append(
            DeviceIdentifier(
                di=di or "",
                issuing_agency=ident.issuing_agency,
                package_level=ident.package_level,
                quantity=ident.quantity,
            )
        )
    taken = DeviceIdentifier.objects.filter(di__in=[i.di for i in identifiers if i.di]).values_list("di", flat=True)
    errors += [
        FieldError(
            "identifiers",
            "duplicate",
            f"UDI-DI {di} is already registered to another device.",
            "Each device identifier belongs to one device and package level.",
        )
        for di in taken
    ]
    if number and Device.objects.filter(number=number).exists():
        errors.append(FieldError("number", "duplicate", f"{number} is already registered.", "Update it instead."))
    if number is None or holder is None or errors:
        return None
    device = Device(
        number=number,
        name=data.name.strip(),
        model_specification=data.model_specification.strip(),
        device_class=data.device_class,
        marketing_authorization_holder=holder,
        approved_on=data.approved_on,
        search_text=search_text_for(data.name, number),
    )
    return device, identifiers


def save_devices(*, actor: Actor, items: list[tuple[Device, list[DeviceIdentifier]]]) -> None:
    Device.objects.bulk_create([d for d, _ in items], batch_size=1000)
    saved = {d.number: d for d in Device.objects.filter(number__in=[d.number for d, _ in items])}
    identifiers = []
    for device, idents in items:
        for ident in idents:
            ident.device = saved[device.number]
            identifiers.append(ident)
    DeviceIdentifier.objects.bulk_create(identifiers, batch_size=2000)
    record_changes(
        actor=actor,
        changes=[
            Change(
                "create",
                "registry.device",
                d.number,
                None,
                {
                    **snapshot(saved[d.number], exclude=EXCLUDED),
                    "identifiers": [f"{i.issuing_agency}:{i.di}" for i in idents],
                },
            )
            for d, idents in items
        ],
    )


def create_device(*, actor: Actor, scope: Scope, data: DeviceIn) -> Device:
    require_registry_writer(scope)
    errors: list[FieldError] = []
    item = build_device(data, Resolver(scope), errors)
    raise_if(errors)
    assert item is not None
    with atomic_write("number"):
        save_devices(actor=actor, items=[item])
    return Device.objects.get(number=item[0].number)


def build_cosmetic(data: CosmeticIn, resolver: Resolver, errors: list[FieldError]) -> Cosmetic | None:
    number = collect(errors, validate_cosmetic_number, data.number, data.category)
    holder = resolver.enterprise(data.marketing_authorization_holder, "marketing_authorization_holder", errors)
    if number and Cosmetic.objects.filter(number=number).exists():
        errors.append(FieldError("number", "duplicate", f"{number} is already registered.", "Update it instead."))
    if number is None or holder is None or errors:
        return None
    return Cosmetic(
        number=number,
        name=data.name.strip(),
        category=data.category,
        marketing_authorization_holder=holder,
        approved_on=data.approved_on,
        search_text=search_text_for(data.name, number),
    )


def save_cosmetics(*, actor: Actor, cosmetics: list[Cosmetic]) -> None:
    Cosmetic.objects.bulk_create(cosmetics, batch_size=1000)
    saved = {c.number: c for c in Cosmetic.objects.filter(number__in=[c.number for c in cosmetics])}
    record_changes(
        actor=actor,
        changes=[
            Change("create", "registry.cosmetic", c.number, None, snapshot(saved[c.number], exclude=EXCLUDED))
            for c in cosmetics
        ],
    )


def create_cosmetic(*, actor: Actor, scope: Scope, data: CosmeticIn) -> Cosmetic:
    require_registry_writer(scope)
    errors: list[FieldError] = []
    cosmetic = build_cosmetic(data, Resolver(scope), errors)
    raise_if(errors)
    assert cosmetic is not None
    with atomic_write("number"):
        save_cosmetics(actor=actor, cosmetics=[cosmetic])
    return Cosmetic.objects.get(number=cosmetic.number)
