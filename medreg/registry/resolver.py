"""Look-ups that validation needs (jurisdictions, enterprises by credit code), cached so that a
file of 10,000 rows costs a handful of queries, and always answered inside the caller's scope."""

from django.db.models import QuerySet

from medreg.core.errors import FieldError
from medreg.core.models import Jurisdiction
from medreg.core.scoping import Scope
from medreg.registry.models import Enterprise


class Resolver:
    """Resolve codes to rows within `scope`; unknown and out-of-scope codes are told apart only for
    jurisdictions (public facts), never for enterprises (another jurisdiction's ids stay unknown)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._jurisdictions: dict[str, Jurisdiction | None] = {}
        self._enterprises: dict[str, Enterprise | None] = {}

    def preload(self, jurisdiction_codes: set[str], enterprise_codes: set[str]) -> None:
        for node in Jurisdiction.objects.filter(code__in=jurisdiction_codes - set(self._jurisdictions)):
            self._jurisdictions[node.code] = node
        visible: QuerySet[Enterprise] = self.scope.apply(Enterprise.objects.select_related("jurisdiction"))
        for enterprise in visible.filter(uscc__in=enterprise_codes - set(self._enterprises)):
            self._enterprises[enterprise.uscc] = enterprise

    def jurisdiction(
        self, code: str, field: str, errors: list[FieldError], *, in_scope: bool = True
    ) -> Jurisdiction | None:
        code = (code or "").strip()
        if code not in self._jurisdictions:
            self._jurisdictions[code] = Jurisdiction.objects.filter(code=code).first()
        node = self._jurisdictions[code]
        if node is None:
            errors.append(
                FieldError(
                    field,
                    "unknown_jurisdiction",
                    f"{code!r} is not a GB/T 2260 division code known to the platform.",
                    "Use a current six-digit county-level code.",
                )
            )
            return None
        if in_scope and not self.scope.covers_jurisdiction_path(node.path):
            errors.append(
                FieldError(
                    field,
                    "outside_jurisdiction",
                    f"{node.name} ({code}) lies outside your jurisdiction.",
                    "Only regulators of that area may register it there.",
                )
            )
            return None
        return node

    def enterprise(self, uscc: str, field: str, errors: list[FieldError]) -> Enterprise | None:
        code = (uscc or "").strip().upper()
        if code not in self._enterprises:
            self._enterprises[code] = (
                self.scope.apply(Enterprise.objects.select_related("jurisdiction")).filter(uscc=code).first()
            )
        enterprise = self._enterprises[code]
        if enterprise is None:
            errors.append(
                FieldError(
                    field,
                    "unknown_enterprise",
                    f"No enterprise with credit code {code!r} is registered in your jurisdiction.",
                    "Register the enterprise first, or check the code.",
                )
            )
        return enterprise

    def remember(self, enterprise: Enterprise) -> None:
        """Make an enterprise created in this batch resolvable by later rows of the same batch."""
        self._enterprises[enterprise.uscc] = enterprise
