"""Turn generated records into unsaved model instances, the shapes the bulk save functions take."""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from medreg.core.models import Jurisdiction
from medreg.registry.demo.records import DemoCosmetic, DemoDevice, DemoDrug, DemoEnterprise, DemoLicence
from medreg.registry.models import Cosmetic, Device, DeviceIdentifier, Drug, Enterprise, Licence, PackageLevel
from medreg.registry.search_text import search_text_for
from medreg.registry.services.products import DrugDraft

_HAN = re.compile(r"[\u4e00-\u9fff]")
_RUNS = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")


@lru_cache(maxsize=8192)
def _name_text(name: str) -> str:
    """Search text of one product name; names repeat across thousands of products (pinyin is slow)."""
    return search_text_for(name)


@lru_cache(maxsize=256)
def _han_pinyin(run: str) -> tuple[str, str]:
    return "".join(lazy_pinyin(run)), "".join(lazy_pinyin(run, style=Style.FIRST_LETTER))


def number_text(number: str) -> str:
    """`search_text_for(number)` for a regulatory number, whose few Chinese runs (国药准字, 浙械注准 …)
    are converted once and cached; the test checks both agree."""
    if not _HAN.search(number):
        return number.lower()
    runs = _RUNS.findall(number)
    full = "".join(_han_pinyin(run)[0] if _HAN.match(run) else run for run in runs)
    initials = "".join(_han_pinyin(run)[1] if _HAN.match(run) else run for run in runs)
    return f"{number.lower()} {full.lower()} {initials.lower()}"


def _search_text(number: str, *names: str) -> str:
    """The same text as `search_text_for(*names, number)` (its parts are joined by spaces), cached by part."""
    return " ".join([*(_name_text(name) for name in names if name), number_text(number)])


def enterprise_row(record: DemoEnterprise, nodes: dict[str, Jurisdiction]) -> Enterprise:
    """An Enterprise as `build_enterprise` would make it."""
    return Enterprise(
        uscc=record.uscc,
        name=record.name,
        legal_representative=record.legal_representative,
        registered_address=record.registered_address,
        jurisdiction=nodes[record.division.code],
        status=record.status,
        search_text=search_text_for(record.name, record.uscc),
    )


def licence_row(record: DemoLicence, enterprises: dict[str, Enterprise], nodes: dict[str, Jurisdiction]) -> Licence:
    """A Licence as issued (valid, version 1); its history is applied by the loader."""
    return Licence(
        enterprise=enterprises[record.enterprise_uscc],
        kind=record.kind,
        number=record.number,
        scope=record.scope,
        issued_by=nodes[record.issued_by],
        issued_on=record.issued_on,
        valid_until=record.valid_until,
        status="valid",
    )


def drug_draft(record: DemoDrug, enterprises: dict[str, Enterprise]) -> DrugDraft:
    """A DrugDraft (drug, manufacturers, package levels) as `build_drug` would make it."""
    drug = Drug(
        approval_number=record.approval_number,
        generic_name=record.generic_name,
        trade_name=record.trade_name,
        dosage_form=record.dosage_form,
        strength=record.strength,
        marketing_authorization_holder=enterprises[record.holder_uscc],
        prescription_class=record.prescription_class,
        special_control=record.special_control,
        status=record.status,
        approved_on=record.approved_on,
        search_text=_search_text(record.approval_number, record.generic_name, record.trade_name),
    )
    levels = [
        PackageLevel(
            level=p.level,
            description=p.description,
            quantity=p.quantity,
            drug_identification_code=p.drug_identification_code,
        )
        for p in record.package_levels
    ]
    return DrugDraft(drug, list(record.manufacturer_usccs), levels)


def device_item(record: DemoDevice, enterprises: dict[str, Enterprise]) -> tuple[Device, list[DeviceIdentifier]]:
    """A Device with its UDI-DIs, as `build_device` would make them."""
    device = Device(
        number=record.number,
        name=record.name,
        model_specification=record.model_specification,
        device_class=record.device_class,
        marketing_authorization_holder=enterprises[record.holder_uscc],
        status=record.status,
        approved_on=record.approved_on,
        search_text=_search_text(record.number, record.name),
    )
    identifiers = [
        DeviceIdentifier(di=i.di, issuing_agency="GS1", package_level=i.package_level, quantity=i.quantity)
        for i in record.identifiers
    ]
    return device, identifiers


def cosmetic_row(record: DemoCosmetic, enterprises: dict[str, Enterprise]) -> Cosmetic:
    """A Cosmetic as `build_cosmetic` would make it."""
    return Cosmetic(
        number=record.number,
        name=record.name,
        category=record.category,
        marketing_authorization_holder=enterprises[record.holder_uscc],
        status=record.status,
        approved_on=record.approved_on,
        search_text=_search_text(record.number, record.name),
    )
