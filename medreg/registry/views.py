"""Console pages of the registry: dashboard, search, enterprise and product pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medreg.core.scoping import Scope
from medreg.registry import selectors


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    root = request.user.jurisdiction if _scope(request).kind.value == "jurisdiction" else None  # type: ignore[union-attr]
    rows = selectors.dashboard(_scope(request), root) if not _scope(request).is_enterprise else []
    return render(request, "registry/dashboard.html", {"rows": rows, "root": root})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    results = selectors.search(_scope(request), query) if query else None
    return render(request, "registry/search.html", {"query": query, "results": results})


def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = selectors.enterprise(_scope(request), uscc)
    context = {
        "enterprise": enterprise,
        "licences": selectors.licences(_scope(request))
        .filter(enterprise=enterprise)
        .prefetch_related("status_changes"),
        "drugs": selectors.drugs(_scope(request)).filter(marketing_authorization_holder=enterprise)[:100],
        "devices": selectors.devices(_scope(request)).filter(marketing_authorization_holder=enterprise)[:100],
        "cosmetics": selectors.cosmetics(_scope(request)).filter(marketing_authorization_holder=enterprise)[:100],
        "history": selectors.history(_scope(request), "registry.enterprise", enterprise.uscc),
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
