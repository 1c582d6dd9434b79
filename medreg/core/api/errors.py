"""Every refusal the API gives has one JSON shape: {"errors": [{field, code, message, fix}]}."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from medreg.core.errors import DomainError, FieldError


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers that turn every expected failure into a 4xx with the error shape."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error_response(api, request, exc.errors, exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(api, request, [_from_pydantic(e) for e in exc.errors], 422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        status = exc.status_code if exc.status_code in (401, 403) else 401
        message = str(exc.message) if getattr(exc, "message", "") else "Authentication required."
        return error_response(api, request, [FieldError("Authorization", "unauthenticated", message)], status)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, [FieldError("__all__", "http_error", str(exc))], exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        error = FieldError(
            "file",
            "too_large",
            "The request body is larger than the platform accepts.",
            "Split the file into smaller files and send them one by one.",
        )
        return error_response(api, request, [error], 413)


def error_response(api: NinjaAPI, request: HttpRequest, errors: list[FieldError], status: int) -> HttpResponse:
    return api.create_response(request, {"errors": [e.as_dict() for e in errors]}, status=status)


def _from_pydantic(error: dict[str, Any]) -> FieldError:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
    field = ".".join(location) or "__all__"
    message = str(error.get("msg", "invalid value"))
    return FieldError(field, str(error.get("type", "invalid")), message, "Correct the value of this field.")
