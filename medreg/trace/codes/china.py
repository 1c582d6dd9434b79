"""China's 20-digit drug traceability code (药品追溯码, NMPAB/T 1002).

Structure: 20 ASCII digits.  The first 7 digits are the drug identification
code (药品标识码), which the registry binds to a product and pack level.  The
remaining 13 digits are defined by the code issuer (码制发行机构); their
check algorithm is NOT published, so no check digit is verified here.
Only length, character set and the issuer prefix are validated; an issuer
may register its own extra validator in a :class:`IssuerRegistry`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from medreg.trace.codes.errors import CodeError

CN_CODE_LENGTH = 20
DRUG_ID_LENGTH = 7
_DIGITS = frozenset("0123456789")

#: An issuer validator gets the 20 digits and returns None or a problem text.
IssuerValidator = Callable[[str], str | None]


def digits_only(code: str) -> str | None:
    """Default issuer validator: the code is 20 ASCII digits, nothing more."""
    if len(code) == CN_CODE_LENGTH and all(ch in _DIGITS for ch in code):
        return None
    return f"must be exactly {CN_CODE_LENGTH} digits"


@dataclass
class IssuerRegistry:
    """Code issuers keyed by code prefix; the longest matching prefix wins.

    The default registry knows the issuer space starting with ``8`` and
    validates it with :func:`digits_only`.  Register further issuers with
    :meth:`register`; codes matching no registered prefix are rejected.
    """

    validators: dict[str, IssuerValidator] = field(default_factory=dict)

    def register(self, prefix: str, validator: IssuerValidator = digits_only) -> None:
        """Register (or replace) the validator for codes starting with *prefix*."""
        if not prefix or not set(prefix) <= _DIGITS or len(prefix) >= CN_CODE_LENGTH:
            raise CodeError(
                "issuer_prefix",
                f"{prefix!r} is not a digit prefix.",
                "Register issuers with a short string of digits, e.g. '8'.",
            )
        self.validators[prefix] = validator

    def unregister(self, prefix: str) -> None:
        """Forget the issuer registered for *prefix* (no error if absent)."""
        self.validators.pop(prefix, None)

    def find(self, code: str) -> IssuerValidator | None:
        """Validator of the longest registered prefix of *code*, if any."""
        matches = [prefix for prefix in self.validators if code.startswith(prefix)]
        return self.validators[max(matches, key=len)] if matches else None


def default_registry() -> IssuerRegistry:
    """A fresh registry with the ``8`` issuer space and digits-only checks."""
    registry = IssuerRegistry()
    registry.register("8")
    return registry


#: Registry used by :func:`parse_cn_code` when none is given.
DEFAULT_REGISTRY = default_registry()


@dataclass(frozen=True)
class CnCode:
    """A validated 20-digit China drug traceability code."""

    code: str

    @property
    def drug_identification_code(self) -> str:
        """The first 7 digits (药品标识码): product and pack level."""
        return self.code[:DRUG_ID_LENGTH]

    @property
    def issuer_part(self) -> str:
        """The 13 issuer-defined digits after the drug identification code."""
        return self.code[DRUG_ID_LENGTH:]

    @property
    def key(self) -> str:
        """Canonical key ``cn:<20 digits>``."""
        return f"cn:{self.code}"


def looks_like_cn_code(text: str) -> bool:
    """True when *text* is exactly 20 ASCII digits."""
    return len(text) == CN_CODE_LENGTH and set(text) <= _DIGITS


def _check_shape(code: str) -> None:
    """Length and character set checks with precise messages."""
    bad = [ch for ch in code if ch not in _DIGITS]
    if bad:
        raise CodeError(
            "cn_code",
            f"contains non-digit character {bad[0]!r}.",
            "A China drug traceability code has only the digits 0-9.",
        )
    if len(code) != CN_CODE_LENGTH:
        raise CodeError(
            "cn_code",
            f"has {len(code)} digits, expected {CN_CODE_LENGTH}.",
            "Scan or type all 20 digits printed under the code.",
        )


def parse_cn_code(text: str, registry: IssuerRegistry | None = None) -> CnCode:
    """Validate a 20-digit China drug traceability code (no check digit)."""
    code = text.strip()
    _check_shape(code)
    validator = (registry or DEFAULT_REGISTRY).find(code)
    if validator is None:
        raise CodeError(
            "cn_code",
            f"prefix {code[0]!r} belongs to no registered code issuer.",
            "Check the code, or register its issuer prefix in the IssuerRegistry.",
        )
    problem = validator(code)
    if problem:
        raise CodeError(
            "cn_code",
            f"rejected by its issuer's rules: {problem}.",
            "Check the code with its issuer (码制发行机构).",
        )
    return CnCode(code)
