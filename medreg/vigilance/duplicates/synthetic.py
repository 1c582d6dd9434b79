"""A deterministic synthetic labeled set for duplicate detection, with realistic noise.

An *event* is one patient's reaction; a *report* is one source's account of it. Duplicate pairs are
two reports of one event from two sources: initials typos, shifted or missing dates, rounded ages,
a dropped or added drug, a related reaction term in place of another, another narrative wording,
missing fields. Hard non-duplicates come from *clusters*: many patients in one province with the
same drugs and reactions around the same dates, often reported by the same physician.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, replace
from typing import TypeVar

from medreg.vigilance.duplicates.model import CaseSummary

DRUGS = [
    "amoxicillin",
    "cefuroxime",
    "ceftriaxone",
    "levofloxacin",
    "moxifloxacin",
    "azithromycin",
    "clindamycin",
    "vancomycin",
    "metformin",
    "insulin",
    "glargine",
    "gliclazide",
    "atorvastatin",
    "rosuvastatin",
    "amlodipine",
    "nifedipine",
    "losartan",
    "valsartan",
    "metoprolol",
    "aspirin",
    "clopidogrel",
    "warfarin",
    "heparin",
    "ibuprofen",
    "diclofenac",
    "paracetamol",
    "tramadol",
    "morphine",
    "omeprazole",
    "pantoprazole",
    "ranitidine",
    "carbamazepine",
    "valproate",
    "lamotrigine",
    "levetiracetam",
    "olanzapine",
    "risperidone",
    "sertraline",
    "paroxetine",
    "cisplatin",
    "carboplatin",
    "paclitaxel",
    "docetaxel",
    "cyclophosphamide",
    "methotrexate",
    "rituximab",
    "trastuzumab",
    "iodixanol",
    "iohexol",
    "danshen",
    "xiyanping",
    "shuanghuanglian",
    "qingkailing",
    "chuanhuning",
    "tanreqing",
    "allopurinol",
    "prednisone",
    "dexamethasone",
]
REACTION_GROUPS = (
    ("rash", "rash pruritic", "rash erythematous", "urticaria"),
    ("pruritus", "pruritus generalised"),
    ("nausea", "vomiting", "retching"),
    ("dizziness", "vertigo"),
    ("headache", "head discomfort"),
    ("diarrhoea", "abdominal pain", "abdominal discomfort"),
    ("dyspnoea", "chest discomfort", "bronchospasm"),
    ("anaphylactic reaction", "anaphylactic shock", "hypotension"),
    ("pyrexia", "chills", "rigors"),
    ("palpitations", "tachycardia"),
    ("hepatic function abnormal", "alanine aminotransferase increased", "hepatotoxicity"),
    ("renal impairment", "blood creatinine increased"),
    ("leukopenia", "neutropenia", "white blood cell count decreased"),
    ("thrombocytopenia", "platelet count decreased"),
    ("injection site pain", "injection site reaction", "phlebitis"),
    ("angioedema", "face oedema", "eyelid oedema"),
    ("insomnia", "somnolence"),
    ("fatigue", "asthenia"),
)
PROVINCES = tuple(f"{code}0000" for code in (11, 12, 13, 31, 32, 33, 34, 35, 37, 41, 42, 43, 44, 45, 50, 51, 53, 61))
TEMPLATES = (
    "患者{sex}，{age}岁，因{indication}使用{drugs}，用药后{days}天出现{reactions}，予{treatment}后{outcome}。",
    "{age}岁{sex}性患者使用{drugs}治疗{indication}，第{days}天发生{reactions}。处理：{treatment}。转归：{outcome}。",
    "A {age}-year-old {sex_en} patient received {drugs} for {indication} and developed {reactions} "
    "after {days} days; {outcome_en} after {treatment_en}.",
)
INDICATIONS = ("肺炎", "高血压", "糖尿病", "类风湿关节炎", "肺癌", "乳腺癌", "癫痫", "抑郁症", "冠心病", "上呼吸道感染")
TREATMENTS = (("停药", "drug withdrawal"), ("抗过敏治疗", "antihistamines"), ("对症治疗", "supportive care"))
OUTCOMES = (("好转", "improved"), ("痊愈", "recovered"), ("未好转", "not recovered"))
LETTERS = "ZWLYCHXJSGMQDTFBKRN"
START = dt.date(2024, 1, 1)
T = TypeVar("T")
_DRUG_WEIGHTS = [1 / (rank + 3) for rank in range(len(DRUGS))]
_GROUP_WEIGHTS = [1 / (rank + 2) for rank in range(len(REACTION_GROUPS))]


@dataclass(frozen=True, slots=True)
class SyntheticSet:
    """Generated cases and the labeled duplicate pairs as sorted index pairs (i < j)."""

    cases: list[CaseSummary]
    duplicate_pairs: frozenset[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class _Event:
    """The truth about one patient's reaction, before any source reports it."""

    number: int
    sex: str
    age: int
    birth: str
    initials: str
    province: str
    onset: dt.date
    drugs: tuple[str, ...]
    reactions: tuple[str, ...]
    reporter: str
    facts: tuple[int, int, int, int]  # indication, days to onset, treatment, outcome


