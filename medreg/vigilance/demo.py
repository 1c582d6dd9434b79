"""Demo adverse reaction cases on top of the demo registry: reports from the demo province's hospitals
and the demo holder about the province's drugs (Chinese names from the registry), reactions from the
open demo terminology, stored through the same path as web reports. Deterministic for a seed.

Planted, so that the signal and duplicate pages have something true to show:
* three drug–reaction associations (`PLANTED`): each drug of the three gets many extra reports of
  its reaction, far above what the background rate predicts;
* four duplicate pairs: an event reported by a hospital and again by the holder a few days later
  (same patient, drug, reaction and onset; other reporter and narrative wording).

Then one signal run per quarter end over the cases received so far (`demo_signals`), so that the
signal table and the plots show each planted association rising over time.
"""

import datetime as dt
import random
import string
from typing import Any

from medreg.core.actor import Actor
from medreg.core.models import User
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry import selectors as registry
from medreg.vigilance import demo_variants
from medreg.vigilance.demo_signals import quarterly_runs
from medreg.vigilance.meddra.demo_terms import TERMS
from medreg.vigilance.models import Case
from medreg.vigilance.services import intake
from medreg.vigilance.services.duplicates import detect_duplicates
from medreg.vigilance.services.forms import store_report

PROVINCE_PATH = "/000000/330000/"
START = dt.date(2025, 1, 6)
BACKGROUND_CASES = 300
PLANTED_CASES = 24  # per planted association
DUPLICATE_PAIRS = 4
DRUG_COUNT = 12
# (index of the drug among the demo drugs, Chinese name of the demo reaction term)
PLANTED = ((0, "皮疹"), (1, "肝功能异常"), (2, "过敏性休克"))
CASE_PREFIX = "CN-DEMO-"


def load(seed: int = 2026) -> dict[str, int]:
    """Store the demo cases and look for duplicates; refuses to run twice (demo cases exist)."""
    if Case.objects.filter(worldwide_case_id__startswith=CASE_PREFIX).exists():
        return {"cases": Case.objects.count(), "skipped": 1}
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    drugs, senders = _drugs(), _senders()
    reactions = [chinese for _code, _group, chinese, _english, _synonyms in TERMS]
    planted = [(drugs[i % len(drugs)], name) for i, name in PLANTED if name in reactions]
    events = [_event(rng, rng.choice(drugs), rng.choice(reactions)) for _ in range(BACKGROUND_CASES)]
    events += [_event(rng, drug, reaction) for drug, reaction in planted for _ in range(PLANTED_CASES)]
    events.sort(key=lambda e: e["received"])
    actor = Actor.system("demo")
    for number, event in enumerate(events, 1):
        _store(actor, rng.choice(senders[1:]) if len(senders) > 1 else senders[0], event, number)
    for number, event in enumerate(rng.sample(events, DUPLICATE_PAIRS), len(events) + 1):
        _store(actor, senders[0], _retold(rng, event), number)
    found = detect_duplicates(actor=actor, scope=SYSTEM_SCOPE, today=max(e["received"] for e in events))
    variants = demo_variants.load(rng, senders[1:] or senders)
    runs = quarterly_runs(actor, CASE_PREFIX)
    return {"cases": Case.objects.count(), "duplicate_candidates": found, **variants, "signal_runs": len(runs)}


def _drugs() -> list[tuple[str, str]]:
    """(generic name, approval number) of the demo province's drugs, the demo holder's first."""
    found = registry.drugs(SYSTEM_SCOPE).filter(
        marketing_authorization_holder__jurisdiction__path__startswith=PROVINCE_PATH
    )
    rows = list(found.order_by("approval_number").values_list("generic_name", "approval_number")[:DRUG_COUNT])
    return rows or [("阿莫西林胶囊", ""), ("布洛芬片", ""), ("头孢呋辛酯片", "")]


def _senders() -> list[intake.Sender]:
    """The demo holder first, then the province's medical institutions."""
    holder = User.objects.filter(username="enterprise").values_list("enterprise_code", flat=True).first() or ""
    hospitals = registry.enterprises(SYSTEM_SCOPE).filter(
        jurisdiction__path__startswith=PROVINCE_PATH, type_assignments__type="medical_institution"
    )
    codes = [holder, *sorted(hospitals.values_list("uscc", flat=True).distinct())[:20]]
    paths = registry.enterprise_jurisdiction_paths(SYSTEM_SCOPE, set(codes))
    return [intake.Sender(code, "", paths[code]) for code in codes if code in paths]


def _event(rng: random.Random, drug: tuple[str, str], reaction: str) -> dict[str, Any]:
    received = START + dt.timedelta(days=rng.randrange(0, 600))
    onset = received - dt.timedelta(days=rng.randrange(1, 20))
    age = rng.randrange(2, 90)
    serious = rng.random() < 0.15
    return {
        "patient_initials": "".join(rng.choices(string.ascii_uppercase, k=rng.choice((2, 3)))),
        "patient_sex": rng.choice(("1", "2")),
        "patient_age": age,
        "patient_birth_date": onset - dt.timedelta(days=age * 365 + rng.randrange(0, 365)),
        "reaction": reaction,
        "onset_date": onset,
        "seriousness": ["hospitalisation"] if serious else [],
        "outcome": rng.choice(("1", "2", "2", "3")),
        "suspect_drug": drug[0],
        "batch_number": f"{received:%y%m}{rng.randrange(100):02d}",
        "approval_number": drug[1],
        "concomitant_drugs": "",
        "reporter_name": f"{rng.choice('王李张刘陈杨赵黄周吴')}医生",
        "reporter_qualification": rng.choice(("1", "2", "3")),
        "reporter_telephone": "",
        "narrative": f"患者使用{drug[0]}后第{rng.randrange(1, 8)}天出现{reaction}，经处理后{_better(serious)}。",
        "received": received,
    }


def _better(serious: bool) -> str:
    return "好转" if serious else "缓解"


def _retold(rng: random.Random, event: dict[str, Any]) -> dict[str, Any]:
    """The same event reported again by the holder a few days later, in other words."""
    return {
        **event,
        "reporter_name": "药物警戒部",
        "narrative": f"据医院反馈，患者用药（{event['suspect_drug']}）后出现{event['reaction']}，已好转。",
        "received": event["received"] + dt.timedelta(days=rng.randrange(2, 15)),
    }


def _store(actor: Actor, sender: intake.Sender, event: dict[str, Any], number: int) -> int:
    data = {key: value for key, value in event.items() if key != "received"}
    channel = "holder" if number > BACKGROUND_CASES + len(PLANTED) * PLANTED_CASES else "professional"
    return store_report(
        actor=actor,
        sender=sender,
        channel=channel,
        data=data,
        case_id=f"{CASE_PREFIX}{number:05d}",
        today=event["received"],
    )
