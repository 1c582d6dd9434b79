"""CBV 2.0 vocabularies and the rule for values that claim to be CBV.

A CBV value may be written as a bare word (``shipping``), a CURIE
(``cbv:BizStep-shipping``), a GS1 web URI (``https://ref.gs1.org/cbv/BizStep-shipping``)
or an EPCIS 1.x URN (``urn:epcglobal:cbv:bizstep:shipping``).  Whatever the form, a value
that claims a CBV term (an EPCIS 1.x URN, or a web URI / CURIE of the form
``Class-term`` with a CBV vocabulary class) must be one of the CBV 2.0 values below.  Any
other value must be an absolute URI (a user vocabulary); a ``cbv:`` CURIE or GS1 web URI
that names no CBV term (``cbv:my_own_party``) is such a value and is kept as its full URI
(decision 0102).  The lists are the CBV 2.0 values (GS1 CBV 2.0 section 7; the same as the
EPCIS 2.0 JSON Schema enumerations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["CBV_VALUES", "Kind", "Vocabulary", "classify", "expected_values"]


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """A CBV vocabulary: web-URI class name (``BizStep``), EPCIS 1.x URN word (``bizstep``), values.

    ``lookup`` maps every accepted spelling to the bare value, ``folded`` the same in
    lower case.  Plain attributes, not an Enum: an Enum's hash is Python code and this
    sits on the capture fast path.
    """

    web: str
    urn: str
    values: frozenset[str]
    lookup: dict[str, str] = field(default_factory=dict, repr=False)
    folded: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        """Fill the spelling tables."""
        for value in self.values:
            for form in _forms(self.web, self.urn, value):
                self.lookup[form] = value
                self.folded[form.lower()] = value


def _forms(web: str, urn: str, value: str) -> tuple[str, ...]:
    """Every accepted spelling of one CBV value."""
    return (
        value,
        f"cbv:{web}-{value}",
        f"https://ref.gs1.org/cbv/{web}-{value}",
        f"http://ref.gs1.org/cbv/{web}-{value}",
        f"urn:epcglobal:cbv:{urn}:{value}",
    )


class Kind:
    """The CBV vocabularies checked at capture."""

    BIZ_STEP = Vocabulary(
        "BizStep",
        "bizstep",
        frozenset(
            [
                "accepting",
                "arriving",
                "assembling",
                "collecting",
                "commissioning",
                "consigning",
                "creating_class_instance",
                "cycle_counting",
                "decommissioning",
                "departing",
                "destroying",
                "disassembling",
                "dispensing",
                "encoding",
                "entering_exiting",
                "holding",
                "inspecting",
                "installing",
                "killing",
                "loading",
                "other",
                "packing",
                "picking",
                "receiving",
                "removing",
                "repackaging",
                "repairing",
                "replacing",
                "reserving",
                "retail_selling",
                "sampling",
                "sensor_reporting",
                "shipping",
                "staging_outbound",
                "stock_taking",
                "stocking",
                "storing",
                "transporting",
                "unloading",
                "unpacking",
                "void_shipping",
            ]
        ),
    )
    DISPOSITION = Vocabulary(
        "Disp",
        "disp",
        frozenset(
            [
                "active",
                "available",
                "completeness_inferred",
                "completeness_verified",
                "conformant",
                "container_closed",
                "container_open",
                "damaged",
                "destroyed",
                "dispensed",
                "disposed",
                "encoded",
                "expired",
                "in_progress",
                "in_transit",
                "inactive",
                "mismatch_class",
                "mismatch_instance",
                "mismatch_quantity",
                "needs_replacement",
                "no_pedigree_match",
                "non_conformant",
                "non_sellable_other",
                "partially_dispensed",
                "recalled",
                "reserved",
                "retail_sold",
                "returned",
                "sellable_accessible",
                "sellable_not_accessible",
                "stolen",
                "unavailable",
                "unknown",
            ]
        ),
    )
    BIZ_TRANSACTION_TYPE = Vocabulary(
        "BTT",
        "btt",
        frozenset(
            [
                "bol",
                "cert",
                "desadv",
                "inv",
                "pedigree",
                "po",
                "poc",
                "prodorder",
                "recadv",
                "rma",
                "testprd",
                "testres",
                "upevt",
            ]
        ),
    )
    SOURCE_DESTINATION_TYPE = Vocabulary("SDT", "sdt", frozenset(["owning_party", "possessing_party", "location"]))
    ERROR_REASON = Vocabulary("ER", "er", frozenset(["did_not_occur", "incorrect_data"]))


CBV_VALUES: dict[str, frozenset[str]] = {
    name: vocabulary.values for name, vocabulary in vars(Kind).items() if isinstance(vocabulary, Vocabulary)
}

#: Lower-case class names of the CBV vocabularies: ``cbv:<Class>-<term>`` claims a CBV term.
_CBV_CLASSES = frozenset(v.web.lower() for v in vars(Kind).values() if isinstance(v, Vocabulary))
#: Prefixes that put a value in the CBV namespace.
CBV_NAMESPACES = (
    "cbv:",
    "https://ref.gs1.org/cbv/",
    "http://ref.gs1.org/cbv/",
    "urn:epcglobal:cbv:",
    "https://ns.gs1.org/cbv/",
    "http://ns.gs1.org/cbv/",
)
ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+\Z")
#: CBV-namespace spellings that user-vocabulary values may use (the CURIE and the GS1 web URI);
#: the EPCIS 1.x URN and ns.gs1.org namespaces are closed (the GS1 JSON Schema's vocab-other-uri).
_OPEN_CBV_NAMESPACES = ("cbv:", "https://ref.gs1.org/cbv/", "http://ref.gs1.org/cbv/")
_CBV_WEB = "https://ref.gs1.org/cbv/"  # what the cbv: prefix expands to (EPCIS 2.0 context)


def classify(value: str, kind: Vocabulary) -> tuple[str | None, str | None]:
    """``(normalized, error_code)`` for a vocabulary value.

    ``normalized`` is the bare CBV name for a CBV value, the URI for a user vocabulary
    value (a ``cbv:`` CURIE expanded to its web URI), ``None`` with an error code otherwise:
    ``vocabulary.unknown_cbv_value`` (claims a CBV term but is not a CBV 2.0 value of this
    vocabulary) or ``schema.uri`` (neither a CBV value nor an absolute URI).
    """
    bare = kind.lookup.get(value)
    if bare is None and value.startswith(CBV_NAMESPACES[1:3]):
        bare = kind.folded.get(value.lower())  # tolerated: the class name's case (decision 0102)
    if bare is not None:
        return bare, None
    if ":" not in value:
        return None, _unknown_or_not_uri(value)
    if value.startswith(CBV_NAMESPACES):
        return _cbv_namespace_value(value)
    if ABSOLUTE_URI.match(value) is None:
        return None, "schema.uri"
    return value, None


def _unknown_or_not_uri(value: str) -> str:
    """A word that could be a misspelt CBV value, or text that is no identifier at all."""
    return "vocabulary.unknown_cbv_value" if value.strip() and " " not in value else "schema.uri"


def _cbv_namespace_value(value: str) -> tuple[str | None, str | None]:
    """A value in the CBV namespace that is not a CBV 2.0 value of the vocabulary being checked.

    It claims a CBV term (and is refused) when it is an EPCIS 1.x URN or an ns.gs1.org URI,
    or when its local name has the ``Class-term`` form of a CBV vocabulary class
    (``cbv:BizStep-shiping``, ``cbv:Disp-in_transit`` given as a bizStep).  Otherwise it
    names no CBV term (``cbv:my_own_party``) and is a user-vocabulary value, kept as its
    full URI (a CURIE expanded).
    """
    namespace = next((n for n in _OPEN_CBV_NAMESPACES if value.startswith(n)), None)
    local = value[len(namespace) :] if namespace else ""
    uri = _CBV_WEB + local if namespace == "cbv:" else value
    class_name, dash, _ = local.partition("-")
    claims_term = bool(dash) and class_name.lower() in _CBV_CLASSES
    if not local or claims_term or ABSOLUTE_URI.match(uri) is None:
        return None, _unknown_or_not_uri(value)
    return uri, None


def expected_values(kind: Vocabulary) -> str:
    """A short list of the accepted CBV values, for error messages."""
    values = sorted(kind.values)
    shown = ", ".join(values[:12])
    return shown + (", ..." if len(values) > 12 else "")
