"""Import jobs: a console upload (E2B(R3) batch or a hospital's CSV/Excel file) stored, committed,
then processed by a background task that reports its progress (decision 0207)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class ImportKind(models.TextChoices):
    E2B = "e2b", _("E2B(R3) batch")
    CSV = "csv", _("CSV file of drug reports")
    VARIANT_CSV = "variant-csv", _("CSV file of device or cosmetic reports")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded file and what became of it. The file is stored (encrypted: it names patients and
    reporters) in the transaction that answers the upload, so an acknowledged upload is durable; the
    task then reads, validates and stores its reports, counting `done_count` of `total_count` as it
    goes. The result is the acknowledgement (E2B) or the stored count and the errors by row (CSV)."""

    SCOPE_FIELDS = ScopeFields(jurisdiction_paths=("jurisdiction_path",), enterprise_codes=("sender_enterprise_code",))

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    product_family = models.CharField(_("product family"), max_length=10, default="drug")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ip_address = models.CharField(max_length=45, blank=True)
    sender_enterprise_code = models.CharField(max_length=18, blank=True, db_index=True)
    jurisdiction_path = models.CharField(max_length=40, db_index=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    document_encrypted = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    stage = models.CharField(_("progress"), max_length=20, blank=True)
    total_count = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    stored_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    acknowledgement_code = models.CharField(max_length=2, blank=True)
    acknowledgement = models.BinaryField(default=b"")
    errors = models.JSONField(default=list)

    class Meta:
        verbose_name = _("import job")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["submitted_by", "-created_at"])]

    def __str__(self) -> str:
        return f"import job {self.pk} ({self.kind}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
