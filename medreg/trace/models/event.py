from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class Event(models.Model):
    """A captured EPCIS event, stored once: `identity` is its eventID or its canonical event hash."""

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("jurisdiction_path",),
        enterprise_codes=("sender_enterprise_code", "owner_enterprise_code"),
    )

    # On PostgreSQL, identity, biz_step, biz_location and sender_enterprise_code have no `_like`
    # (varchar_pattern_ops) twin: migration trace/0004 dropped them, no query runs LIKE on them. An
    # AlterField of one of these fields makes Django create its twin again: drop it in the same migration
    # (tests/trace/test_schema_indexes.py fails if one comes back).
    identity = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=24)
    action = models.CharField(max_length=8, blank=True)
    biz_step = models.CharField(max_length=120, blank=True, db_index=True)
    disposition = models.CharField(max_length=120, blank=True)
    event_time = models.DateTimeField(db_index=True)
    record_time = models.DateTimeField(auto_now_add=True, db_index=True)
    read_point = models.CharField(max_length=200, blank=True)
    biz_location = models.CharField(max_length=200, blank=True, db_index=True)
    sender_enterprise_code = models.CharField(max_length=18, db_index=True)
    owner_enterprise_code = models.CharField(max_length=18, blank=True)  # owner of biz_location
    jurisdiction_path = models.CharField(max_length=40, db_index=True)
    job = models.ForeignKey("trace.CaptureJob", on_delete=models.PROTECT, related_name="events")
    payload = models.JSONField()

    class Meta:
        ordering = ["event_time", "id"]
        verbose_name = _("traceability event")

    def __str__(self) -> str:
        return f"{self.type} {self.biz_step} {self.event_time:%Y-%m-%d %H:%M}"


class EpcRole(models.IntegerChoices):
    EPC = 0, "epc"
    PARENT = 1, "parent"
    CHILD = 2, "child"
    INPUT = 3, "input"
    OUTPUT = 4, "output"


class EventEpc(models.Model):
    """One EPC observation: the canonical pack key of an identifier an event names, and in what role."""

    # No database constraint (decision 0105, second amendment of 2026-11-24): capture writes an event's EPC
    # rows only with the event, in one COPY of one transaction, and PostgreSQL's deferred check of the
    # constraint cost a sixth of capture's write floor (one lookup and row lock per EPC row at commit).
    # Django still cascades a deleted event to its rows.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="epcs", db_constraint=False)
    key = models.CharField(max_length=120)
    role = models.PositiveSmallIntegerField(choices=EpcRole.choices)

    class Meta:
        indexes = [models.Index(fields=["key", "event"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_role_display()})"
