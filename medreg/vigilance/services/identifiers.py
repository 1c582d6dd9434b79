"""Access to the cleartext identifiers of a case: national and provincial regulators only, audited."""

import json
from typing import Any

from django.db import transaction

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.errors import NotFound, PermissionDenied
from medreg.core.models import Role
from medreg.core.scoping import Scope
from medreg.vigilance import selectors
from medreg.vigilance.e2b.model import Report
from medreg.vigilance.models import CaseVersion
from medreg.vigilance.privacy import decrypt, merge_identifiers
from medreg.vigilance.services.codec import load

IDENTIFIER_ROLES = frozenset({Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, "system"})


def may_view_identifiers(scope: Scope) -> bool:
    """Only the regulators who review cases (national, provincial) and the platform itself."""
    return scope.role in IDENTIFIER_ROLES


def reveal_identifiers(*, actor: Actor, scope: Scope, case_id: int, version: int | None = None) -> dict[str, Any]:
    """The identifying values of a version by E2B model path (e.g. '.patient.name'); audited."""
    version_row = _version_for(actor=actor, scope=scope, case_id=case_id, version=version, purpose="viewed")
    return _identifiers(version_row)


def identified_report(*, actor: Actor, scope: Scope, case_id: int, version: int | None = None) -> Report:
    """The full report with its identifiers (for an identified E2B export); audited."""
    version_row = _version_for(actor=actor, scope=scope, case_id=case_id, version=version, purpose="exported")
    return merge_identifiers(load(Report, version_row.report), _identifiers(version_row))


def _version_for(*, actor: Actor, scope: Scope, case_id: int, version: int | None, purpose: str) -> CaseVersion:
    if not may_view_identifiers(scope):
        raise PermissionDenied("Patient and reporter identifiers are shown to national and provincial reviewers only.")
    case = selectors.case(scope, case_id)
    found = case.versions.select_related("identity").filter(number=version or case.current_version).first()
    if found is None:
        raise NotFound("case version")
    with transaction.atomic():
        record_change(
            actor=actor,
            action=f"vigilance.identifiers.{purpose}",
            object_type="vigilance.case",
            object_id=case.pk,
            before=None,
            after={"version": found.number},
        )
    return found


def _identifiers(version: CaseVersion) -> dict[str, Any]:
    return json.loads(decrypt(bytes(version.identity.identifiers_encrypted)))  # type: ignore[no-any-return]
