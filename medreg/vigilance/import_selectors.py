"""Import job reads, scoped to the caller (decision 0207): a user sees the jobs they submitted;
regulators also see the jobs sent from inside their jurisdiction (to help a hospital with a file)."""

from django.db.models import Q, QuerySet

from medreg.core.errors import NotFound
from medreg.core.models import User
from medreg.core.scoping import Scope
from medreg.vigilance.models import ImportJob


def my_import_jobs(user: User) -> QuerySet[ImportJob]:
    """The jobs `user` submitted, newest first (without the stored file)."""
    return ImportJob.objects.filter(submitted_by=user).defer("document_encrypted", "acknowledgement", "errors")


def import_job(scope: Scope, user: User, job_id: int) -> ImportJob:
    """One job the caller may see: their own, or (regulators) one sent from their jurisdiction."""
    visible = Q(submitted_by=user)
    if scope.is_regulator:
        visible |= Q(pk__in=scope.apply(ImportJob.objects.all()).values("pk"))
    found = ImportJob.objects.filter(visible, pk=job_id).defer("document_encrypted").first()
    if found is None:
        raise NotFound("import job")
    return found
