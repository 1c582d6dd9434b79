"""The demo logins: one user per role, placed so that scoping can be seen at work."""

from typing import NamedTuple

from django.contrib.auth.hashers import make_password

from medreg.core.models import Jurisdiction, Role, User
from medreg.registry.demo.enterprises import HOLDER_NAME, HOLDER_USCC, PHARMACY_NAME, PHARMACY_USCC

DEMO_PASSWORD = "medreg-demo-2026"  # noqa: S105 -- the published password of the demo logins
DEMO_URL = "http://127.0.0.1:8000/"


class DemoUser(NamedTuple):
    """A demo login: its role, its jurisdiction or enterprise, and a label for the console output."""

    username: str
    role: Role
    jurisdiction_code: str | None
    enterprise_code: str
    label: str


DEMO_USERS = (
    DemoUser("national", Role.NATIONAL_REGULATOR, "000000", "", "国家局"),
    DemoUser("provincial", Role.PROVINCIAL_REGULATOR, "330000", "", "浙江省局"),
    DemoUser("city", Role.CITY_REGULATOR, "330100", "", "杭州市局"),
    DemoUser("county", Role.COUNTY_REGULATOR, "330106", "", "西湖区局"),
    DemoUser("inspector", Role.INSPECTOR, "330100", "", "杭州市检查员"),
    DemoUser("enterprise", Role.MARKETING_AUTHORIZATION_HOLDER, None, HOLDER_USCC, HOLDER_NAME),
    DemoUser("pharmacy", Role.RETAIL_PHARMACY, None, PHARMACY_USCC, PHARMACY_NAME),
    DemoUser("public", Role.PUBLIC, None, "", "公众"),
)


def demo_users_exist() -> bool:
    """True when any demo login is already in the database (the demo data is loaded)."""
    return User.objects.filter(username__in=[user.username for user in DEMO_USERS]).exists()


def create_demo_users() -> list[User]:
    """Create every demo login with the demo password, hashed once (a hash costs about a second)."""
    nodes = Jurisdiction.objects.in_bulk(
        [u.jurisdiction_code for u in DEMO_USERS if u.jurisdiction_code], field_name="code"
    )
    hashed = make_password(DEMO_PASSWORD)
    users = [
        User.objects.create_user(
            username=user.username,
            role=user.role,
            jurisdiction=nodes[user.jurisdiction_code] if user.jurisdiction_code else None,
            enterprise_code=user.enterprise_code,
        )
        for user in DEMO_USERS
    ]
    User.objects.filter(pk__in=[user.pk for user in users]).update(password=hashed)
    return users


def login_lines() -> list[str]:
    """What `medreg demo load` prints for the person who ran `make demo`."""
    logins = ", ".join(f"{user.username} ({user.label})" for user in DEMO_USERS)
    return [
        f"Demo logins (password {DEMO_PASSWORD}): {logins}",
        f"  enterprise = {HOLDER_NAME} {HOLDER_USCC}; pharmacy = {PHARMACY_NAME} {PHARMACY_USCC}",
        f"Open {DEMO_URL}",
    ]
