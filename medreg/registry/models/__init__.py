"""Registry models, one module per aggregate."""

from medreg.registry.models.enterprise import (
    Enterprise,
    EnterpriseStatus,
    EnterpriseType,
    EnterpriseTypeAssignment,
    Site,
)
from medreg.registry.models.licence import Licence, LicenceKind, LicenceStatus, LicenceStatusChange
from medreg.registry.models.product import (
    Cosmetic,
    CosmeticCategory,
    Device,
    DeviceClass,
    DeviceIdentifier,
    Drug,
    DrugManufacturer,
    PackageLevel,
    PrescriptionClass,
    ProductStatus,
    SpecialControl,
)

__all__ = [
    "Cosmetic",
    "CosmeticCategory",
    "Device",
    "DeviceClass",
    "DeviceIdentifier",
    "Drug",
    "DrugManufacturer",
    "Enterprise",
    "EnterpriseStatus",
    "EnterpriseType",
    "EnterpriseTypeAssignment",
    "Licence",
    "LicenceKind",
    "LicenceStatus",
    "LicenceStatusChange",
    "PackageLevel",
    "PrescriptionClass",
    "ProductStatus",
    "Site",
    "SpecialControl",
]
