"""Minimal console data for the browser test while `medreg demo load` is unavailable
(MEDREG_BROWSER_DATA=seed): the demo logins used by the test (password medreg-demo-2026) and a few
enterprises in Zhejiang and Jiangsu, the same shape as the demo command's data."""

from django.contrib.auth.hashers import make_password

from medreg.core.models import Jurisdiction, Role, User
from tests import factories

PASSWORD = "medreg-demo-2026"


def seed() -> None:
    holder = factories.make_enterprise("杭州西湖制药有限公司", "330106", ("marketing_authorization_holder",))
    factories.make_enterprise("宁波海曙医药有限公司", "330203", ("drug_wholesaler",))
    factories.make_enterprise("南京玄武医药有限公司", "320102", ("drug_wholesaler",))
    factories.make_licence(holder, "浙20260001", kind="drug_production")
    factories.make_drug(holder, "国药准字H20260001", "阿莫西林胶囊", "8600001")
    logins = [
        ("national", Role.NATIONAL_REGULATOR, "000000", ""),
        ("provincial", Role.PROVINCIAL_REGULATOR, "330000", ""),
        ("enterprise", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc),
        ("public", Role.PUBLIC, None, ""),
    ]
    password = make_password(PASSWORD)  # one hash for every login: PBKDF2 is slow on purpose
    nodes = Jurisdiction.objects.in_bulk(["000000", "330000"], field_name="code")
    User.objects.bulk_create(
        User(username=name, password=password, role=role, jurisdiction=nodes.get(code or ""), enterprise_code=uscc)
        for name, role, code, uscc in logins
    )
