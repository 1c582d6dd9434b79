"""From parsed EPCIS events to state-machine steps: identifiers to canonical pack keys, locations
and parties to registered sites, commissioning codes to registry products — and the business rules
that refuse an event (unknown product, a location the sender does not own, a malformed code)."""

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field

from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry import selectors as registry
from medreg.trace.codes import CodeError
from medreg.trace.codes import parse_code as _parse_code
from medreg.trace.codes.parsing import plain_sgtin
from medreg.trace.epcis.model import EpcisEvent, EventError
from medreg.trace.epcis.values import dl_primary_key
from medreg.trace.epcis.vocabulary import ABSOLUTE_URI
from medreg.trace.locations import gln_of
from medreg.trace.state import NewPack, Step

PARTY_TYPES = ("owning_party", "possessing_party", "location")
#: Identifiers that name a pack (GTIN- or SSCC-based); they must parse as pack codes.
PACK_URN_PREFIXES = ("urn:epc:id:sgtin:", "urn:epc:id:sscc:", "urn:epc:class:lgtin:")
PACK_DL_KEYS = ("00", "01")
KEY_LENGTH = 120  # Pack.key, EventEpc.key
OTHER_OBJECT = "other"  # ParsedCode.kind of an identifier that is not a pack code

# A job names each code two or three times (facts, steps, new packs): parse it once. ParsedCode is
# immutable; failures are not cached (lru_cache does not keep exceptions).
parse_code = functools.lru_cache(maxsize=262_144)(_parse_code)


@dataclass
class Facts:
    """Registry facts for one batch, loaded with a handful of queries."""

    sites: dict[str, registry.SiteFacts]
    products: dict[str, registry.ProductBinding]
    sender: str
    sender_path: str
    enterprise_paths: dict[str, str] = field(default_factory=dict)
    # the commissioned codes that parse, by identifier: read once for the products, the keys and the new packs
    codes: dict[str, "CodeFacts"] = field(default_factory=dict)


def load_facts(events: list[EpcisEvent], sender: str, sender_path: str) -> Facts:
    glns = {g for g in map(gln_of, {i for e in events for i in _location_ids(e)}) if g}
    codes = _parsed_quietly([i for e in events if e.biz_step == "commissioning" for i in e.epc_list])
    gtins = {c.gtin for c in codes.values() if c.gtin}
    identification = {c.drug_identification_code for c in codes.values() if c.drug_identification_code}
    return Facts(
        registry.sites_by_gln(SYSTEM_SCOPE, glns),
        registry.product_bindings(SYSTEM_SCOPE, gtins, identification),
        sender,
        sender_path,
        codes=codes,
    )


def _location_ids(event: EpcisEvent) -> list[str]:
    ids = [event.read_point or "", event.biz_location or ""]
    return ids + [value for kind, value in (*event.sources, *event.destinations) if kind in PARTY_TYPES]


def _parsed_quietly(identifiers: list[str]) -> dict[str, "CodeFacts"]:
    parsed = {}
    for identifier in identifiers:
        try:
            parsed[identifier] = code_facts(identifier)
        except CodeError:
            continue
    return parsed


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """What capture needs of a pack code: its key and the product facts the code itself carries."""

    kind: str
    key: str
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    drug_identification_code: str | None = None


def code_facts(identifier: str) -> CodeFacts:
    """The facts of a pack code: plain sgtin URNs (nearly every EPC in practice) read directly, anything
    else through the full parser. Raises CodeError like `parse_code`."""
    plain = plain_sgtin(identifier)
    if plain is not None:
        return CodeFacts("sgtin", f"gs1:01/{plain[0]}/21/{plain[1]}", plain[0], plain[1])
    code = parse_code(identifier)
    return CodeFacts(code.kind, code.key, code.gtin, code.serial, code.lot, code.expiry, code.drug_identification_code)


def to_step(event: EpcisEvent, facts: Facts) -> Step | EventError:
    """The step for `event`, or the business-rule error that refuses it."""
    try:
        keys = tuple(_key(i, facts) for i in (*event.epc_list, *event.output_epcs))
        children = tuple(map(object_key, (*event.child_epcs, *event.input_epcs)))
        parent = object_key(event.parent_id) if event.parent_id else None
    except CodeError as error:
        message = f"{error.field}: {error.problem}"
        return EventError(event.index, error.field or "epcList", "invalid_code", message, error.fix)
    location = _own_location(event, facts)
    if isinstance(location, EventError):
        return location
    new_packs = _new_packs(event, facts) if event.biz_step == "commissioning" else ()
    if isinstance(new_packs, EventError):
        return new_packs
    return Step(
        identity=event.identity,
        index=event.index,
        event_type=event.type,
        action=event.action or "",
        biz_step=event.biz_step or "",
        disposition=event.disposition or "",
        event_time=event.event_time,
        sender=facts.sender,
        sender_path=facts.sender_path,
        location=location[0],
        location_path=location[1],
        keys=keys,
        parent_key=parent,
        child_keys=children,
        destinations=_destinations(event, facts),
        shipment=_shipment(event),
        new_packs=new_packs,
    )


