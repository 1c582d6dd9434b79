from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Accounts, jurisdictions, scoping, audit."""

    name = "medreg.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created  # noqa: PLC0415 - apps are loading

        from medreg.core.db import prepare_only_when_asked  # noqa: PLC0415

        connection_created.connect(prepare_only_when_asked, dispatch_uid="medreg.core.db.prepare_only_when_asked")
