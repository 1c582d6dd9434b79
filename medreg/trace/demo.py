"""Demo traceability data on top of the demo registry: a supply chain in the demo province
(the demo holder's drugs, including its vaccine, through wholesalers to pharmacies and hospitals),
captured through the same processing path as real uploads, with a few planted anomalies so that
every console page has something true to show.

Packs carry China's 20-digit traceability codes: the 7-digit drug identification code bound in
the registry followed by a 13-digit serial; cases carry SSCCs.
"""

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from biip.checksums import gs1_standard_check_digit
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.models import User
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry import selectors as registry
from medreg.registry import services as registry_services
from medreg.trace.models import CaptureJob, Pack
from medreg.trace.services.processing import process_job
from medreg.trace.services.recalls import start_recall

GS1_PREFIX = "6900001"
START = dt.datetime(2026, 9, 1, 9, 0)


@dataclass(frozen=True)
class Party:
    code: str
    gln: str
    path: str


@dataclass
class Batch:
    approval_number: str
    identification_code: str
    lot: str
    packs: list[str]
    cases: dict[str, list[str]]


def gln(n: int) -> str:
    body = f"{GS1_PREFIX}{n:05d}"
    return body + str(gs1_standard_check_digit(body))


def sscc(n: int) -> str:
    body = f"0{GS1_PREFIX}{n:09d}"
    return f"00{body}{gs1_standard_check_digit(body)}"


def load(seed: int = 2026, packs_per_batch: int = 120) -> dict[str, int]:
    """Build the chain and capture it; returns counts. Refuses to run twice (packs already exist)."""
    if Pack.objects.exists():
        return {"packs": Pack.objects.count(), "skipped": 1}
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    holder, wholesalers, pharmacies, hospitals = _parties(rng)
    batches = _batches(rng, holder, packs_per_batch)
    clock = _clock()
    _manufacture(holder, batches, wholesalers, clock)
    _distribute(wholesalers, pharmacies + hospitals, batches, clock, rng)
    _plant_anomalies(holder, wholesalers, pharmacies, batches, clock)
    return {"packs": Pack.objects.count(), "jobs": CaptureJob.objects.count()}


def _clock() -> Iterator[str]:
    moment = START
    while True:
        moment += dt.timedelta(minutes=7)
        yield moment.strftime("%Y-%m-%d %H:%M")


def _parties(rng: random.Random) -> tuple[Party, list[Party], list[Party], list[Party]]:
    demo = dict(User.objects.filter(username__in=["enterprise", "pharmacy"]).values_list("username", "enterprise_code"))
    holder = demo["enterprise"]
    licensed = registry.enterprises(SYSTEM_SCOPE).filter(jurisdiction__path__startswith="/000000/330000/")
    wholesalers = sorted(
        licensed.filter(licences__kind="drug_wholesale", licences__status="valid")
        .values_list("uscc", flat=True)
        .distinct()
    )[:40]
    pharmacies = sorted(
        licensed.filter(licences__kind="drug_retail", licences__status="valid")
        .values_list("uscc", flat=True)
        .distinct()
    )[:200]
    hospitals = sorted(licensed.filter(type_assignments__type="medical_institution").values_list("uscc", flat=True))[
        :60
    ]
    in_force = registry.licensed_kinds(SYSTEM_SCOPE, set(wholesalers) | set(pharmacies), timezone.localdate())
    wholesalers = [c for c in wholesalers if "drug_wholesale" in in_force[c]]
    pharmacies = [c for c in pharmacies if "drug_retail" in in_force[c] and c != demo["pharmacy"]]
    chosen = [
        holder,
        *rng.sample(wholesalers, 3),
        demo["pharmacy"],
        *rng.sample(pharmacies, 5),
        *rng.sample(hospitals, 2),
    ]
    parties = _register_sites(list(dict.fromkeys(chosen)))
    return parties[0], parties[1:4], parties[4:10], parties[10:]


def _register_sites(codes: list[str]) -> list[Party]:
    actor = Actor.system()
    nodes = dict(registry.enterprises(SYSTEM_SCOPE).filter(uscc__in=codes).values_list("uscc", "jurisdiction__code"))
    paths = registry.enterprise_jurisdiction_paths(SYSTEM_SCOPE, set(codes))
    parties = []
    for n, code in enumerate(codes, start=1):
        registry_services.register_site(
            actor=actor,
            scope=SYSTEM_SCOPE,
            enterprise_code=code,
            kind="warehouse",
            address="仓库",
            jurisdiction=nodes[code],
            gln=gln(n),
        )
        parties.append(Party(code, gln(n), paths[code]))
    return parties