def _pseudonym(kind: str, value: object) -> str:
    """A stable opaque token standing for a pseudonymized identifier."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:12]


def _drug_choice(rng: random.Random) -> str:
    """A drug, Zipf-like (weight 1 / (rank + 3)): the first drugs of the list are reported most often."""
    return rng.choices(DRUGS, weights=_DRUG_WEIGHTS)[0]


def _reaction_choice(rng: random.Random) -> str:
    """A reaction term: a group (Zipf-like), then the group's usual term (most often) or a related one."""
    group = rng.choices(REACTION_GROUPS, weights=_GROUP_WEIGHTS)[0]
    return group[0] if rng.random() < 0.6 else rng.choice(group)


def _patient(rng: random.Random, number: int) -> tuple[str, int, str, str]:
    """Sex, age, birth-date pseudonym and initials of a new patient."""
    age = max(0, min(95, int(rng.gauss(52, 20))))
    initials = "".join(rng.choice(LETTERS) for _ in range(rng.choice((2, 3, 3))))
    return rng.choice("MF"), age, _pseudonym("birth", (number, age)), initials


def _new_event(rng: random.Random, number: int, template: _Event | None) -> _Event:
    """A fresh event, or a different patient in the same cluster as ``template``."""
    sex, age, birth, initials = _patient(rng, number)
    facts = (rng.randrange(len(INDICATIONS)), rng.randint(1, 14), rng.randrange(3), rng.randrange(3))
    if template is not None:
        onset = template.onset + dt.timedelta(days=rng.randint(-20, 20))
        reporter = template.reporter if rng.random() < 0.5 else _pseudonym("reporter", rng.randrange(3000))
        return _Event(
            number,
            sex,
            age,
            birth,
            initials,
            template.province,
            onset,
            template.drugs,
            template.reactions,
            reporter,
            facts,
        )
    drugs = tuple(sorted({_drug_choice(rng) for _ in range(rng.choice((1, 1, 2, 3)))}))
    reactions = tuple(sorted({_reaction_choice(rng) for _ in range(rng.choice((1, 1, 2, 3)))}))
    onset = START + dt.timedelta(days=rng.randrange(730))
    return _Event(
        number,
        sex,
        age,
        birth,
        initials,
        rng.choice(PROVINCES),
        onset,
        drugs,
        reactions,
        _pseudonym("reporter", rng.randrange(3000)),
        facts,
    )


def _narrative(rng: random.Random, event: _Event, drugs: tuple[str, ...], reactions: tuple[str, ...]) -> str:
    """The narrative in one of the templates (each source words it its own way)."""
    indication, days, treatment, outcome = event.facts
    return rng.choice(TEMPLATES).format(
        sex="男" if event.sex == "M" else "女",
        sex_en="male" if event.sex == "M" else "female",
        age=event.age,
        indication=INDICATIONS[indication],
        drugs="、".join(drugs),
        days=days,
        reactions="、".join(reactions),
        treatment=TREATMENTS[treatment][0],
        treatment_en=TREATMENTS[treatment][1],
        outcome=OUTCOMES[outcome][0],
        outcome_en=OUTCOMES[outcome][1],
    )


def _maybe(rng: random.Random, probability: float, value: T) -> T | None:
    """``value``, or None with the given probability."""
    return None if rng.random() < probability else value


def _report(rng: random.Random, event: _Event, case_id: str) -> CaseSummary:
    """A first report of an event, with the usual missing fields."""
    receive = event.onset + dt.timedelta(days=int(rng.expovariate(1 / 20)))
    return CaseSummary(
        case_id=case_id,
        sex=_maybe(rng, 0.03, event.sex),
        age_years=_maybe(rng, 0.1, float(event.age)),
        birth_date_pseudonym=_maybe(rng, 0.5, event.birth),
        initials_pseudonym=_maybe(rng, 0.15, event.initials),
        reporter_pseudonym=event.reporter,
        jurisdiction=event.province,
        onset_date=_maybe(rng, 0.08, event.onset),
        receive_date=receive,
        suspect_drugs=frozenset(event.drugs),
        reactions=frozenset(event.reactions),
        narrative="" if rng.random() < 0.05 else _narrative(rng, event, event.drugs, event.reactions),
    )


def _typo(rng: random.Random, text: str) -> str:
    """``text`` with one letter replaced by another."""
    position = rng.randrange(len(text))
    return text[:position] + rng.choice(LETTERS.replace(text[position], "")) + text[position + 1 :]


def _noisy_age(rng: random.Random, age: int) -> float | None:
    """The age as a second source gives it: missing, rounded to 5 years, off by one, or exact."""
    draw = rng.random()
    if draw < 0.15:
        return None
    if draw < 0.35:
        return float(5 * round(age / 5))
    return float(age + rng.choice((-1, 1))) if draw < 0.5 else float(age)


