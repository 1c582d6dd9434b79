"""Drugs (with package levels and drug identification codes), devices (with GS1 UDI-DIs) and
cosmetics, held by the generated enterprises."""

import datetime as dt
import random

from medreg.registry.demo.catalogue import COSMETICS, DEMO_HOLDER_DRUGS, DEVICES, DRUGS, DeviceKind, DrugKind
from medreg.registry.demo.enterprises import brand
from medreg.registry.demo.licences import date_between
from medreg.registry.demo.numbers import NumberBook
from medreg.registry.demo.records import (
    DemoCosmetic,
    DemoDevice,
    DemoDeviceIdentifier,
    DemoDrug,
    DemoEnterprise,
    DemoPackageLevel,
)

CASES = (10, 20, 40, 50, 100, 200)
PALLETS = (20, 24, 30, 40, 48)
_SPECIAL_COSMETICS = tuple(kind for kind in COSMETICS if kind.category == "special")
_ORDINARY_COSMETICS = tuple(kind for kind in COSMETICS if kind.category == "ordinary")


class ProductMaker:
    """Makes products for holders drawn with skewed weights (a few holders hold many products)."""

    def __init__(self, rng: random.Random, book: NumberBook, reference_date: dt.date) -> None:
        self.rng = rng
        self.book = book
        self.today = reference_date
        self._gs1_prefixes: dict[str, str] = {}
        self._brands: dict[str, str] = {}

    def holders(self, enterprises: list[DemoEnterprise], kind: str, count: int) -> list[DemoEnterprise]:
        """`count` holders of `kind`, with repeats, heavy-tailed like real product portfolios."""
        pool = [e for e in enterprises if e.kind == kind]
        weights = [self.rng.paretovariate(1.5) for _ in pool]
        return self.rng.choices(pool, weights=weights, k=count)

    def status(self) -> str:
        """Mostly approved; a few suspended or cancelled."""
        draw = self.rng.random()
        return "suspended" if draw < 0.015 else "cancelled" if draw < 0.03 else "approved"

    def drugs(self, enterprises: list[DemoEnterprise], count: int, demo_holder: DemoEnterprise) -> list[DemoDrug]:
        """The demo holder's fixed drugs, then `count` drugs of kinds drawn by weight."""
        by_name = {kind.generic_name: kind for kind in DRUGS}
        makers = [e for e in enterprises if e.kind == "drug_holder"]
        fixed = [self.drug(demo_holder, by_name[name], makers, "approved") for name in DEMO_HOLDER_DRUGS]
        kinds = self.rng.choices(DRUGS, weights=[kind.weight for kind in DRUGS], k=count)
        holders = self.holders(enterprises, "drug_holder", count)
        return fixed + [self.drug(holder, kind, makers) for holder, kind in zip(holders, kinds, strict=True)]

    def drug(self, holder: DemoEnterprise, kind: DrugKind, makers: list[DemoEnterprise], status: str = "") -> DemoDrug:
        """One drug of `kind`; one in ten is also made by a contract manufacturer."""
        number = self.book.drug_approval_number(kind.category, holder.division.province_code)
        contract = self.rng.choice(makers).uscc if self.rng.random() < 0.1 else holder.uscc
        return DemoDrug(
            approval_number=number,
            generic_name=kind.generic_name,
            trade_name=brand(self.rng) if self.rng.random() < 0.3 else "",
            dosage_form=kind.dosage_form,
            strength=self.rng.choice(kind.strengths),
            holder_uscc=holder.uscc,
            manufacturer_usccs=tuple(sorted({holder.uscc, contract})),
            prescription_class=kind.prescription_class,
            special_control=kind.special_control,
            status=status or self.status(),
            approved_on=self._approval_date(number[-8:]),
            package_levels=self._package_levels(kind),
        )

    def _approval_date(self, digits: str) -> dt.date:
        """In the year the digits name (19xx/20xx series), else some day since 2002."""
        if digits[:2] in ("19", "20"):
            year = int(digits[:4])
            return date_between(self.rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), self.today))
        return date_between(self.rng, dt.date(2002, 1, 1), dt.date(2020, 12, 31))

    def _package_levels(self, kind: DrugKind) -> tuple[DemoPackageLevel, ...]:
        """Sales unit, then case and pallet for most drugs, each with its own identification code."""
        depth = self.rng.choices((1, 2, 3), weights=(2, 5, 3))[0]
        per_pack = self.rng.choice(kind.units_per_pack)
        specs = [(f"每盒{per_pack}{kind.unit}", per_pack)]
        case = self.rng.choice(CASES)
        specs += [(f"每箱{case}盒", case), (f"每托{(pallet := self.rng.choice(PALLETS))}箱", pallet)]
        return tuple(
            DemoPackageLevel(level, description, quantity, self.book.drug_identification_code())
            for level, (description, quantity) in enumerate(specs[:depth], start=1)
        )

    def devices(self, enterprises: list[DemoEnterprise], count: int) -> list[DemoDevice]:
        """`count` devices of kinds drawn evenly from the catalogue."""
        kinds = self.rng.choices(DEVICES, k=count)
        holders = self.holders(enterprises, "device_maker", count)
        return [self.device(holder, kind) for holder, kind in zip(holders, kinds, strict=True)]

    def device(self, holder: DemoEnterprise, kind: DeviceKind) -> DemoDevice:
        """One device with a registration (II/III) or filing (I) number and GS1 UDI-DIs."""
        year = self.rng.randrange(2015, self.today.year)
        return DemoDevice(
            number=self.book.device_number(kind.device_class, kind.category, holder.division, year),
            name=kind.name,
            model_specification=self.rng.choice(kind.models),
            device_class=kind.device_class,
            holder_uscc=holder.uscc,
            status=self.status(),
            approved_on=date_between(self.rng, dt.date(year, 1, 1), dt.date(year, 12, 31)),
            identifiers=self._identifiers(holder),
        )

    def _identifiers(self, holder: DemoEnterprise) -> tuple[DemoDeviceIdentifier, ...]:
        """The unit's DI (indicator 0) and, for most devices, the case's DI (indicator 1)."""
        if holder.uscc not in self._gs1_prefixes:
            self._gs1_prefixes[holder.uscc] = self.book.gs1_company_prefix()
        prefix = self._gs1_prefixes[holder.uscc]
        item = self.book.serial(f"gs1:{prefix}")
        unit = DemoDeviceIdentifier(self.book.gtin14(prefix, item, 0), 1, 1)
        if self.rng.random() < 0.3:
            return (unit,)
        return (unit, DemoDeviceIdentifier(self.book.gtin14(prefix, item, 1), 2, self.rng.choice(CASES)))

    def cosmetics(self, enterprises: list[DemoEnterprise], count: int) -> list[DemoCosmetic]:
        """`count` cosmetics, about one in seven special (registered), the rest ordinary (filed)."""
        holders = self.holders(enterprises, "cosmetic_maker", count)
        return [self.cosmetic(holder) for holder in holders]

    def cosmetic(self, holder: DemoEnterprise) -> DemoCosmetic:
        """One cosmetic named after its registrant's brand."""
        kind = self.rng.choice(_SPECIAL_COSMETICS if self.rng.random() < 0.15 else _ORDINARY_COSMETICS)
        year = self.rng.randrange(2016 if kind.category == "special" else 2021, self.today.year)
        if holder.uscc not in self._brands:
            self._brands[holder.uscc] = brand(self.rng)
        return DemoCosmetic(
            number=self.book.cosmetic_number(kind.category, holder.division.province_code, year),
            name=f"{self._brands[holder.uscc]}{kind.name}",
            category=kind.category,
            holder_uscc=holder.uscc,
            status=self.status(),
            approved_on=date_between(self.rng, dt.date(year, 1, 1), dt.date(year, 12, 31)),
        )