def _batches(rng: random.Random, holder: Party, size: int) -> list[Batch]:
    drugs = registry.drugs(SYSTEM_SCOPE).filter(marketing_authorization_holder__uscc=holder.code)
    batches: list[Batch] = []
    for drug in drugs:
        unit = next((p for p in drug.package_levels.all() if p.level == 1), None)
        if unit is None or not (unit.drug_identification_code or "").startswith("8"):
            continue
        lot = f"{drug.approval_number[-4:]}{rng.randrange(1000, 9999)}"
        packs = [f"{unit.drug_identification_code}{rng.randrange(10**12, 10**13):013d}" for _ in range(size)]
        base = len(batches) * 100
        cases = {sscc(base + i + 1): packs[i * 20 : (i + 1) * 20] for i in range(size // 20)}
        batches.append(Batch(drug.approval_number, unit.drug_identification_code or "", lot, packs, cases))
    return batches[:6]


def _manufacture(holder: Party, batches: list[Batch], wholesalers: list[Party], clock: Iterator[str]) -> None:
    rows: list[dict[str, str]] = []
    for batch in batches:
        expiry = "2028-08-31"
        rows += [_row(clock, "commissioning", code, holder, lot=batch.lot, expiry=expiry) for code in batch.packs]
        for case, packs in batch.cases.items():
            rows += [_row(clock, "packing", code, holder, parent_code=case) for code in packs]
        for i, case in enumerate(batch.cases):
            rows.append(_row(clock, "shipping", case, holder, destination=wholesalers[i % len(wholesalers)].gln))
    _capture(holder, rows)


def _distribute(
    wholesalers: list[Party], outlets: list[Party], batches: list[Batch], clock: Iterator[str], rng: random.Random
) -> None:
    for w_index, wholesaler in enumerate(wholesalers):
        rows: list[dict[str, str]] = []
        for batch in batches:
            for case in list(batch.cases)[w_index :: len(wholesalers)]:
                rows.append(_row(clock, "receiving", case, wholesaler))
                rows += [_row(clock, "unpacking", code, wholesaler, parent_code=case) for code in batch.cases[case]]
        _capture(wholesaler, rows)
        _ship_on(wholesaler, outlets, batches, clock, rng, share=(w_index, len(wholesalers)))


def _ship_on(
    wholesaler: Party,
    outlets: list[Party],
    batches: list[Batch],
    clock: Iterator[str],
    rng: random.Random,
    *,
    share: tuple[int, int],
) -> None:
    """Ship 15 packs of each of this wholesaler's cases to an outlet; outlets receive and dispense half."""
    shipped: dict[str, list[str]] = {}
    rows = []
    w_index, of = share
    for batch in batches:
        for case in list(batch.cases)[w_index::of]:
            outlet = rng.choice(outlets)
            for code in batch.cases[case][:15]:
                rows.append(_row(clock, "shipping", code, wholesaler, destination=outlet.gln))
                shipped.setdefault(outlet.code, []).append(code)
    _capture(wholesaler, rows)
    for outlet in outlets:
        codes = shipped.get(outlet.code, [])
        received = [_row(clock, "receiving", code, outlet) for code in codes]
        dispensed = [_row(clock, "dispensing", code, outlet) for code in codes[: len(codes) // 2]]
        if codes:
            _capture(outlet, received + dispensed)


def _plant_anomalies(
    holder: Party, wholesalers: list[Party], pharmacies: list[Party], batches: list[Batch], clock: Iterator[str]
) -> None:
    """A pack dispensed twice, a pack received without a shipment, a recalled batch moved."""
    dispensed = Pack.objects.filter(status="dispensed").order_by("key").first()
    if dispensed is not None:
        outlet = (
            next(p for p in pharmacies if p.code == dispensed.holder_enterprise_code)
            if any(p.code == dispensed.holder_enterprise_code for p in pharmacies)
            else None
        )
        if outlet is not None:
            _capture(outlet, [_row(clock, "dispensing", dispensed.key.removeprefix("cn:"), outlet)])
    in_stock = (
        Pack.objects.filter(status="received", holder_enterprise_code=wholesalers[0].code).order_by("key").first()
    )
    if in_stock is not None:
        _capture(pharmacies[1], [_row(clock, "receiving", in_stock.key.removeprefix("cn:"), pharmacies[1])])
    if batches:
        recalled = batches[-1]
        start_recall(
            actor=Actor.system(),
            scope=SYSTEM_SCOPE,
            approval_number=recalled.approval_number,
            lot=recalled.lot,
            reason="抽检发现含量不合格（演示数据）",
            level=2,
            initiated_at=timezone.make_aware(dt.datetime.strptime(next(clock), "%Y-%m-%d %H:%M")),  # before the move
        )
        moving = (
            Pack.objects.filter(
                lot=recalled.lot, status="received", holder_enterprise_code__in=[p.code for p in pharmacies]
            )
            .order_by("key")
            .first()
        )
        if moving is not None:
            owner = next(p for p in pharmacies if p.code == moving.holder_enterprise_code)
            _capture(owner, [_row(clock, "dispensing", moving.key.removeprefix("cn:"), owner)])


def _row(clock: Iterator[str], step: str, code: str, party: Party, **extra: str) -> dict[str, str]:
    return {"event_time": next(clock), "step": step, "code": code, "location": party.gln, **extra}


def _capture(party: Party, rows: list[dict[str, str]]) -> CaptureJob:
    """Store the rows as a capture job and process it as the worker would."""
    job = CaptureJob.objects.create(
        sender_enterprise_code=party.code,
        jurisdiction_path=party.path,
        format="rows",
        document=json.dumps(list(enumerate(rows, start=1))).encode(),
        size_bytes=0,
        error_behaviour="proceed",
        received_at=timezone.now(),
    )
    return process_job(str(job.pk))
