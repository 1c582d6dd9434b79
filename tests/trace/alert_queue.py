"""What a city regulator sees in the traceability alert queue, for the alert rule tests."""

from django.test import Client

from medreg.core.models import Role
from tests import factories


def queue(division: str) -> list[tuple[str, str]]:
    """(rule, pack key) of the open alerts a city regulator of `division` sees, sorted."""
    client = Client()
    client.force_login(factories.make_user(f"city_{division}", Role.CITY_REGULATOR, division))
    return sorted((a["rule"], a["pack_key"]) for a in client.get("/api/trace/alerts").json())
