"""Input and output shapes of registry data, shared by the API and the file importers."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from medreg.registry.models import (
    CosmeticCategory,
    DeviceClass,
    EnterpriseStatus,
    EnterpriseType,
    LicenceKind,
    LicenceStatus,
    PrescriptionClass,
    SpecialControl,
)


class EnterpriseIn(Schema):
    uscc: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=2, max_length=200)
    types: list[EnterpriseType] = Field(min_length=1)
    legal_representative: str = Field(min_length=1, max_length=100)
    registered_address: str = Field(min_length=2, max_length=300)
    jurisdiction: str = Field(min_length=1, max_length=12, description="GB/T 2260 county-level code")
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE


class EnterpriseUpdate(Schema):
    version: int = Field(ge=1, description="The version you read; a newer one on the server answers 409.")
    name: str | None = Field(default=None, min_length=2, max_length=200)
    types: list[EnterpriseType] | None = Field(default=None, min_length=1)
    legal_representative: str | None = Field(default=None, min_length=1, max_length=100)
    registered_address: str | None = Field(default=None, min_length=2, max_length=300)
    jurisdiction: str | None = Field(default=None, max_length=12)
    status: EnterpriseStatus | None = None


class LicenceIn(Schema):
    enterprise: str = Field(description="unified social credit code of the holder")
    kind: LicenceKind
    number: str = Field(min_length=1, max_length=60)
    scope: str = Field(min_length=1, max_length=2000)
    issued_by: str = Field(description="GB/T 2260 code of the issuing regulator")
    issued_on: dt.date
    valid_until: dt.date | None = None


class LicenceStatusIn(Schema):
    version: int = Field(ge=1)
    status: LicenceStatus
    reason: str = Field(min_length=2, max_length=500)


class PackageLevelIn(Schema):
    level: int = Field(ge=1, le=5)
    description: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=1_000_000)
    drug_identification_code: str | None = None
    gtin: str | None = None


class DrugIn(Schema):
    approval_number: str = Field(min_length=1, max_length=40)
    generic_name: str = Field(min_length=1, max_length=200)
    trade_name: str = Field(default="", max_length=200)
    dosage_form: str = Field(min_length=1, max_length=50)
    strength: str = Field(min_length=1, max_length=100)
    marketing_authorization_holder: str = Field(description="credit code of the holder")
    manufacturers: list[str] = Field(default_factory=list, description="credit codes of the manufacturers")
    prescription_class: PrescriptionClass
    special_control: SpecialControl = SpecialControl.NONE
    approved_on: dt.date
    package_levels: list[PackageLevelIn] = Field(default_factory=list, max_length=5)


class DrugUpdate(Schema):
    version: int = Field(ge=1)
    trade_name: str | None = Field(default=None, max_length=200)
    strength: str | None = Field(default=None, min_length=1, max_length=100)
    dosage_form: str | None = Field(default=None, min_length=1, max_length=50)
    prescription_class: PrescriptionClass | None = None
    special_control: SpecialControl | None = None
    status: str | None = Field(default=None, pattern="^(approved|suspended|cancelled)$")


class DeviceIdentifierIn(Schema):
    di: str = Field(min_length=1, max_length=40)
    issuing_agency: str = Field(pattern="^(GS1|HIBCC|ICCBBA)$")
    package_level: int = Field(default=1, ge=1, le=5)
    quantity: int = Field(default=1, ge=1)


class DeviceIn(Schema):
    number: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    model_specification: str = Field(default="", max_length=300)
    device_class: DeviceClass
    marketing_authorization_holder: str
    approved_on: dt.date
    identifiers: list[DeviceIdentifierIn] = Field(default_factory=list, max_length=10)


class CosmeticIn(Schema):
    number: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    category: CosmeticCategory
    marketing_authorization_holder: str
    approved_on: dt.date


class JurisdictionOut(Schema):
    code: str
    name: str
    level: int


class EnterpriseOut(Schema):
    uscc: str
    name: str
    types: list[str]
    legal_representative: str
    registered_address: str
    jurisdiction: JurisdictionOut
    status: str
    version: int


class LicenceOut(Schema):
    id: int
    enterprise: str
    kind: str
    number: str
    scope: str
    issued_by: str
    issued_on: dt.date
    valid_until: dt.date | None
    status: str
    version: int


class PackageLevelOut(Schema):
    level: int
    description: str
    quantity: int
    drug_identification_code: str | None
    gtin: str | None


class DrugOut(Schema):
    approval_number: str
    generic_name: str
    trade_name: str
    dosage_form: str
    strength: str
    marketing_authorization_holder: str
    manufacturers: list[str]
    prescription_class: str
    special_control: str
    status: str
    approved_on: dt.date
    package_levels: list[PackageLevelOut]
    version: int


class DeviceOut(Schema):
    number: str
    name: str
    model_specification: str
    device_class: str
    marketing_authorization_holder: str
    status: str
    approved_on: dt.date
    identifiers: list[DeviceIdentifierIn]
    version: int


class CosmeticOut(Schema):
    number: str
    name: str
    category: str
    marketing_authorization_holder: str
    status: str
    approved_on: dt.date
    version: int


class SearchHit(Schema):
    kind: str
    key: str
    title: str
    subtitle: str
    url: str
