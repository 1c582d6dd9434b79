from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """Enterprises, licences and products."""

    name = "medreg.registry"
    label = "registry"
    verbose_name = _("Registry")
