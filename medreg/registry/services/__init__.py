"""Registry writes: every function validates the whole input, writes in one transaction and
appends the audit record in that same transaction. Reads are in `medreg.registry.selectors`."""

from medreg.registry.services.enterprises import create_enterprise, register_site, update_enterprise
from medreg.registry.services.licences import change_licence_status, create_licence, expire_licences
from medreg.registry.services.products import create_cosmetic, create_device, create_drug, update_drug

__all__ = [
    "change_licence_status",
    "create_cosmetic",
    "create_device",
    "create_drug",
    "create_enterprise",
    "create_licence",
    "expire_licences",
    "register_site",
    "update_drug",
    "update_enterprise",
]
