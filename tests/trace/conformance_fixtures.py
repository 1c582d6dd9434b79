"""Registry rows derived from an EPCIS conformance document, so that its events can be captured.

The GS1 and openepcis example documents name locations, parties and products that no registry
knows. :func:`document_facts` reads a document with the capture layer itself
(:func:`medreg.trace.epcis.document.parse_document`) and collects what the business rules look up;
:func:`register_document` writes the rows in a few bulk queries:

- every readPoint / bizLocation GLN is a site of the sending test enterprise;
- every source / destination GLN (party or location) that is not the sender's is a site of a
  trading partner holding a valid drug wholesale licence (one partner for sources, one for
  destinations);
- every GTIN of an SGTIN / LGTIN commissioned by an ObjectEvent ADD is the GTIN of a package level
  of a test drug whose marketing authorization holder is the sender.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from medreg.core.actor import Actor
from medreg.core.models import Jurisdiction, Role
from medreg.core.tokens import issue_token
from medreg.registry.models import Drug, Enterprise, EnterpriseTypeAssignment, Licence, PackageLevel, Site
from medreg.registry.search_text import search_text_for
from medreg.trace.codes import CodeError, parse_code
from medreg.trace.epcis.document import parse_document
from medreg.trace.epcis.model import EpcisEvent, ParsedDocument
from medreg.trace.locations import gln_of
from tests import factories
from tests.shared import CONFORMANCE

EPCIS = CONFORMANCE / "epcis"
GS1_DIRS = ("JSON", "JSON-simple-context", "XML")
OPENEPCIS = EPCIS / "openepcis-test-resources" / "2.0" / "EPCIS"
SENDER_DIVISION = "330106"  # 杭州市西湖区
PARTNER_DIVISION = "330203"  # 宁波市海曙区
_approval_serial = itertools.count(1)


def media_type(path: Path) -> str:
    """The content type a sender would declare for the file."""
    return "application/xml" if path.suffix == ".xml" else "application/ld+json"


def parse(path: Path) -> ParsedDocument:
    """The document as the capture layer reads it."""
    return parse_document(path.read_bytes(), media_type(path))


def gs1_event_documents() -> list[Path]:
    """GS1 example files that are EPCISDocument / EPCISQueryDocument files with events."""
    files = [p for d in GS1_DIRS for p in sorted((EPCIS / d).rglob("*")) if p.suffix in (".xml", ".jsonld")]
    return [p for p in files if _has_events(parse(p))]


def _has_events(parsed: ParsedDocument) -> bool:
    return parsed.event_count > 0 and not any(e.code == "document.type" for e in parsed.errors)


def openepcis_capture_documents(folder: str) -> list[Path]:
    """openepcis capture files: ``valid`` (Documents and Events) or ``Invalid``, JSON and XML."""
    subfolders = ("Documents", "Events") if folder == "valid" else ("Invalid",)
    return sorted(
        p for fmt in ("JSON", "XML") for sub in subfolders for p in (OPENEPCIS / fmt / "Capture" / sub).iterdir()
    )


def relative(path: Path) -> str:
    """A test id: the path inside the conformance epcis folder."""
    return str(path.relative_to(EPCIS))


@dataclass(frozen=True)
class DocumentFacts:
    """What the business rules will look up for the events of one document."""

    own_glns: frozenset[str]
    source_glns: frozenset[str]
    destination_glns: frozenset[str]
    commissioned_gtins: frozenset[str]
    event_count: int


def document_facts(path: Path) -> DocumentFacts:
    """Locations, parties and commissioned GTINs of the events that pass the schema and vocabulary layers."""
    parsed = parse(path)
    events = parsed.events
    own = _glns(loc for e in events for loc in (e.read_point, e.biz_location))
    sources = _glns(value for e in events for _, value in e.sources) - own
    destinations = _glns(value for e in events for _, value in e.destinations) - own - sources
    return DocumentFacts(
        own_glns=own,
        source_glns=sources,
        destination_glns=destinations,
        commissioned_gtins=frozenset(g for e in events if _commissions(e) for g in _gtins(e.epc_list)),
        event_count=parsed.event_count,
    )


def _glns(identifiers: Iterable[str | None]) -> frozenset[str]:
    return frozenset(g for g in map(gln_of, identifiers) if g)


def _commissions(event: EpcisEvent) -> bool:
    return event.type == "ObjectEvent" and event.action == "ADD" and event.biz_step == "commissioning"


def _gtins(identifiers: Iterable[str]) -> set[str]:
    gtins = set()
    for identifier in identifiers:
        try:
            code = parse_code(identifier)
        except CodeError:
            continue  # not a pack code (an asset, a private identifier): no product needed
        if code.kind in ("sgtin", "lgtin") and code.gtin:
            gtins.add(code.gtin)
    return gtins


@dataclass(frozen=True)
class Sender:
    """The sending test enterprise and its API token."""

    enterprise: Enterprise
    token: str


#: (name, division, enterprise types, licence kind) of the sender and of its two trading partners.
_ENTERPRISES = (
    ("杭州一致性测试制药有限公司", SENDER_DIVISION, ("marketing_authorization_holder", "drug_manufacturer"), ""),
    ("宁波一致性测试供货有限公司", PARTNER_DIVISION, ("drug_wholesaler",), "drug_wholesale"),
    ("宁波一致性测试收货有限公司", PARTNER_DIVISION, ("drug_wholesaler",), "drug_wholesale"),
)


def register_document(facts: DocumentFacts) -> Sender:
    """Write the registry rows the document's events need, in bulk; returns the sender.

    The sender and both partners are created for every document (the same handful of bulk
    inserts whatever the document), partners with a wholesale licence valid until 2099.
    """
    sender, source, destination = _enterprises()
    Site.objects.bulk_create([
        *_sites(sender, facts.own_glns), *_sites(source, facts.source_glns),
        *_sites(destination, facts.destination_glns),
    ])  # fmt: skip
    _register_gtins(sender, facts.commissioned_gtins)
    user = factories.make_user(f"conformance_{sender.uscc}", Role.MANUFACTURER, None, sender.uscc)
    return Sender(sender, issue_token(actor=Actor.system(), user=user, name="conformance")[1])


def _enterprises() -> list[Enterprise]:
    jurisdictions = {j.code: j for j in Jurisdiction.objects.filter(code__in=(SENDER_DIVISION, PARTNER_DIVISION))}
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(uscc=(code := factories.uscc(division)), name=name, legal_representative="张三",
                   registered_address=f"{name}地址", jurisdiction=jurisdictions[division],
                   search_text=search_text_for(name, code))
        for name, division, _, _ in _ENTERPRISES
    ])  # fmt: skip
    pairs = list(zip(enterprises, _ENTERPRISES, strict=True))
    EnterpriseTypeAssignment.objects.bulk_create(
        [EnterpriseTypeAssignment(enterprise=e, type=t) for e, (_, _, types, _) in pairs for t in types]
    )
    Licence.objects.bulk_create([
        Licence(enterprise=e, kind=kind, number=f"浙AA{e.uscc[-8:]}", scope="化学药制剂", issued_by=e.jurisdiction,
                issued_on=dt.date(2022, 1, 1), valid_until=dt.date(2099, 12, 31))
        for e, (_, _, _, kind) in pairs if kind
    ])  # fmt: skip
    return enterprises


def _sites(enterprise: Enterprise, glns: Iterable[str]) -> list[Site]:
    return [Site(enterprise=enterprise, kind="warehouse", address=f"GLN {gln}",
                 jurisdiction=enterprise.jurisdiction, gln=gln) for gln in sorted(glns)]  # fmt: skip


def _register_gtins(holder: Enterprise, gtins: Iterable[str]) -> None:
    """One test drug per GTIN (a drug has at most 5 package levels), the GTIN on its level 1."""
    drugs = Drug.objects.bulk_create([
        Drug(approval_number=(number := f"国药准字H{next(_approval_serial):08d}"), generic_name="一致性测试胶囊",
             dosage_form="胶囊剂", strength="0.25g", marketing_authorization_holder=holder, prescription_class="rx",
             approved_on=dt.date(2020, 5, 1), search_text=search_text_for("一致性测试胶囊", number))
        for _ in sorted(gtins)
    ])  # fmt: skip
    PackageLevel.objects.bulk_create([
        PackageLevel(drug=drug, level=1, description="每盒24粒", quantity=24, gtin=gtin)
        for drug, gtin in zip(drugs, sorted(gtins), strict=True)
    ])  # fmt: skip
