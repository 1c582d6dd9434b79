"""Core models: jurisdictions, users and tokens, the audit chain."""

from medreg.core.models.audit import AuditChainHead, AuditRecord
from medreg.core.models.jurisdiction import Jurisdiction, JurisdictionLevel
from medreg.core.models.user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditRecord",
    "Jurisdiction",
    "JurisdictionLevel",
    "Role",
    "User",
]
