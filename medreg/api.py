"""The JSON API: one NinjaAPI, each module mounting its router. OpenAPI docs at /api/docs."""

from ninja import NinjaAPI

from medreg.core.api.auth import OptionalAuth
from medreg.core.api.errors import install_error_handlers
from medreg.core.api.routes import router as core_router
from medreg.registry.api.routes import router as registry_router
from medreg.registry.api.transfer import router as transfer_router
from medreg.trace.api.epcis import router as epcis_router
from medreg.trace.api.trace import router as trace_router
from medreg.vigilance.api.routes import router as vigilance_router

api = NinjaAPI(
    title="medreg API",
    version="1",
    auth=OptionalAuth(),
    urls_namespace="api",
    description="Registry of regulated enterprises, licences and products. Errors: "
    '{"errors": [{"field", "code", "message", "fix"}]}.',
)
install_error_handlers(api)
api.add_router("/core", core_router)
api.add_router("/registry", registry_router)
api.add_router("/registry/transfer", transfer_router)
api.add_router("/trace", trace_router)
api.add_router("/vigilance", vigilance_router)
api.add_router("/vigilance/signals", "medreg.vigilance.api.signals.router")
api.add_router("/vigilance/variants", "medreg.vigilance.api.variants.router")
api.add_router("/vigilance/meddra", "medreg.vigilance.api.meddra.router")

# The EPCIS 2.0 REST binding lives at /epcis/ as the standard expects.
epcis_api = NinjaAPI(title="medreg EPCIS 2.0 REST binding", version="2.0", auth=OptionalAuth(), urls_namespace="epcis",
                     docs_url="/docs")
install_error_handlers(epcis_api)
epcis_api.add_router("", epcis_router)
