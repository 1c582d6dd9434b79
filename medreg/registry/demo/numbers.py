"""Valid, unique regulatory numbers drawn from one seeded random generator.

Every number follows the format that `medreg.core.identifiers` and
`medreg.registry.regulatory_numbers` validate; uniqueness is kept per family in `NumberBook`.
"""

import random
from collections import Counter
from collections.abc import Callable

from biip.checksums import gs1_standard_check_digit

from medreg.core.identifiers import USCC_ALPHABET, make_uscc
from medreg.registry.demo.records import Division
from medreg.registry.regulatory_numbers import PROVINCE_ABBREVIATIONS

# One-character city abbreviations used in class I filing and device licence numbers.
CITY_ABBREVIATIONS = {
    "330100": "杭",
    "330200": "甬",
    "330300": "温",
    "330400": "嘉",
    "330500": "湖",
    "330600": "绍",
    "330700": "金",
    "330800": "衢",
    "330900": "舟",
    "331000": "台",
    "331100": "丽",
    "320100": "宁",
}
# Telephone area codes, which drug distribution licence numbers carry after their two letters.
AREA_CODES = {
    "330100": "571",
    "330200": "574",
    "330300": "577",
    "330400": "573",
    "330500": "572",
    "330600": "575",
    "330700": "579",
    "330800": "570",
    "330900": "580",
    "331000": "576",
    "331100": "578",
    "320100": "025",
}
_LETTERS = "ABCD"
MAX_ATTEMPTS = 10_000


class NumberBook:
    """Hands out numbers no other record of the run has; remembers what it gave."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._taken: dict[str, set[str]] = {}
        self._serials: Counter[str] = Counter()

    def reserve(self, family: str, value: str) -> str:
        """Mark a fixed value (the demo holder's credit code ...) as taken."""
        self._taken.setdefault(family, set()).add(value)
        return value

    def draw(self, family: str, make: Callable[[], str]) -> str:
        """Call `make` until it gives a value not yet taken in `family`."""
        taken = self._taken.setdefault(family, set())
        for _ in range(MAX_ATTEMPTS):
            value = make()
            if value not in taken:
                taken.add(value)
                return value
        raise RuntimeError(f"no unused {family} value left after {MAX_ATTEMPTS} attempts; use a smaller --scale")

    def serial(self, key: str) -> int:
        """The next serial number (from 1) under `key`."""
        self._serials[key] += 1
        return self._serials[key]

    def uscc(self, division_code: str, public_institution: bool = False) -> str:
        """A credit code registered in the division: 91 (company) or 12 (public institution)."""
        if public_institution:
            return self.draw("uscc", lambda: make_uscc(division_code, f"{self.rng.randrange(10**9):09d}", "12"))
        return self.draw("uscc", lambda: make_uscc(division_code, "MA" + self._chars(7)))

    def _chars(self, count: int) -> str:
        return "".join(self.rng.choice(USCC_ALPHABET) for _ in range(count))

    def drug_approval_number(self, category: str, province_code: str) -> str:
        """国药准字 + category + 8 digits: a year series (19xx, 20xx), the former national series or the province."""
        return self.draw("drug", lambda: f"国药准字{category}{self._approval_digits(province_code)}")

    def _approval_digits(self, province_code: str) -> str:
        series = self.rng.choice(("20", "20", "20", "19", "10", province_code[:2]))
        if series == "20":
            return f"20{self.rng.randrange(0, 26):02d}{self.rng.randrange(10**4):04d}"
        if series == "19":
            return f"19{self.rng.randrange(85, 100):02d}{self.rng.randrange(10**4):04d}"
        return f"{series}{self.rng.randrange(10**6):06d}"

    def drug_identification_code(self) -> str:
        """A 7-digit drug identification code (the first seven digits of a traceability code)."""
        return self.draw("dic", lambda: f"{self.rng.randrange(8_000_000, 10_000_000):07d}")

    def device_number(self, device_class: str, category: str, division: Division, year: int) -> str:
        """Class III: 国械注准; class II: the province's 械注准; class I: the city's 械备 filing."""
        province = PROVINCE_ABBREVIATIONS[division.province_code[:2]]
        if device_class == "I":
            city = CITY_ABBREVIATIONS.get(division.city_code, "")
            return self.draw("device", lambda: f"{province}{city}械备{year}{self.rng.randrange(10**4):04d}号")
        authority = "国" if device_class == "III" else province
        digit = "3" if device_class == "III" else "2"
        return self.draw("device", lambda: f"{authority}械注准{year}{digit}{category}{self.rng.randrange(10**4):04d}")

    def gs1_company_prefix(self) -> str:
        """An 8-digit GS1 China company prefix (692-695 ranges), unique per enterprise."""
        return self.draw("gs1", lambda: f"69{self.rng.randrange(2, 6)}{self.rng.randrange(10**5):05d}")

    @staticmethod
    def gtin14(company_prefix: str, item: int, indicator: int) -> str:
        """The GTIN-14 of item `item` of `company_prefix` at packaging indicator `indicator` (0 = unit)."""
        body = f"{indicator}{company_prefix}{item:04d}"
        return f"{body}{gs1_standard_check_digit(body)}"

    def cosmetic_number(self, category: str, province_code: str, year: int) -> str:
        """国妆特字G + year + 4 digits (special) or 浙G妆网备字 + year + 6 digits (ordinary)."""
        if category == "special":
            return self.draw("cosmetic", lambda: f"国妆特字G{year}{self.rng.randrange(10**4):04d}")
        province = PROVINCE_ABBREVIATIONS[province_code[:2]]
        return self.draw("cosmetic", lambda: f"{province}G妆网备字{year}{self.rng.randrange(10**6):06d}")

    def licence_number(self, kind: str, division: Division, year: int) -> str:
        """A licence number of `kind`, issued in the enterprise's province (and city)."""
        province = PROVINCE_ABBREVIATIONS[division.province_code[:2]]
        city = CITY_ABBREVIATIONS.get(division.city_code, "")
        if kind in ("drug_wholesale", "drug_retail"):
            return self._distribution_number(kind, province, division.city_code)
        head, tail = {
            "drug_production": (f"{province}{year}", ""),
            "cosmetic_production": (f"{province}妆{year}", ""),
            "device_production": (f"{province}药监械生产许{year}", "号"),
            "device_production_record": (f"{province}{city}药监械生产备{year}", "号"),
            "device_distribution": (f"{province}{city}药监械经营许{year}", "号"),
            "device_distribution_record": (f"{province}{city}药监械经营备{year}", "号"),
        }[kind]
        return f"{head}{self.serial(f'{kind}:{head}'):04d}{tail}"

    def _distribution_number(self, kind: str, province: str, city_code: str) -> str:
        """浙AA5710001 (wholesale) / 浙DA5710001 (retail): two letters, area code, 4-digit serial."""
        serial = self.serial(f"{kind}:{city_code}")
        first = "A" if kind == "drug_wholesale" else "D"
        area = AREA_CODES.get(city_code, city_code[1:4])
        return f"{province}{first}{_LETTERS[serial // 10**4]}{area}{serial % 10**4:04d}"
