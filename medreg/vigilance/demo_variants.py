"""Demo device adverse event and cosmetic adverse reaction cases: reports from the demo province's
hospitals about the province's registered devices (by UDI-DI or certificate number) and cosmetics
(by number), stored through the same path as the web forms. Deterministic for the caller's `rng`."""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry import selectors as registry
from medreg.vigilance.forms_variants import CosmeticReportForm, DeviceReportForm
from medreg.vigilance.services import intake
from medreg.vigilance.services.variants import store_variant

PROVINCE_PATH = "/000000/330000/"
DEVICE_CASES = 12
COSMETIC_CASES = 12
START = dt.date(2025, 3, 3)
DEVICE_EVENTS = (
    ("malfunction", "A0401", "充气不止", "", ""),
    ("malfunction", "A0501", "显示屏无读数", "", ""),
    ("serious_injury", "A0701", "导管断裂", "E0101", "局部出血"),
    ("other", "", "包装破损", "E2301", "皮肤划伤"),
)
COSMETIC_REACTIONS = (
    ("allergic_dermatitis", "面部红斑、瘙痒", "face"),
    ("irritant_dermatitis", "涂抹处灼热、刺痛", "face"),
    ("acne", "额部丘疹、粉刺", "face"),
    ("hair_damage", "头发干枯、断裂", "scalp_hair"),
)


def load(rng: random.Random, senders: list[intake.Sender]) -> dict[str, int]:
    """Store the demo device and cosmetic cases; answers how many of each."""
    devices = list(_province(registry.devices(SYSTEM_SCOPE))[:6])
    cosmetics = list(_province(registry.cosmetics(SYSTEM_SCOPE))[:6])
    actor = Actor.system("demo")
    stored = {"device_cases": 0, "cosmetic_cases": 0}
    for n in range(DEVICE_CASES if devices else 0):
        device, day = devices[n % len(devices)], START + dt.timedelta(days=rng.randrange(0, 500))
        identifiers = [i.di for i in device.identifiers.all()]
        event, device_code, device_problem, patient_code, patient_problem = rng.choice(DEVICE_EVENTS)
        data = {
            "device_name": device.name,
            "certificate_number": "" if identifiers and n % 2 else device.number,
            "model_specification": device.model_specification[:200],
            "udi_di": identifiers[0] if identifiers and n % 2 else "",
            "lot_number": f"{day:%y%m}{rng.randrange(100):02d}",
            "event_type": event,
            "event_date": day - dt.timedelta(days=rng.randrange(1, 5)),
            "awareness_date": day,
            "device_problem_code": device_code,
            "device_problem": device_problem,
            "patient_problem_code": patient_code,
            "patient_problem": patient_problem,
            "use_location": rng.choice(("medical_institution", "home")),
            "operator": rng.choice(("health_professional", "patient")),
            "disposition": rng.choice(("available", "returned", "unknown")),
            "patient_initials": "".join(rng.choices("ABCDEFGHJKLMNPQRSTWXYZ", k=2)),
            "reporter_name": f"{rng.choice('王李张刘陈')}护士",
        }
        _store(actor, rng.choice(senders), "device", data, (n, day))
        stored["device_cases"] += 1
    for n in range(COSMETIC_CASES if cosmetics else 0):
        cosmetic, day = cosmetics[n % len(cosmetics)], START + dt.timedelta(days=rng.randrange(0, 500))
        kind, description, site = rng.choice(COSMETIC_REACTIONS)
        data = {
            "product_name": cosmetic.name,
            "registration_number": cosmetic.number,
            "category": cosmetic.category,
            "use_sites": [site],
            "use_start": day - dt.timedelta(days=rng.randrange(5, 30)),
            "onset_date": day - dt.timedelta(days=rng.randrange(0, 4)),
            "reaction_description": description,
            "reaction_types": [kind],
            "severity": "general",
            "outcome": rng.choice(("1", "2")),
            "patch_test": rng.choice(("not_done", "positive")),
            "patient_initials": "".join(rng.choices("ABCDEFGHJKLMNPQRSTWXYZ", k=3)),
            "reporter_name": f"{rng.choice('王李张刘陈')}医生",
        }
        _store(actor, rng.choice(senders), "cosmetic", data, (n, day))
        stored["cosmetic_cases"] += 1
    return stored


def _province(queryset):  # type: ignore[no-untyped-def]
    return queryset.filter(marketing_authorization_holder__jurisdiction__path__startswith=PROVINCE_PATH).order_by(
        "number"
    )


def _store(actor: Actor, sender: intake.Sender, family: str, data: dict[str, Any], at: tuple[int, dt.date]) -> None:
    n, day = at
    form = (DeviceReportForm if family == "device" else CosmeticReportForm)(data, today=day)
    if not form.is_valid():
        raise ValueError(f"demo {family} report {n} is invalid: {form.errors.as_json()}")
    now = timezone.make_aware(dt.datetime.combine(day, dt.time(10, n)))
    prefix = "CN-DEMO-DEV" if family == "device" else "CN-DEMO-COS"
    store_variant(
        actor=actor,
        sender=sender,
        family=family,
        channel="professional",
        data=form.cleaned_data,
        case_id=f"{prefix}-{n + 1:04d}",
        first=None,
        now=now,
    )
