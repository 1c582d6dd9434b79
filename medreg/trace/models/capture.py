import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class CaptureStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted, waiting")
    RUNNING = "running", _("Processing")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Partially succeeded")
    FAILED = "failed", _("Failed")


class CaptureJob(models.Model):
    """One submitted document (EPCIS JSON/XML or a CSV/Excel upload). The raw bytes are stored,
    committed, before the sender is answered 202: a crash after that loses nothing."""

    SCOPE_FIELDS = ScopeFields(jurisdiction_paths=("jurisdiction_path",), enterprise_codes=("sender_enterprise_code",))

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender_enterprise_code = models.CharField(_("sender"), max_length=18, db_index=True)
    jurisdiction_path = models.CharField(max_length=40, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    format = models.CharField(max_length=8)  # json | xml | csv | xlsx
    error_behaviour = models.CharField(max_length=8, default="rollback")  # GS1-Capture-Error-Behaviour
    document = models.BinaryField()
    size_bytes = models.PositiveBigIntegerField()
    status = models.CharField(max_length=12, choices=CaptureStatus.choices, default=CaptureStatus.ACCEPTED)
    event_count = models.PositiveIntegerField(default=0)
    stored_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("capture job")
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.id} {self.status}"
