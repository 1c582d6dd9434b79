"""Model -> output schema, in one place, using only prefetched relations (no per-row queries)."""

from medreg.registry.models import Cosmetic, Device, Drug, Enterprise, Licence
from medreg.registry.schemas import (
    CosmeticOut,
    DeviceIdentifierIn,
    DeviceOut,
    DrugOut,
    EnterpriseOut,
    JurisdictionOut,
    LicenceOut,
    PackageLevelOut,
)


def enterprise_out(enterprise: Enterprise) -> EnterpriseOut:
    node = enterprise.jurisdiction
    return EnterpriseOut(
        uscc=enterprise.uscc,
        name=enterprise.name,
        types=enterprise.type_codes,
        legal_representative=enterprise.legal_representative,
        registered_address=enterprise.registered_address,
        jurisdiction=JurisdictionOut(code=node.code, name=node.name, level=node.level),
        status=enterprise.status,
        version=enterprise.version,
    )


def licence_out(licence: Licence) -> LicenceOut:
    return LicenceOut(
        id=licence.pk,
        enterprise=licence.enterprise.uscc,
        kind=licence.kind,
        number=licence.number,
        scope=licence.scope,
        issued_by=licence.issued_by.code,
        issued_on=licence.issued_on,
        valid_until=licence.valid_until,
        status=licence.status,
        version=licence.version,
    )


def drug_out(drug: Drug) -> DrugOut:
    return DrugOut(
        approval_number=drug.approval_number,
        generic_name=drug.generic_name,
        trade_name=drug.trade_name,
        dosage_form=drug.dosage_form,
        strength=drug.strength,
        marketing_authorization_holder=drug.marketing_authorization_holder.uscc,
        manufacturers=sorted(m.enterprise.uscc for m in drug.manufacturers.all()),
        prescription_class=drug.prescription_class,
        special_control=drug.special_control,
        status=drug.status,
        approved_on=drug.approved_on,
        version=drug.version,
        package_levels=[
            PackageLevelOut(
                level=p.level,
                description=p.description,
                quantity=p.quantity,
                drug_identification_code=p.drug_identification_code,
                gtin=p.gtin,
            )
            for p in drug.package_levels.all()
        ],
    )


def device_out(device: Device) -> DeviceOut:
    return DeviceOut(
        number=device.number,
        name=device.name,
        model_specification=device.model_specification,
        device_class=device.device_class,
        marketing_authorization_holder=device.marketing_authorization_holder.uscc,
        status=device.status,
        approved_on=device.approved_on,
        version=device.version,
        identifiers=[
            DeviceIdentifierIn(
                di=i.di, issuing_agency=i.issuing_agency, package_level=i.package_level, quantity=i.quantity
            )
            for i in device.identifiers.all()
        ],
    )


def cosmetic_out(cosmetic: Cosmetic) -> CosmeticOut:
    return CosmeticOut(
        number=cosmetic.number,
        name=cosmetic.name,
        category=cosmetic.category,
        marketing_authorization_holder=cosmetic.marketing_authorization_holder.uscc,
        status=cosmetic.status,
        approved_on=cosmetic.approved_on,
        version=cosmetic.version,
    )
