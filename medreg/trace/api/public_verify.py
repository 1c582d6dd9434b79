"""The lean route of public pack verification: anonymous `GET /api/trace/verify/<code>`.

The public asks "is this pack genuine?" far more often than anyone else calls the platform, and the
question needs no session, user, CSRF token or message store. `PublicVerifyRoute` wraps the Django
WSGI application (medreg/wsgi.py): requests it claims go to `PublicVerifyHandler`, a Django handler
whose middleware chain drops the session-bound middleware and whose only view is
`trace.verification`; everything else — and every request that sends a token — goes to Django as
before. The answer is the documented Ninja operation's, byte for byte (tests/trace/test_public_verify.py).
Decision 0104 records the choice.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from ninja.renderers import JSONRenderer

from medreg.core.errors import DomainError
from medreg.trace.api.trace import verification

PATH_PREFIX = "/api/trace/verify/"

# Middleware that serves signed-in users only; every other entry of settings.MIDDLEWARE (security
# headers, language, host check and Content-Length, X-Frame-Options) runs on the lean route too.
SIGNED_IN_ONLY = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, never under /api/
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",  # GET is a safe method: nothing to check
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "medreg.core.middleware.RequestContextMiddleware",  # the caller's scope: verify is public
    }
)

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]

_RENDERER = JSONRenderer()  # Ninja's default renderer, as the NinjaAPI of medreg.api uses
_CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


def claims(environ: WSGIEnviron) -> bool:
    """An anonymous GET of one code: what Django would route to the Ninja verify operation."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
        return False
    path: str = environ.get("PATH_INFO", "")
    code = path[len(PATH_PREFIX) :]
    return path.startswith(PATH_PREFIX) and code != "" and "/" not in code


class PublicVerifyHandler(WSGIHandler):
    """Django's WSGI handler (signals, connection handling, error pages, response logging) with the
    public middleware only and one view instead of URL resolution."""

    def load_middleware(self, is_async: bool = False) -> None:
        handler = convert_exception_to_response(self._get_response)
        for path in reversed([p for p in settings.MIDDLEWARE if p not in SIGNED_IN_ONLY]):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler

    def _get_response(self, request: HttpRequest) -> HttpResponse:
        code = request.path_info[len(PATH_PREFIX) :]
        try:
            # the fields of the answer, in VerificationOut's order, rendered without a pydantic round trip
            data: dict[str, Any] = verification(code).__dict__
            status = 200
        except DomainError as error:
            data, status = {"errors": [e.as_dict() for e in error.errors]}, error.status
        response = HttpResponse(
            _RENDERER.render(request, data, response_status=status), status=status, content_type=_CONTENT_TYPE
        )
        # The language cookie selects Content-Language; Django's route says Vary: Cookie for its session.
        patch_vary_headers(response, ("Cookie",))
        return response


class PublicVerifyRoute:
    """WSGI application: claimed requests to the lean handler, all others to `application`."""

    def __init__(self, application: Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]) -> None:
        self.application = application
        self.handler = PublicVerifyHandler()

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        if claims(environ):
            return self.handler(environ, start_response)
        return self.application(environ, start_response)
