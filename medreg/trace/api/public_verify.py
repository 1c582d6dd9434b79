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
from django.core import signals
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string
from ninja.renderers import JSONRenderer

from medreg.core.errors import DomainError
from medreg.trace.api.trace import verification
from medreg.trace.selectors import Verification

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
            data: dict[str, Any] = _verified(code).__dict__
            status = 200
        except DomainError as error:
            data, status = {"errors": [e.as_dict() for e in error.errors]}, error.status
        response = HttpResponse(
            _RENDERER.render(request, data, response_status=status), status=status, content_type=_CONTENT_TYPE
        )
        # The language cookie selects Content-Language; Django's route says Vary: Cookie for its session.
        patch_vary_headers(response, ("Cookie",))
        return response


def _verified(code: str) -> Verification:
    """`verification(code)` without the health check Django runs before a request's first query
    (CONN_HEALTH_CHECKS: a `SELECT 1`, half the round trips of a verification). The query itself is
    the check: on a connection the server has dropped (restart, idle timeout, failover) it fails
    before any row is read, and the read-only lookup runs once more on a new connection."""
    connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        return verification(code)
    except (InterfaceError, OperationalError):
        if connection.in_atomic_block:
            raise
        connection.close()
        return verification(code)


class PublicVerifyRoute:
    """WSGI application: claimed requests to the lean handler, all others to `application`.

    The plainest claimed request — no query string, no cookie, an allowed host, no HTTPS redirect
    due — is answered without building Django's response: the headers are the ones the lean
    handler's middleware gave the same kind of request (learned once per worker and scheme, by one
    real pass through the chain), the body is rendered as the handler renders it. Anything else, and
    any answer other than 200 (a DomainError, an exception), goes through the handler, which answers
    and logs it as Django does. Tests require the same status, headers and body from both routes."""

    def __init__(self, application: Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]) -> None:
        self.application = application
        self.handler = PublicVerifyHandler()
        self._headers: dict[bool, list[tuple[str, str]] | None] = {}

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        if not claims(environ):
            return self.application(environ, start_response)
        answer = self._plain_answer(environ) if _plain(environ) else None
        if answer is None:
            return self.handler(environ, start_response)
        headers, body = answer
        start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _plain_answer(self, environ: WSGIEnviron) -> tuple[list[tuple[str, str]], bytes] | None:
        request = WSGIRequest(environ)  # Django's reading of the path, host and scheme
        try:
            request.get_host()
        except DisallowedHost:
            return None
        secure = request.is_secure()
        if settings.SECURE_SSL_REDIRECT and not secure:
            return None
        headers = self._headers[secure] if secure in self._headers else self._learn(environ, secure)
        if headers is None:
            return None
        signals.request_started.send(sender=PublicVerifyHandler, environ=environ)
        try:
            data: dict[str, Any] = _verified(request.path_info[len(PATH_PREFIX) :]).__dict__
        except Exception:  # the handler answers it (400 or 500) and logs it as Django does
            return None
        finally:
            signals.request_finished.send(sender=PublicVerifyHandler)
        return headers, _RENDERER.render(request, data, response_status=200).encode()

    def _learn(self, environ: WSGIEnviron, secure: bool) -> list[tuple[str, str]] | None:
        """The headers the handler's middleware gives a 200 answer to this kind of request, but the
        length; None (never the plain path) if they hold a cookie, which belongs to one answer only."""
        learned: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: object) -> Callable[[bytes], object]:
            learned.update(status=status, headers=headers)
            return lambda data: None  # the WSGI write() callable: the handler returns its body instead

        probe = {**environ, "PATH_INFO": PATH_PREFIX + "0"}  # an invalid code: answered without the database
        response = self.handler(probe, start_response)
        b"".join(response)
        response.close()  # type: ignore[attr-defined]
        kept = [(name, value) for name, value in learned["headers"] if name != "Content-Length"]
        plain = learned["status"] == "200 OK" and all(name != "Set-Cookie" for name, _ in kept)
        self._headers[secure] = kept if plain else None
        return self._headers[secure]


def _plain(environ: WSGIEnviron) -> bool:
    """No query string (`?lang=`) and no cookie (the language cookie, a session): the answer's headers
    then depend only on the scheme (HSTS)."""
    return not environ.get("QUERY_STRING") and "HTTP_COOKIE" not in environ
