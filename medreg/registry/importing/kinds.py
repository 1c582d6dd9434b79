"""Per kind: the codes a row refers to, the service's build_* and save_* functions, and the keys
that must be unique within a file and against the database."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from medreg.core.actor import Actor
from medreg.core.errors import FieldError
from medreg.registry.importing.columns import Kind
from medreg.registry.resolver import Resolver
from medreg.registry.services.enterprises import build_enterprise, save_enterprises
from medreg.registry.services.licences import build_licence, save_licences
from medreg.registry.services.products import (
    build_cosmetic,
    build_device,
    build_drug,
    save_cosmetics,
    save_devices,
    save_drugs,
)

UniqueKey = tuple[str, tuple[str, ...]]  # (column to blame, value that must be unique)


@dataclass(frozen=True)
class KindSpec:
    """How rows of one kind are validated and written, reusing the registry services."""

    build: Callable[[Any, Resolver, list[FieldError]], Any]
    save: Callable[[Actor, list[Any], Resolver], None]
    keys: Callable[[Any], list[UniqueKey]]
    enterprise_codes: Callable[[Any], list[str]] = lambda data: [data.marketing_authorization_holder]
    jurisdiction_codes: Callable[[Any], list[str]] = lambda data: []
    taken: Callable[[list[UniqueKey]], set[UniqueKey]] = field(default=lambda keys: set())


def _build_enterprise(data: Any, resolver: Resolver, errors: list[FieldError]) -> Any:
    enterprise = build_enterprise(data, resolver, errors)
    return None if enterprise is None else (enterprise, sorted({t.value for t in data.types}))


def _drug_keys(draft: Any) -> list[UniqueKey]:
    keys: list[UniqueKey] = [("approval_number", ("drug", draft.drug.approval_number))]
    for level in draft.package_levels:
        if level.drug_identification_code:
            keys.append((f"level{level.level}_code", ("code", level.drug_identification_code)))
        if level.gtin:
            keys.append((f"level{level.level}_gtin", ("gtin", level.gtin)))
    return keys


def _device_keys(item: Any) -> list[UniqueKey]:
    device, identifiers = item
    keys: list[UniqueKey] = [("number", ("device", device.number))]
    return keys + [("identifiers", ("udi", f"{i.issuing_agency}:{i.di}")) for i in identifiers]


SPECS: dict[Kind, KindSpec] = {
    Kind.ENTERPRISES: KindSpec(
        build=_build_enterprise,
        save=lambda actor, items, resolver: save_enterprises(actor=actor, items=items),
        keys=lambda item: [("uscc", ("uscc", item[0].uscc))],
        enterprise_codes=lambda data: [],
        jurisdiction_codes=lambda data: [data.jurisdiction],
    ),
    Kind.LICENCES: KindSpec(
        build=build_licence,
        save=lambda actor, items, resolver: save_licences(actor=actor, licences=items),
        keys=lambda licence: [("number", ("licence", licence.kind, licence.number))],
        enterprise_codes=lambda data: [data.enterprise],
        jurisdiction_codes=lambda data: [data.issued_by],
    ),
    Kind.DRUGS: KindSpec(
        build=build_drug,
        save=lambda actor, items, resolver: save_drugs(actor=actor, drafts=items, resolver=resolver),
        keys=_drug_keys,
        enterprise_codes=lambda data: [data.marketing_authorization_holder, *data.manufacturers],
    ),
    Kind.DEVICES: KindSpec(
        build=build_device,
        save=lambda actor, items, resolver: save_devices(actor=actor, items=items),
        keys=_device_keys,
    ),
    Kind.COSMETICS: KindSpec(
        build=build_cosmetic,
        save=lambda actor, items, resolver: save_cosmetics(actor=actor, cosmetics=items),
        keys=lambda cosmetic: [("number", ("cosmetic", cosmetic.number))],
    ),
}
