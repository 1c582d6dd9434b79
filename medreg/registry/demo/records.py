"""What the generator returns: plain, immutable records, free of the database, so that two runs
can be compared value by value and the loader can turn them into rows."""

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Division:
    """A county-level division with its city and province, as the Jurisdiction table names them."""

    code: str
    name: str
    city_code: str
    city_name: str
    province_code: str
    province_name: str


@dataclass(frozen=True)
class DemoEnterprise:
    """An enterprise or institution; `kind` is the generator's category (pharmacy, drug_holder ...)."""

    uscc: str
    name: str
    kind: str
    types: tuple[str, ...]
    legal_representative: str
    registered_address: str
    division: Division
    status: str = "active"


@dataclass(frozen=True)
class StatusStep:
    """One change of a licence's status after issue."""

    to_status: str
    on: dt.date
    reason: str


@dataclass(frozen=True)
class DemoLicence:
    """A licence with its history; its status is the last step's."""

    enterprise_uscc: str
    kind: str
    number: str
    scope: str
    issued_by: str
    issued_on: dt.date
    valid_until: dt.date
    history: tuple[StatusStep, ...] = ()

    @property
    def status(self) -> str:
        return self.history[-1].to_status if self.history else "valid"


@dataclass(frozen=True)
class DemoPackageLevel:
    """One packaging level with its 7-digit drug identification code."""

    level: int
    description: str
    quantity: int
    drug_identification_code: str


@dataclass(frozen=True)
class DemoDrug:
    """An approved drug."""

    approval_number: str
    generic_name: str
    trade_name: str
    dosage_form: str
    strength: str
    holder_uscc: str
    manufacturer_usccs: tuple[str, ...]
    prescription_class: str
    special_control: str
    status: str
    approved_on: dt.date
    package_levels: tuple[DemoPackageLevel, ...]


@dataclass(frozen=True)
class DemoDeviceIdentifier:
    """A GS1 UDI-DI (GTIN-14) of one package level."""

    di: str
    package_level: int
    quantity: int


@dataclass(frozen=True)
class DemoDevice:
    """A registered (class II/III) or filed (class I) medical device."""

    number: str
    name: str
    model_specification: str
    device_class: str
    holder_uscc: str
    status: str
    approved_on: dt.date
    identifiers: tuple[DemoDeviceIdentifier, ...]


@dataclass(frozen=True)
class DemoCosmetic:
    """A registered (special) or filed (ordinary) cosmetic."""

    number: str
    name: str
    category: str
    holder_uscc: str
    status: str
    approved_on: dt.date


@dataclass
class DemoData:
    """Everything one run generates."""

    enterprises: list[DemoEnterprise] = field(default_factory=list)
    licences: list[DemoLicence] = field(default_factory=list)
    drugs: list[DemoDrug] = field(default_factory=list)
    devices: list[DemoDevice] = field(default_factory=list)
    cosmetics: list[DemoCosmetic] = field(default_factory=list)
    holder_uscc: str = ""
    pharmacy_uscc: str = ""

    @property
    def product_count(self) -> int:
        return len(self.drugs) + len(self.devices) + len(self.cosmetics)
