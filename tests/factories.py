"""Test data builders. Rows are written directly (they are the given, not the subject, of a test)."""

import datetime as dt
import itertools

from medreg.core.identifiers import make_uscc
from medreg.core.models import Jurisdiction, Role, User
from medreg.registry.models import Drug, Enterprise, EnterpriseTypeAssignment, Licence, PackageLevel
from medreg.registry.search_text import search_text_for

_serial = itertools.count(1)


def uscc(division: str = "330106") -> str:
    return make_uscc(division, f"MA{next(_serial):07d}")


def make_user(username: str, role: Role, jurisdiction_code: str | None = None, enterprise_code: str = "") -> User:
    jurisdiction = Jurisdiction.objects.get(code=jurisdiction_code) if jurisdiction_code else None
    return User.objects.create_user(
        username=username,
        password="correct-horse-battery",
        role=role,
        jurisdiction=jurisdiction,
        enterprise_code=enterprise_code,
    )


def make_enterprise(name: str, division: str = "330106", types: tuple[str, ...] = ("drug_wholesaler",)) -> Enterprise:
    code = uscc(division)
    enterprise = Enterprise.objects.create(
        uscc=code,
        name=name,
        legal_representative="张三",
        registered_address=f"{name}地址",
        jurisdiction=Jurisdiction.objects.get(code=division),
        search_text=search_text_for(name, code),
    )
    EnterpriseTypeAssignment.objects.bulk_create(
        [EnterpriseTypeAssignment(enterprise=enterprise, type=t) for t in types]
    )
    return enterprise


def make_licence(enterprise: Enterprise, number: str, kind: str = "drug_wholesale") -> Licence:
    return Licence.objects.create(
        enterprise=enterprise,
        kind=kind,
        number=number,
        scope="化学药制剂",
        issued_by=enterprise.jurisdiction,
        issued_on=dt.date(2022, 1, 1),
        valid_until=dt.date(2027, 1, 1),
    )


def make_drug(holder: Enterprise, approval_number: str, name: str = "阿莫西林胶囊", code: str | None = None) -> Drug:
    drug = Drug.objects.create(
        approval_number=approval_number,
        generic_name=name,
        dosage_form="胶囊剂",
        strength="0.25g",
        marketing_authorization_holder=holder,
        prescription_class="rx",
        approved_on=dt.date(2020, 5, 1),
        search_text=search_text_for(name, approval_number),
    )
    PackageLevel.objects.create(drug=drug, level=1, description="每盒24粒", quantity=24, drug_identification_code=code)
    return drug
