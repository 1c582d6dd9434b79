"""Console views of core: login and logout (Django's), the audit verification page for regulators."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medreg.core.audit import verify_chain
from medreg.core.errors import PermissionDenied


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def audit_status(request: HttpRequest) -> HttpResponse:
    """Regulators see whether the audit chain is intact (national staff only: the chain is global)."""
    if request.scope.kind.value != "all":  # type: ignore[attr-defined]
        raise PermissionDenied("Only national regulators may verify the audit chain.")
    return render(request, "core/audit_status.html", {"report": verify_chain()})
