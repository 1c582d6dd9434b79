"""Request middleware: the console language, and the caller's scope attached to every request."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from medreg.core.errors import DomainError
from medreg.core.scoping import scope_for


class LanguageMiddleware:
    """Chinese unless the user chose another language (cookie set by /i18n/setlang/ or ?lang=).

    The browser's Accept-Language is deliberately ignored: the console speaks Chinese by default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestContextMiddleware:
    """Attaches `request.scope` for console views (the API sets it in its auth step)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = scope_for(getattr(request, "user", None))  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A refusal raised in a console view becomes a page with its status, never a 500."""
        if isinstance(exception, DomainError):
            return render(request, "core/error.html", {"errors": exception.errors}, status=exception.status)
        return None
