"""Scope.apply narrows a queryset without repeating rows, and without a subquery where none is needed."""

import pytest
from django.db.models import QuerySet

from medreg.core.scoping import SYSTEM_SCOPE, Scope, ScopeKind
from medreg.registry.models import Drug
from medreg.trace.models import Pack

PROVINCE = Scope(ScopeKind.JURISDICTION, jurisdiction_path="330000/")
ENTERPRISE = Scope(ScopeKind.ENTERPRISE, enterprise_code="91330100MA2XXXXX0A")


def where(queryset: QuerySet) -> str:  # type: ignore[type-arg]
    return str(queryset.query).split(" WHERE ", 1)[1]


@pytest.mark.parametrize(
    ("scope", "columns"),
    [
        (PROVINCE, ['"trace_pack"."jurisdiction_path"']),
        (ENTERPRISE, ['"trace_pack"."holder_enterprise_code"', '"trace_pack"."commissioned_by_enterprise_code"']),
    ],
)
def test_columns_of_the_model_itself_are_a_plain_filter(scope: Scope, columns: list[str]) -> None:
    condition = where(scope.apply(Pack.objects.filter(lot="L1")))

    assert "SELECT" not in condition
    assert [column in condition for column in columns] == [True] * len(columns)
    assert condition.startswith('("trace_pack"."lot" = L1 AND ')


@pytest.mark.parametrize("scope", [PROVINCE, ENTERPRISE])
def test_paths_through_relations_go_through_a_subquery(scope: Scope) -> None:
    # a drug's holder or any of its manufacturers: the join can repeat a drug
    condition = where(scope.apply(Drug.objects.all()))

    assert condition.startswith('"registry_drug"."id" IN (SELECT ')


def test_the_national_scope_adds_nothing() -> None:
    queryset = Pack.objects.filter(lot="L1")

    assert SYSTEM_SCOPE.apply(queryset) is queryset
