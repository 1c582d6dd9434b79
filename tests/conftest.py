"""Fixtures shared by the whole suite: users of every role, enterprises in and out of scope."""

import pytest

from medreg.core.models import Jurisdiction, Role, User
from medreg.trace.selectors import forget_cached_drug_summaries
from tests import factories


@pytest.fixture
def zhejiang(db: None) -> Jurisdiction:
    return Jurisdiction.objects.get(code="330000")


@pytest.fixture
def hangzhou(db: None) -> Jurisdiction:
    return Jurisdiction.objects.get(code="330100")


@pytest.fixture
def xihu(db: None) -> Jurisdiction:
    return Jurisdiction.objects.get(code="330106")


@pytest.fixture
def ningbo_haishu(db: None) -> Jurisdiction:
    return Jurisdiction.objects.get(code="330203")


@pytest.fixture
def nanjing_xuanwu(db: None) -> Jurisdiction:
    return Jurisdiction.objects.get(code="320102")


@pytest.fixture
def national_user(db: None) -> User:
    return factories.make_user("national", Role.NATIONAL_REGULATOR, "000000")


@pytest.fixture
def provincial_user(db: None) -> User:
    return factories.make_user("zj_province", Role.PROVINCIAL_REGULATOR, "330000")


@pytest.fixture
def city_user(db: None) -> User:
    return factories.make_user("hz_city", Role.CITY_REGULATOR, "330100")


@pytest.fixture
def other_province_user(db: None) -> User:
    return factories.make_user("js_province", Role.PROVINCIAL_REGULATOR, "320000")


@pytest.fixture(autouse=True)
def _fresh_drug_summaries() -> None:
    """Verification caches drug summaries per process; each test starts with an empty cache."""
    forget_cached_drug_summaries()
