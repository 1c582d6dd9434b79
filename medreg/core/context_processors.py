"""Template context shared by every console page."""

from typing import Any

from django.http import HttpRequest

from medreg.core.scoping import PUBLIC_SCOPE


def scope(request: HttpRequest) -> dict[str, Any]:
    return {"scope": getattr(request, "scope", PUBLIC_SCOPE)}