def _noisy_onset(rng: random.Random, onset: dt.date) -> dt.date | None:
    """The onset date: missing, shifted a few days, a month off (day/month confusion) or the same."""
    draw = rng.random()
    if draw < 0.15:
        return None
    if draw < 0.35:
        return onset + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(1, 5))
    return onset + dt.timedelta(days=rng.choice((-31, 30))) if draw < 0.4 else onset


def _noisy_drugs(rng: random.Random, drugs: tuple[str, ...]) -> tuple[str, ...]:
    """The suspect drugs: sometimes one dropped, sometimes another added."""
    kept = list(drugs)
    if len(kept) > 1 and rng.random() < 0.25:
        kept.remove(rng.choice(kept))
    if rng.random() < 0.1:
        kept.append(_drug_choice(rng))
    return tuple(sorted(set(kept)))


def _noisy_reactions(rng: random.Random, reactions: tuple[str, ...]) -> tuple[str, ...]:
    """The reactions: a related term in place of another, one dropped, or one added."""
    related = {term: group for group in REACTION_GROUPS for term in group}
    kept = [rng.choice(related[term]) if rng.random() < 0.25 else term for term in reactions]
    if len(kept) > 1 and rng.random() < 0.15:
        kept.remove(rng.choice(kept))
    if rng.random() < 0.1:
        kept.append(_reaction_choice(rng))
    return tuple(sorted(set(kept)))


def _second_report(rng: random.Random, event: _Event, first: CaseSummary, case_id: str) -> CaseSummary:
    """Another source's report of the same event."""
    drugs, reactions = _noisy_drugs(rng, event.drugs), _noisy_reactions(rng, event.reactions)
    initials = _typo(rng, event.initials) if rng.random() < 0.15 else event.initials
    same_reporter = rng.random() < 0.3
    return replace(
        first,
        case_id=case_id,
        sex=_maybe(rng, 0.1, event.sex),
        age_years=_noisy_age(rng, event.age),
        birth_date_pseudonym=_maybe(rng, 0.5, event.birth if rng.random() > 0.03 else _pseudonym("typo", case_id)),
        initials_pseudonym=_maybe(rng, 0.2, initials),
        reporter_pseudonym=event.reporter if same_reporter else _pseudonym("reporter", rng.randrange(3000)),
        jurisdiction=_maybe(rng, 0.03, event.province if rng.random() < 0.95 else rng.choice(PROVINCES)),
        onset_date=_noisy_onset(rng, event.onset),
        receive_date=(first.receive_date or event.onset) + dt.timedelta(days=rng.randint(0, 60)),
        suspect_drugs=frozenset(drugs),
        reactions=frozenset(reactions),
        narrative="" if rng.random() < 0.1 else _narrative(rng, event, drugs, reactions),
    )


def _events(rng: random.Random, count: int, cluster_share: float) -> list[_Event]:
    """Events; a new event starts a cluster of 5-40 look-alike patients with probability ``cluster_share / 10``."""
    events: list[_Event] = []
    while len(events) < count:
        seed_event = _new_event(rng, len(events), None)
        events.append(seed_event)
        if rng.random() < cluster_share / 10:
            base = len(events)
            events.extend(_new_event(rng, base + k, seed_event) for k in range(rng.randint(5, 40)))
    return events[:count]


def generate_set(
    report_count: int = 20_000, duplicate_pair_count: int = 1_000, seed: int = 0, cluster_share: float = 0.3
) -> SyntheticSet:
    """``report_count`` reports of which ``duplicate_pair_count`` pairs report the same event.

    With the default ``cluster_share`` of 0.3 about 40 % of the events belong to look-alike clusters.
    """
    rng = random.Random(seed)  # noqa: S311 (seeded synthetic test data, not security)
    events = _events(rng, report_count - duplicate_pair_count, cluster_share)
    duplicated = set(rng.sample(range(len(events)), duplicate_pair_count))
    reports: list[tuple[int, CaseSummary]] = []
    for event in events:
        first = _report(rng, event, "")
        reports.append((event.number, first))
        if event.number in duplicated:
            reports.append((event.number, _second_report(rng, event, first, "")))
    rng.shuffle(reports)
    cases = [replace(case, case_id=f"SYN-{seed}-{i:06d}") for i, (_, case) in enumerate(reports)]
    return SyntheticSet(cases, _pairs_of([number for number, _ in reports]))


def _pairs_of(event_numbers: list[int]) -> frozenset[tuple[int, int]]:
    """Index pairs (i < j) of reports sharing an event number."""
    first_seen: dict[int, int] = {}
    pairs = set()
    for index, number in enumerate(event_numbers):
        if number in first_seen:
            pairs.add((first_seen[number], index))
        first_seen.setdefault(number, index)
    return frozenset(pairs)
