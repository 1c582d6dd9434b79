"""Console pages of MedDRA releases: the loaded releases (history kept, one per language in use),
uploading a zipped distribution and activating a release (national regulator), and the diff
between two loaded versions. Regulators of every level may read; other callers are refused.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from medreg.core.actor import Actor, client_ip
from medreg.core.errors import DomainError
from medreg.core.scoping import Scope
from medreg.vigilance import meddra_selectors
from medreg.vigilance.services.meddra import (
    activate_release,
    may_load,
    refuse_oversized,
    require_loader,
    upload_release,
)


class ReleaseUploadForm(forms.Form):
    file = forms.FileField(label=_("Zipped MedDRA ASCII distribution"))
    activate = forms.BooleanField(label=_("Put it in use for its language"), required=False)


class DiffForm(forms.Form):
    old = forms.IntegerField(min_value=1, max_value=2_147_483_647)
    new = forms.IntegerField(min_value=1, max_value=2_147_483_647)


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, ip_address=client_ip(request.META), channel="console")  # type: ignore[arg-type]


@login_required
def releases(request: HttpRequest) -> HttpResponse:
    """The loaded releases and, for the national regulator, the upload form."""
    return _releases_page(request, ReleaseUploadForm(), status=200)


def _releases_page(request: HttpRequest, form: ReleaseUploadForm, status: int) -> HttpResponse:
    scope = _scope(request)
    context = {
        "releases": list(meddra_selectors.releases(scope)),
        "may_load": may_load(scope),
        "form": form,
        "loaded": request.GET.get("loaded", ""),
    }
    return render(request, "vigilance/meddra/releases.html", context, status=status)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Load an uploaded distribution: stored whole, or refused with the file, line and field at fault."""
    meddra_selectors.releases(_scope(request))  # readers only, before the file is looked at
    require_loader(_scope(request))
    form = ReleaseUploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            refuse_oversized(file.size or 0)
            found = upload_release(
                actor=_actor(request),
                scope=_scope(request),
                data=file.read(),
                filename=file.name or "",
                activate=form.cleaned_data["activate"],
            )
        except DomainError as error:
            if error.status == 403:
                raise
            form.add_error("file", "; ".join(f"{e.message} {e.fix}".strip() for e in error.errors))
        else:
            return redirect(f"/vigilance/meddra/?loaded={found.pk}")
    return _releases_page(request, form, status=400)


@login_required
@require_POST
def activate(request: HttpRequest, release_id: int) -> HttpResponse:
    activate_release(actor=_actor(request), scope=_scope(request), release_id=release_id)
    return redirect("vigilance:meddra_releases")


@login_required
def diff(request: HttpRequest) -> HttpResponse:
    """What changed between two loaded releases."""
    scope = _scope(request)
    form = DiffForm(request.GET or None)
    found = None
    if form.is_valid():
        found = meddra_selectors.release_diff(scope, form.cleaned_data["old"], form.cleaned_data["new"])
    context = {
        "form": form,
        "diff": found,
        "releases": list(meddra_selectors.releases(scope)),
        "rows": meddra_selectors.DIFF_ROWS,
    }
    return render(request, "vigilance/meddra/diff.html", context, status=400 if form.errors else 200)
