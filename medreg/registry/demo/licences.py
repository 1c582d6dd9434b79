"""Licences for the generated enterprises, of the kinds their trade needs, with valid numbers and
a history: most are valid, some suspended (and perhaps reinstated), revoked or expired."""

import datetime as dt
import random

from medreg.registry.demo import words
from medreg.registry.demo.numbers import NumberBook
from medreg.registry.demo.records import DemoEnterprise, DemoLicence, StatusStep

# Licence kinds each enterprise kind holds: always, and sometimes (with the given probability).
REQUIRED = {
    "drug_holder": ("drug_production",),
    "drug_wholesaler": ("drug_wholesale",),
    "retail_pharmacy": ("drug_retail",),
    "medical_institution": (),
    "device_maker": ("device_production",),
    "device_distributor": ("device_distribution",),
    "cosmetic_maker": ("cosmetic_production",),
}
OPTIONAL = {
    "drug_wholesaler": (("device_distribution_record", 0.3),),
    "retail_pharmacy": (("device_distribution_record", 0.4),),
    "device_maker": (("device_production_record", 0.35),),
    "device_distributor": (("device_distribution_record", 0.5),),
}
SCOPES = {
    "drug_production": "片剂，硬胶囊剂，颗粒剂，小容量注射剂，原料药",
    "drug_wholesale": "中药饮片，中成药，化学药，生物制品（含疫苗以外）",
    "drug_retail": "处方药，甲类非处方药，乙类非处方药：中成药，化学药，生物制品",
    "device_production": "II类、III类：14注输、护理和防护器械；07医用诊察和监护器械",
    "device_production_record": "I类：14注输、护理和防护器械",
    "device_distribution": "III类医疗器械（不含体外诊断试剂）",
    "device_distribution_record": "II类医疗器械",
    "cosmetic_production": "一般液态单元，膏霜乳液单元，粉单元",
}
PROVINCE_ISSUED = {"drug_production", "drug_wholesale", "device_production", "cosmetic_production"}
VALIDITY_YEARS = 5
# Outcomes are drawn as a number in [0, 1): below 0.04 expired, then suspended, revoked,
# suspended and reinstated; 0.10 and above valid without history.
EXPIRED, SUSPENDED, REVOKED, REINSTATED = 0.02, 0.05, 0.07, 0.09


def date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day in [start, end]."""
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class LicenceMaker:
    """Makes each enterprise's licences, dated relative to the fixed reference date."""

    def __init__(self, rng: random.Random, book: NumberBook, reference_date: dt.date) -> None:
        self.rng = rng
        self.book = book
        self.today = reference_date
        # The first licences drawn take each outcome once, so that even a tiny demo shows them all.
        self._guaranteed = [EXPIRED, SUSPENDED, REVOKED, REINSTATED]

    def for_enterprise(self, enterprise: DemoEnterprise, in_force: bool = False) -> list[DemoLicence]:
        """The licences `enterprise` holds; `in_force` ones are valid, without history."""
        kinds = list(REQUIRED[enterprise.kind])
        for kind, probability in OPTIONAL.get(enterprise.kind, ()):
            if self.rng.random() < probability:
                kinds.append(kind)
        return [self.make(enterprise, kind, in_force) for kind in kinds]

    def _outcome(self) -> float:
        return self._guaranteed.pop(0) if self._guaranteed else self.rng.random()

    def make(self, enterprise: DemoEnterprise, kind: str, in_force: bool = False) -> DemoLicence:
        """One licence; about one in ten has a suspension, revocation or expiry in its history."""
        outcome = 1.0 if in_force else self._outcome()
        issued_on = self._issue_date(expired=outcome < 0.04)
        valid_until = add_years(issued_on, VALIDITY_YEARS) - dt.timedelta(days=1)
        division = enterprise.division
        return DemoLicence(
            enterprise_uscc=enterprise.uscc,
            kind=kind,
            number=self.book.licence_number(kind, division, issued_on.year),
            scope=SCOPES[kind],
            issued_by=division.province_code if kind in PROVINCE_ISSUED else division.city_code,
            issued_on=issued_on,
            valid_until=valid_until,
            history=self._history(outcome, issued_on, valid_until),
        )

    def _issue_date(self, expired: bool) -> dt.date:
        if expired:
            start = add_years(self.today, -8)
            return date_between(self.rng, start, add_years(self.today, -VALIDITY_YEARS))
        # Licences in force were issued in the two years before the reference date, so that they stay
        # in force for about three years after it: the demo keeps working while the calendar moves on.
        start = add_years(self.today, -2)
        return date_between(self.rng, start, self.today - dt.timedelta(days=10))

    def _history(self, outcome: float, issued_on: dt.date, valid_until: dt.date) -> tuple[StatusStep, ...]:
        if outcome < 0.04:
            return (StatusStep("expired", valid_until + dt.timedelta(days=1), f"有效期届满（{valid_until}）"),)
        if outcome >= 0.10:
            return ()
        suspended_on = date_between(self.rng, issued_on + dt.timedelta(days=1), self.today - dt.timedelta(days=2))
        suspension = StatusStep("suspended", suspended_on, self.rng.choice(words.SUSPENSION_REASONS))
        if outcome < 0.065:
            return (suspension,)
        later = date_between(self.rng, suspended_on + dt.timedelta(days=1), self.today)
        if outcome < 0.08:
            return (suspension, StatusStep("revoked", later, self.rng.choice(words.REVOCATION_REASONS)))
        return (suspension, StatusStep("valid", later, words.REINSTATEMENT_REASON))
