"""The JSON API: one NinjaAPI, each module mounting its router. OpenAPI docs at /api/docs."""

from ninja import NinjaAPI

from medreg.core.api.auth import OptionalAuth
from medreg.core.api.errors import install_error_handlers
from medreg.core.api.routes import router as core_router
from medreg.registry.api.routes import router as registry_router

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
