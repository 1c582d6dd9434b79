"""Duplicate detection at rest: the dated linkage model, scored candidate pairs, and merges."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields
from medreg.vigilance.models.case import Case


class LinkageSource(models.TextChoices):
    SYNTHETIC = "synthetic", _("Fitted on the synthetic labeled set")
    REVIEWS = "reviews", _("Fitted on reviewers' decisions")


class DuplicateStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class LinkageModelConfig(models.Model):
    """Fellegi–Sunter weights and threshold in force from `valid_from` (dated configuration)."""

    valid_from = models.DateField()
    source = models.CharField(max_length=10, choices=LinkageSource.choices)
    weights = models.JSONField()  # field name -> log2(m/u) per agreement level
    threshold = models.FloatField()
    training_size = models.PositiveIntegerField(default=0)
    reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duplicate linkage model")
        ordering = ["-valid_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.valid_from}"


class DuplicateCandidate(models.Model):
    """Two cases scored as possible duplicates (case_a < case_b), and the reviewer's decision."""

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("case_a__jurisdiction_path",),
        enterprise_codes=("case_a__sender_enterprise_code",),
    )

    case_a = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    case_b = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    contributions = models.JSONField(default=dict)
    linkage_model = models.ForeignKey(LinkageModelConfig, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duplicate candidate")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_a", "case_b"], name="duplicate_candidate_pair_once"),
            models.CheckConstraint(condition=models.Q(case_a__lt=models.F("case_b")), name="duplicate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.case_a_id}~{self.case_b_id} {self.score:.1f}"


class CaseMerge(models.Model):
    """A confirmed duplicate merged into its master: both cases and all their versions are kept."""

    duplicate = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="merged_into")
    master = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="merged_duplicates")
    candidate = models.OneToOneField(DuplicateCandidate, on_delete=models.PROTECT, related_name="merge")
    plan = models.JSONField()  # the merge plan: field decisions, conflicts, provenance of drugs and reactions
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    merged_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case merge")

    def __str__(self) -> str:
        return f"{self.duplicate_id} -> {self.master_id}"
