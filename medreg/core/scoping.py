"""Who sees what: the one place where role and jurisdiction turn into query filters.

Every selector, page, API endpoint and export obtains a `Scope` from `scope_for(user)` and passes
its querysets through `Scope.apply`. A model says how it is reached by declaring `SCOPE_FIELDS`:
the field paths leading to the jurisdiction path and to the enterprise credit code, and the
condition under which the public may see a row.
"""

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet

from medreg.core.models.user import ENTERPRISE_ROLES, REGULATOR_ROLES, Role

if TYPE_CHECKING:
    from medreg.core.models import User

M = TypeVar("M", bound=Model)


class ScopeKind(Enum):
    ALL = "all"  # national regulators
    JURISDICTION = "jurisdiction"  # provincial/city/county regulators and inspectors: a subtree
    ENTERPRISE = "enterprise"  # enterprise users: their own enterprise
    PUBLIC = "public"  # anonymous and public users: published facts only


@dataclass(frozen=True)
class ScopeFields:
    """How a model reaches the things scoping is decided on."""

    jurisdiction_paths: tuple[str, ...]
    enterprise_codes: tuple[str, ...]
    public: Q | None = None  # None: the public sees nothing of this model


@dataclass(frozen=True)
class Scope:
    """What one caller may see. Build it with `scope_for`; never by hand outside tests."""

    kind: ScopeKind
    jurisdiction_path: str = ""
    enterprise_code: str = ""
    role: str = Role.PUBLIC
    may_write_registry: bool = False

    def apply(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """Narrow `queryset` to the rows this scope may see."""
        fields: ScopeFields = queryset.model.SCOPE_FIELDS  # type: ignore[attr-defined]
        if self.kind is ScopeKind.ALL:
            return queryset
        condition = self._condition(fields)
        if condition is None:
            return queryset.none()
        if self._may_repeat_rows(fields):
            return queryset.filter(pk__in=queryset.model._default_manager.filter(condition).values("pk"))
        return queryset.filter(condition)

    def _may_repeat_rows(self, fields: ScopeFields) -> bool:
        """An OR over paths that follow relations (a drug's manufacturers) joins them and can repeat a
        row: such a condition narrows through `pk IN (subquery)`. An OR over the model's own columns
        (a pack's holder or commissioner) cannot, and stays a plain filter the planner can combine
        with the caller's (a recall's batch index instead of a scan of every pack in scope)."""
        if self.kind is ScopeKind.JURISDICTION:
            paths = fields.jurisdiction_paths
        elif self.kind is ScopeKind.ENTERPRISE:
            paths = fields.enterprise_codes
        else:  # the public condition may follow any relation
            return len(fields.jurisdiction_paths) > 1 or len(fields.enterprise_codes) > 1
        return len(paths) > 1 and any("__" in path for path in paths)

    def _condition(self, fields: ScopeFields) -> Q | None:
        if self.kind is ScopeKind.JURISDICTION:
            return _any_of({f"{path}__startswith": self.jurisdiction_path} for path in fields.jurisdiction_paths)
        if self.kind is ScopeKind.ENTERPRISE:
            return _any_of({path: self.enterprise_code} for path in fields.enterprise_codes)
        return fields.public

    def covers_jurisdiction_path(self, path: str) -> bool:
        """True when a node with this materialized path lies inside the scope."""
        if self.kind is ScopeKind.ALL:
            return True
        return self.kind is ScopeKind.JURISDICTION and path.startswith(self.jurisdiction_path)

    @property
    def is_regulator(self) -> bool:
        return self.role in REGULATOR_ROLES

    @property
    def is_enterprise(self) -> bool:
        return self.kind is ScopeKind.ENTERPRISE


def _any_of(lookups: Any) -> Q | None:
    combined: Q | None = None
    for lookup in lookups:
        combined = Q(**lookup) if combined is None else combined | Q(**lookup)
    return combined


PUBLIC_SCOPE = Scope(kind=ScopeKind.PUBLIC)
# The platform acting for itself: validation look-ups, alert routing, demo and CLI loaders.
SYSTEM_SCOPE = Scope(kind=ScopeKind.ALL, role="system", may_write_registry=True)


def scope_for(user: "User | None") -> Scope:
    """The scope of an authenticated user; anonymous and inactive users get the public scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return PUBLIC_SCOPE
    role = Role(user.role)
    if role is Role.NATIONAL_REGULATOR:
        return Scope(ScopeKind.ALL, role=role, may_write_registry=True)
    if role in REGULATOR_ROLES or role is Role.INSPECTOR:
        if user.jurisdiction is None:
            return PUBLIC_SCOPE
        return Scope(
            ScopeKind.JURISDICTION,
            jurisdiction_path=user.jurisdiction.path,
            role=role,
            may_write_registry=role in REGULATOR_ROLES,
        )
    if role in ENTERPRISE_ROLES and user.enterprise_code:
        return Scope(ScopeKind.ENTERPRISE, enterprise_code=user.enterprise_code, role=role)
    return PUBLIC_SCOPE
