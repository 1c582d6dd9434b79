"""Synthetic enterprises: names built from real place names and word lists, valid credit codes
registered in the enterprise's county, legal representatives and addresses in that county."""

import random
from typing import NamedTuple

from medreg.core.identifiers import make_uscc
from medreg.registry.demo import words
from medreg.registry.demo.numbers import NumberBook
from medreg.registry.demo.records import DemoEnterprise, Division


class EnterpriseKind(NamedTuple):
    """A category of enterprise the generator makes, with its registry types and how many at scale 1."""

    types: tuple[str, ...]
    zhejiang: int
    jiangsu: int


KINDS: dict[str, EnterpriseKind] = {
    "drug_holder": EnterpriseKind(("marketing_authorization_holder", "drug_manufacturer"), 320, 4),
    "drug_wholesaler": EnterpriseKind(("drug_wholesaler",), 450, 4),
    "retail_pharmacy": EnterpriseKind(("retail_pharmacy",), 3000, 20),
    "medical_institution": EnterpriseKind(("medical_institution",), 650, 4),
    "device_maker": EnterpriseKind(("device_registrant", "device_manufacturer"), 420, 3),
    "device_distributor": EnterpriseKind(("device_distributor",), 330, 2),
    "cosmetic_maker": EnterpriseKind(("cosmetic_registrant", "cosmetic_manufacturer"), 200, 1),
}
# Relative size of each city's regulated trade; counties share their city's weight equally.
CITY_WEIGHTS = {"330100": 3.0, "330200": 2.2, "330300": 2.0, "330700": 1.5, "331000": 1.3, "330600": 1.2}
HOLDER_NAME = "杭州康恩医药股份有限公司"
PHARMACY_NAME = "宁波海曙仁心大药房有限公司"
HOLDER_USCC = make_uscc("330106", "MA27KEN01")
PHARMACY_USCC = make_uscc("330203", "MA2RX0001")
_SUFFIXES = ("畲族自治县", "自治县", "新区", "区", "县", "市")


def scaled(base: int, scale: float, minimum: int) -> int:
    """`base` at scale 1, proportionally fewer or more, never below `minimum`."""
    return max(minimum, round(base * scale))


def short_name(name: str) -> str:
    """A place name without its administrative suffix: 西湖区 -> 西湖, 杭州市 -> 杭州."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def person_name(rng: random.Random) -> str:
    """A synthetic Chinese name: a common surname and one or two given-name characters."""
    given = "".join(rng.choice(words.GIVEN_NAME_CHARACTERS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(words.SURNAMES) + given


def address(rng: random.Random, division: Division) -> str:
    """A street address in the division: 浙江省杭州市西湖区文三路128号."""
    street = rng.choice(words.STREETS)
    return f"{division.province_name}{division.city_name}{division.name}{street}{rng.randrange(1, 900)}号"


def brand(rng: random.Random) -> str:
    """Two distinct characters that make a company's brand word."""
    first, second = rng.sample(words.BRAND_CHARACTERS, 2)
    return first + second


class EnterpriseMaker:
    """Makes enterprises of each kind in the given divisions, with unique names and codes."""

    def __init__(self, rng: random.Random, book: NumberBook) -> None:
        self.rng = rng
        self.book = book

    def make_many(self, kind: str, count: int, divisions: list[Division]) -> list[DemoEnterprise]:
        """`count` enterprises of `kind`, spread over the divisions by city weight."""
        weights = _division_weights(divisions)
        chosen = self.rng.choices(divisions, weights=weights, k=count)
        return [self.make(kind, division) for division in chosen]

    def make(self, kind: str, division: Division) -> DemoEnterprise:
        """One enterprise of `kind` registered in `division`."""
        public = kind == "medical_institution" and self.rng.random() < 0.6
        name = self.book.draw("name", lambda: self._name(kind, division, public))
        status = "deregistered" if kind == "retail_pharmacy" and self.rng.random() < 0.02 else "active"
        return DemoEnterprise(
            uscc=self.book.uscc(division.code, public_institution=public),
            name=name,
            kind=kind,
            types=KINDS[kind].types,
            legal_representative=person_name(self.rng),
            registered_address=address(self.rng, division),
            division=division,
            status=status,
        )

    def _name(self, kind: str, division: Division, public: bool) -> str:
        if kind == "retail_pharmacy":
            return self._pharmacy_name(division)
        if kind == "medical_institution":
            return self._institution_name(division, public)
        return self._company_name(kind, division)

    def _place(self, division: Division) -> str:
        province, city = short_name(division.province_name), short_name(division.city_name)
        return self.rng.choice((province, city, city, short_name(division.name)))

    def _company_name(self, kind: str, division: Division) -> str:
        word = self.rng.choice(_COMPANY_WORDS[kind])
        return f"{self._place(division)}{brand(self.rng)}{word}{self.rng.choice(words.LEGAL_FORMS)}"

    def _pharmacy_name(self, division: Division) -> str:
        pattern = self.rng.choice(words.PHARMACY_PATTERNS)
        place = self.rng.choice((short_name(division.city_name), short_name(division.name)))
        branch = short_name(division.name) + self.rng.choice(words.STREETS)[:2]
        return pattern.format(place=place, brand=brand(self.rng), branch=branch)

    def _institution_name(self, division: Division, public: bool) -> str:
        patterns = words.PUBLIC_HOSPITAL_PATTERNS if public else words.PRIVATE_HOSPITAL_PATTERNS
        place = self.rng.choice((division.city_name, division.name))
        street = self.rng.choice(words.STREETS)[:2]
        name = self.rng.choice(patterns).format(place=place, brand=brand(self.rng), street=street + "街道")
        return f"{name}{street}分院" if public and self.rng.random() < 0.3 else name


_COMPANY_WORDS = {
    "drug_holder": words.DRUG_MAKER_WORDS,
    "drug_wholesaler": words.WHOLESALER_WORDS,
    "device_maker": words.DEVICE_MAKER_WORDS,
    "device_distributor": words.DEVICE_DISTRIBUTOR_WORDS,
    "cosmetic_maker": words.COSMETIC_MAKER_WORDS,
}


def _division_weights(divisions: list[Division]) -> list[float]:
    per_city: dict[str, int] = {}
    for division in divisions:
        per_city[division.city_code] = per_city.get(division.city_code, 0) + 1
    return [CITY_WEIGHTS.get(d.city_code, 1.0) / per_city[d.city_code] for d in divisions]


def fixed_enterprises(book: NumberBook, divisions: dict[str, Division]) -> list[DemoEnterprise]:
    """The demo holder in 杭州 and the demo pharmacy in 宁波, the same whatever the seed."""
    holder = DemoEnterprise(
        uscc=book.reserve("uscc", HOLDER_USCC),
        name=book.reserve("name", HOLDER_NAME),
        kind="drug_holder",
        types=KINDS["drug_holder"].types,
        legal_representative="陈立新",
        registered_address="浙江省杭州市西湖区文三路88号",
        division=divisions["330106"],
    )
    pharmacy = DemoEnterprise(
        uscc=book.reserve("uscc", PHARMACY_USCC),
        name=book.reserve("name", PHARMACY_NAME),
        kind="retail_pharmacy",
        types=KINDS["retail_pharmacy"].types,
        legal_representative="王海燕",
        registered_address="浙江省宁波市海曙区中山路168号",
        division=divisions["330203"],
    )
    return [holder, pharmacy]
