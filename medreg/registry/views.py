"""Console pages of the registry: dashboard, enterprise list and pages, product pages, search.

Every read goes through `medreg.registry.selectors` with `request.scope`; a view only parses its
input, calls selectors and renders.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from medreg.core.errors import FieldError, NotFound
from medreg.core.models import Jurisdiction
from medreg.core.scoping import Scope, ScopeKind
from medreg.registry import selectors
from medreg.registry.models import Enterprise, EnterpriseStatus, EnterpriseType
from medreg.registry.resolver import Resolver

ENTERPRISES_PER_PAGE = 25
PRODUCTS_PER_ENTERPRISE_PAGE = 100


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts per child jurisdiction; `?j=CODE` drills down into a node inside the caller's scope."""
    scope = _scope(request)
    if scope.kind not in (ScopeKind.ALL, ScopeKind.JURISDICTION):
        return render(request, "registry/dashboard.html", {"rows": [], "root": None})
    root = _dashboard_root(request, scope)
    context = {"rows": selectors.dashboard(scope, root), "root": root, "up": _parent_in_scope(scope, root)}
    return render(request, "registry/dashboard.html", context)


def _dashboard_root(request: HttpRequest, scope: Scope) -> Jurisdiction | None:
    code = request.GET.get("j", "").strip()
    if code:
        return _jurisdiction_in_scope(scope, code)
    if scope.kind is ScopeKind.JURISDICTION:
        return request.user.jurisdiction  # type: ignore[union-attr]
    return None


def _jurisdiction_in_scope(scope: Scope, code: str) -> Jurisdiction:
    """The node with this code when the caller's scope covers it; unknown and foreign nodes are 404."""
    errors: list[FieldError] = []
    node = Resolver(scope).jurisdiction(code[:6], "j", errors)
    if node is None:
        raise NotFound("jurisdiction")
    return node


def _parent_in_scope(scope: Scope, root: Jurisdiction | None) -> Jurisdiction | None:
    parent = root.parent if root is not None else None
    return parent if parent is not None and scope.covers_jurisdiction_path(parent.path) else None


class EnterpriseFilterForm(forms.Form):
    """The search box and filters of the enterprise list (all optional)."""

    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *EnterpriseType.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *EnterpriseStatus.choices]
    )

    def narrow(self, queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
        """Apply the valid filters; invalid ones are ignored (the form shows why)."""
        data = self.cleaned_data if self.is_valid() else {}
        if text := data.get("q", "").strip().lower():
            queryset = queryset.filter(search_text__contains=text)
        if data.get("type"):
            queryset = queryset.filter(type_assignments__type=data["type"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset


def enterprise_list(request: HttpRequest) -> HttpResponse:
    """Enterprises visible to the caller, filtered by text, type and status, 25 to a page."""
    form = EnterpriseFilterForm(request.GET)
    enterprises = form.narrow(selectors.enterprises(_scope(request)))
    page: Page = Paginator(enterprises, ENTERPRISES_PER_PAGE).get_page(request.GET.get("page"))  # type: ignore[type-arg]
    return render(request, "registry/enterprise_list.html", {"form": form, "page": page})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    results = selectors.search(_scope(request), query) if query else None
    return render(request, "registry/search.html", {"query": query, "results": results})


def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    scope = _scope(request)
    enterprise = selectors.enterprise(scope, uscc)
    held = {"marketing_authorization_holder": enterprise}
    context = {
        "enterprise": enterprise,
        "licences": selectors.licences(scope).filter(enterprise=enterprise).prefetch_related("status_changes"),
        "drugs": selectors.drugs(scope).filter(**held).prefetch_related(None)[:PRODUCTS_PER_ENTERPRISE_PAGE],
        "devices": selectors.devices(scope).filter(**held).prefetch_related(None)[:PRODUCTS_PER_ENTERPRISE_PAGE],
        "cosmetics": selectors.cosmetics(scope).filter(**held)[:PRODUCTS_PER_ENTERPRISE_PAGE],
        "history": selectors.history(scope, "registry.enterprise", enterprise.uscc),
    }
    return render(request, "registry/enterprise_detail.html", context)


def drug_detail(request: HttpRequest, approval_number: str) -> HttpResponse:
    drug = selectors.drug(_scope(request), approval_number)
    history = selectors.history(_scope(request), "registry.drug", drug.approval_number)
    return render(request, "registry/drug_detail.html", {"drug": drug, "history": history})


def device_detail(request: HttpRequest, number: str) -> HttpResponse:
    device = selectors.device(_scope(request), number)
    history = selectors.history(_scope(request), "registry.device", device.number)
    return render(request, "registry/device_detail.html", {"device": device, "history": history})


def cosmetic_detail(request: HttpRequest, number: str) -> HttpResponse:
    cosmetic = selectors.cosmetic(_scope(request), number)
    history = selectors.history(_scope(request), "registry.cosmetic", cosmetic.number)
    return render(request, "registry/cosmetic_detail.html", {"cosmetic": cosmetic, "history": history})
