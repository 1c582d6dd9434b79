from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VigilanceConfig(AppConfig):
    """Pharmacovigilance: ICSR case storage, E2B(R3) intake and export, coding, signals."""

    name = "medreg.vigilance"
    label = "vigilance"
    verbose_name = _("Pharmacovigilance")
