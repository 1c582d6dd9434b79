from django.urls import include, path

from medreg.api import api, epcis_api

urlpatterns = [
    path("api/", api.urls),
    path("epcis/", epcis_api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("medreg.core.urls")),
    path("trace/", include("medreg.trace.urls")),
    path("vigilance/", include("medreg.vigilance.urls")),
    path("", include("medreg.registry.urls")),
]
