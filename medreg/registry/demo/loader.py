"""Write generated demo data in one transaction, audited as the system acting from the CLI.

Enterprises, drugs, devices and cosmetics go through the registry's bulk save functions (which
write the audit records). Licences are inserted here, because their history is back-dated to
the generated dates, whereas `save_licences` stamps the issue step with the load time; their
audit records are written with `record_changes` in the same transaction.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from medreg.core.actor import Actor
from medreg.core.audit import Change, record_changes, snapshot
from medreg.core.models import Jurisdiction, JurisdictionLevel, Role
from medreg.core.scoping import Scope, ScopeKind
from medreg.registry.demo.generator import HOME_PROVINCE, generate
from medreg.registry.demo.records import DemoData, DemoLicence, Division
from medreg.registry.demo.rows import cosmetic_row, device_item, drug_draft, enterprise_row, licence_row
from medreg.registry.demo.users import create_demo_users
from medreg.registry.models import Enterprise, Licence, LicenceStatusChange
from medreg.registry.resolver import Resolver
from medreg.registry.services.enterprises import save_enterprises
from medreg.registry.services.products import save_cosmetics, save_devices, save_drugs

BATCH = 2000
OTHER_CITY_PATH = "/000000/320000/320100/"  # 南京市
LICENCE_OBJECT = "registry.licence"
_TZ = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")


def batched(items: Sequence[T], size: int = BATCH) -> Iterator[list[T]]:
    """Consecutive slices of at most `size` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def divisions_from_database() -> list[Division]:
    """Every county of 浙江省 and of 南京市 from the Jurisdiction table (GB/T 2260), by code."""
    home = f"/000000/{HOME_PROVINCE}/"
    counties = (
        Jurisdiction.objects.filter(level=JurisdictionLevel.COUNTY)
        .filter(Q(path__startswith=home) | Q(path__startswith=OTHER_CITY_PATH))
        .exclude(name="市辖区")
        .select_related("parent__parent")
        .order_by("code")
    )
    return [_division(node) for node in counties]


def _division(node: Jurisdiction) -> Division:
    city = node.parent
    assert city is not None
    assert city.parent is not None
    province = city.parent if city.level == JurisdictionLevel.CITY else city
    return Division(node.code, node.name, city.code, city.name, province.code, province.name)


def load(*, scale: float, seed: int) -> DemoData:
    """Generate and write the demo data and the demo logins; all or nothing."""
    data = generate(divisions_from_database(), scale=scale, seed=seed)
    actor = Actor.system("cli")
    codes = {e.division.code for e in data.enterprises} | {lic.issued_by for lic in data.licences}
    nodes = Jurisdiction.objects.in_bulk(list(codes), field_name="code")
    with transaction.atomic():
        enterprises = _save_enterprises(actor, data, nodes)
        _save_licences(actor, data.licences, enterprises, nodes)
        _save_products(actor, data, enterprises)
        create_demo_users()
    return data


def _save_enterprises(actor: Actor, data: DemoData, nodes: dict[str, Jurisdiction]) -> dict[str, Enterprise]:
    for chunk in batched(data.enterprises):
        save_enterprises(actor=actor, items=[(enterprise_row(e, nodes), list(e.types)) for e in chunk])
    enterprises = Enterprise.objects.select_related("jurisdiction").in_bulk(
        [e.uscc for e in data.enterprises], field_name="uscc"
    )
    return enterprises


def _save_licences(
    actor: Actor, records: list[DemoLicence], enterprises: dict[str, Enterprise], nodes: dict[str, Jurisdiction]
) -> None:
    """Insert licences and their back-dated history; audit the issue and every status step."""
    for chunk in batched(records):
        rows = [licence_row(r, enterprises, nodes) for r in chunk]
        Licence.objects.bulk_create(rows)
        changes = [Change("create", LICENCE_OBJECT, row.pk, None, _licence_snapshot(row)) for row in rows]
        history = [_issued(row) for row in rows]
        changed = [row for row, record in zip(rows, chunk, strict=True) if record.history]
        for row, record in zip(rows, chunk, strict=True):
            for step in record.history:
                history.append(_apply_step(row, step.to_status, step.on, step.reason, changes))
        LicenceStatusChange.objects.bulk_create(history, batch_size=BATCH)
        Licence.objects.bulk_update(changed, ["status", "version"], batch_size=BATCH)
        record_changes(actor=actor, changes=changes)


def _licence_snapshot(licence: Licence) -> dict[str, object]:
    return snapshot(licence, exclude=("created_at", "updated_at"))


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=_TZ)


def _issued(licence: Licence) -> LicenceStatusChange:
    return LicenceStatusChange(
        licence=licence,
        from_status="",
        to_status="valid",
        changed_at=_at(licence.issued_on),
        reason="issued",
        actor_username="system",
    )


def _apply_step(licence: Licence, status: str, on: dt.date, reason: str, changes: list[Change]) -> LicenceStatusChange:
    """Move `licence` to `status` in memory, note the audit change, return the history row."""
    before = _licence_snapshot(licence)
    step = LicenceStatusChange(
        licence=licence,
        from_status=licence.status,
        to_status=status,
        changed_at=_at(on),
        reason=reason,
        actor_username="system",
    )
    licence.status, licence.version = status, licence.version + 1
    action = "expire" if status == "expired" else "change_status"
    changes.append(Change(action, LICENCE_OBJECT, licence.pk, before, _licence_snapshot(licence)))
    return step


def _save_products(actor: Actor, data: DemoData, enterprises: dict[str, Enterprise]) -> None:
    resolver = Resolver(Scope(ScopeKind.ALL, role=Role.NATIONAL_REGULATOR, may_write_registry=True))
    for enterprise in enterprises.values():
        resolver.remember(enterprise)
    for chunk in batched(data.drugs):
        save_drugs(actor=actor, drafts=[drug_draft(d, enterprises) for d in chunk], resolver=resolver)
    for devices in batched(data.devices):
        save_devices(actor=actor, items=[device_item(d, enterprises) for d in devices])
    for cosmetics in batched(data.cosmetics):
        save_cosmetics(actor=actor, cosmetics=[cosmetic_row(c, enterprises) for c in cosmetics])
