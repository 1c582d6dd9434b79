"""E2B(R3) export of a case's current version: de-identified by default, identified for reviewers."""

import dataclasses

from medreg.core.actor import Actor
from medreg.core.scoping import Scope
from medreg.vigilance import selectors
from medreg.vigilance.e2b import export_batch
from medreg.vigilance.e2b.model import Batch, Report
from medreg.vigilance.services.codec import load
from medreg.vigilance.services.identifiers import identified_report


def export_case(*, actor: Actor, scope: Scope, case_id: int, identified: bool = False) -> bytes:
    """The current version as an MCCI_IN200100UV01 batch under the header it was received with.

    De-identified (identifying elements nullFlavor MSK) unless `identified`, which needs a
    reviewer's role and is audited.
    """
    case = selectors.case(scope, case_id)
    version = case.versions.select_related("transmission").get(number=case.current_version)
    if identified:
        report = identified_report(actor=actor, scope=scope, case_id=case.pk)
    else:
        report = load(Report, version.report)
    header = load(Batch, version.transmission.header)
    return export_batch(dataclasses.replace(header, reports=(report,)))
