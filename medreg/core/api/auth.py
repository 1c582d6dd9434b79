"""Authentication for the JSON API: a bearer token (enterprise systems) or the console session.

Anonymous callers are let through as the public; what they see is decided by scoping.
A token that is present but unknown or revoked is refused with 401, never treated as anonymous.
"""

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from medreg.core.scoping import Scope, scope_for
from medreg.core.tokens import authenticate_token

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class OptionalAuth(AuthBase):
    """Django Ninja auth callable: always returns a truthy marker; sets request.api_user and scope."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            user = _user_from_header(header)
            request.auth_channel = "api"  # type: ignore[attr-defined]
        else:
            user = _user_from_session(request)
            request.auth_channel = "console"  # type: ignore[attr-defined]
        request.api_user = user  # type: ignore[attr-defined]
        scope = scope_for(user)
        request.scope = scope  # type: ignore[attr-defined]
        return scope


def _user_from_header(header: str) -> Any:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise AuthenticationError(401, "Authorization must be 'Bearer <token>'.")
    user = authenticate_token(value.strip())
    if user is None:
        raise AuthenticationError(401, "The API token is unknown or revoked; ask for a new one.")
    return user


def _user_from_session(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.method in UNSAFE_METHODS and check_csrf(request) is not None:
        raise AuthenticationError(403, "CSRF check failed: send the X-CSRFToken header from the console page.")
    return user


def request_scope(request: HttpRequest) -> Scope:
    """The scope OptionalAuth attached to this request."""
    return request.scope  # type: ignore[attr-defined, no-any-return]