def _key(identifier: str, facts: Facts) -> str:
    """`object_key(identifier)`, taken from the batch's parsed commissioning codes when it is one."""
    code = facts.codes.get(identifier)
    return code.key if code is not None else object_key(identifier)


def object_key(identifier: str) -> str:
    """The canonical key of a pack code; any other object identifier is its own key.

    EPCIS events also name returnable assets (GRAI), fixed assets (GIAI), documents,
    locations and private identifiers (CBV 2.0 section 8).  They are not drug packs, but
    the event is still a valid standard event: such an identifier keys its object as
    written (hashed when longer than a key column).  Pack codes, and anything that is not
    an absolute URI (scanned codes), must parse.
    """
    plain = plain_sgtin(identifier)
    if plain is not None:
        return f"gs1:01/{plain[0]}/21/{plain[1]}"
    try:
        return parse_code(identifier).key
    except CodeError:
        if not _names_other_object(identifier):
            raise
    if len(identifier) <= KEY_LENGTH:
        return identifier
    return "sha256:" + hashlib.sha256(identifier.encode()).hexdigest()


def _names_other_object(identifier: str) -> bool:
    """An absolute URI that is neither an SGTIN/SSCC/LGTIN URN nor a GTIN/SSCC Digital Link."""
    if ABSOLUTE_URI.match(identifier) is None or identifier.startswith(PACK_URN_PREFIXES):
        return False
    return not identifier.startswith(("http://", "https://")) or dl_primary_key(identifier) not in PACK_DL_KEYS


def _own_location(event: EpcisEvent, facts: Facts) -> tuple[str, str] | EventError:
    """biz_location and read_point must be sites of the sender (when they are GLN-based)."""
    found = ("", "")
    for field_name, identifier in (("readPoint", event.read_point), ("bizLocation", event.biz_location)):
        gln = gln_of(identifier)
        if gln is None:
            continue
        site = facts.sites.get(gln)
        if site is None or site.enterprise_code != facts.sender:
            return EventError(
                event.index,
                field_name,
                "location_not_owned",
                f"{identifier} is not a registered site of the sending enterprise.",
                "Report only events at your own sites, registered with their GLN.",
            )
        found = (gln, site.jurisdiction_path)
    return found


def _new_packs(event: EpcisEvent, facts: Facts) -> tuple[NewPack, ...] | EventError:
    packs = []
    lot, expiry = _ilmd_lot(event), _ilmd_expiry(event)
    for identifier in event.epc_list:
        code = facts.codes.get(identifier) or _parsed_or_other(identifier)
        product = facts.products.get(code.gtin or "") or facts.products.get(code.drug_identification_code or "")
        if product is None and code.kind not in ("sscc", OTHER_OBJECT):
            return EventError(
                event.index,
                "epcList",
                "unknown_product",
                f"{identifier}: no registered product and pack level is bound to this code.",
                "Register the GTIN or drug identification code of the pack level in the registry first.",
            )
        packs.append(
            NewPack(
                code.key,
                code.gtin or "",
                code.serial or "",
                code.lot or lot,
                code.expiry or expiry,
                product.approval_number if product else "",
                product.package_level if product else 2,
                product.special_control if product else "",
            )
        )
    return tuple(packs)


def _parsed_or_other(identifier: str) -> CodeFacts:
    """The parsed pack code, or an object without product facts (an asset, a private identifier)."""
    try:
        return code_facts(identifier)
    except CodeError:
        return CodeFacts(kind=OTHER_OBJECT, key=object_key(identifier))


def _ilmd_lot(event: EpcisEvent) -> str:
    return str(event.ilmd.get("lotNumber", ""))[:40]


def _ilmd_expiry(event: EpcisEvent) -> dt.date | None:
    value = event.ilmd.get("itemExpirationDate")
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _destinations(event: EpcisEvent, facts: Facts) -> tuple[str, ...]:
    """The registered enterprises among the destination list's parties, each once, in list order."""
    found: dict[str, None] = {}
    for kind, identifier in event.destinations:
        site = facts.sites.get(gln_of(identifier) or "")
        if kind in PARTY_TYPES and site is not None:
            found.setdefault(site.enterprise_code)
    return tuple(found)


def _shipment(event: EpcisEvent) -> str:
    for kind, value in event.biz_transactions:
        if kind is None or kind.endswith("desadv") or kind.endswith("po"):
            return value[:120]
    return ""
