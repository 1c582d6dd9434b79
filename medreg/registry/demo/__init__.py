"""Deterministic demo data: `generate` (pure: divisions, scale, seed -> records) and `load`
(writes them, audited, with the demo logins). `medreg demo load` runs it; see
docs/modules/registry-demo.md."""

from medreg.registry.demo.generator import DEFAULT_SEED, REFERENCE_DATE, generate
from medreg.registry.demo.loader import divisions_from_database, load
from medreg.registry.demo.users import DEMO_PASSWORD, DEMO_USERS, demo_users_exist, login_lines

__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "REFERENCE_DATE",
    "demo_users_exist",
    "divisions_from_database",
    "generate",
    "load",
    "login_lines",
]
