from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    """Drug traceability: codes, EPCIS capture and query, pack state, verification, recalls, alerts."""

    name = "medreg.trace"
    label = "trace"
    verbose_name = _("Traceability")
