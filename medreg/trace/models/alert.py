from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class AlertRule(models.Model):
    """A configurable rule, as dated data: which anomaly, how severe, whether enabled, from when,
    under which legal reference."""

    code = models.CharField(max_length=48)
    enabled = models.BooleanField(default=True)
    severity = models.CharField(max_length=8, default="high")
    parameters = models.JSONField(default=dict, blank=True)
    valid_from = models.DateField()
    reference = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="alert_rule_once_per_date")]
        ordering = ["code", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.code} from {self.valid_from}"


class Alert(models.Model):
    """An anomaly found in traceability data, in the queue of the jurisdiction where it happened,
    with the events that are its evidence."""

    SCOPE_FIELDS = ScopeFields(jurisdiction_paths=("jurisdiction_path",), enterprise_codes=())

    rule = models.CharField(max_length=48, db_index=True)
    severity = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    jurisdiction_path = models.CharField(max_length=40, db_index=True)
    jurisdiction_code = models.CharField(max_length=6)
    pack_key = models.CharField(max_length=120, blank=True, db_index=True)
    approval_number = models.CharField(max_length=20, blank=True)
    lot = models.CharField(max_length=40, blank=True)
    enterprise_code = models.CharField(max_length=18, blank=True)
    message = models.CharField(max_length=500)  # in English, for the API and the audit trail
    # What the console says in the reader's language: a text of trace.alert_texts and its fields
    # (empty for alerts stored before texts were kept: the console shows `message`).
    text = models.CharField(max_length=48, blank=True)
    text_fields = models.JSONField(default=dict, blank=True)
    evidence = models.ManyToManyField("trace.Event", related_name="alerts")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert")

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"
