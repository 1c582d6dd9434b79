"""Signal management: dated screening thresholds, signal runs, their statistics, and signals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields
from medreg.vigilance.models.case import Case, ProductFamily


class SignalMeasure(models.TextChoices):
    """A disproportionality measure a threshold can be set on (columns of compute_signals)."""

    N = "N", _("Number of reports (N)")
    EBGM = "EBGM", _("EBGM")
    EB05 = "EB05", _("EB05 (lower 5% of the EBGM posterior)")
    PRR = "PRR", _("PRR")
    PRR_CHI2 = "PRR_chi2", _("PRR chi-square (Yates)")
    ROR_LOWER = "ROR_lower", _("ROR lower 95% bound")
    IC025 = "IC025", _("IC025 (BCPNN)")


class SignalThreshold(models.Model):
    """One screening rule in force from `valid_from` until the next row for the same measure.

    A pair is flagged when it meets every measure's minimum in force on the run date; a row with
    no minimum retires the measure from that date. Rules change by decision, so they are data with
    their reference, never constants in code.
    """

    measure = models.CharField(max_length=12, choices=SignalMeasure.choices)
    minimum = models.FloatField(_("minimum (inclusive)"), null=True, blank=True)
    valid_from = models.DateField()
    reference = models.CharField(_("legal or guideline reference"), max_length=300)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("signal threshold")
        ordering = ["measure", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["measure", "valid_from"], name="signal_threshold_once_per_date")]

    def __str__(self) -> str:
        return f"{self.measure} >= {self.minimum} from {self.valid_from}"


class SignalRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


SIGNAL_SCOPE = ScopeFields(jurisdiction_paths=("jurisdiction_path",), enterprise_codes=())


class SignalRun(models.Model):
    """One screening of the case base of a product family in a jurisdiction (national or one province)."""

    SCOPE_FIELDS = SIGNAL_SCOPE

    product_family = models.CharField(max_length=10, choices=ProductFamily.choices, default=ProductFamily.DRUG)
    jurisdiction_path = models.CharField(max_length=40, db_index=True)
    jurisdiction_code = models.CharField(max_length=6)
    run_date = models.DateField(_("date whose thresholds apply"))
    data_cutoff = models.DateField(_("data cut-off (cases first received on or before)"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=SignalRunStatus.choices, default=SignalRunStatus.QUEUED)
    stage = models.CharField(_("progress"), max_length=40, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    pair_count = models.PositiveIntegerField(default=0)
    flagged_count = models.PositiveIntegerField(default=0)
    new_signal_count = models.PositiveIntegerField(default=0)
    hyperparameters = models.JSONField(default=dict)
    thresholds = models.JSONField(_("thresholds used"), default=list)
    seconds = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("signal run")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"signal run {self.pk} ({self.product_family}, {self.jurisdiction_code})"


class SignalStatistic(models.Model):
    """The measures of one product–reaction pair in one run (null: infinite or undefined); `flagged`
    when the pair met every threshold of the run. Every pair of a run is stored, so the measures of a
    pair can be followed from run to run whether or not it was over threshold."""

    run = models.ForeignKey(SignalRun, on_delete=models.CASCADE, related_name="statistics")
    product_key = models.CharField(max_length=500)
    reaction_key = models.CharField(max_length=500)
    approval_number = models.CharField(_("registry product (most reported match)"), max_length=20, blank=True)
    flagged = models.BooleanField(_("over threshold"), default=False)
    n = models.PositiveIntegerField()
    expected = models.FloatField()
    prr = models.FloatField(null=True)
    prr_chi2 = models.FloatField(null=True)
    ror = models.FloatField(null=True)
    ror_lower = models.FloatField(null=True)
    ror_upper = models.FloatField(null=True)
    ic = models.FloatField(null=True)
    ic025 = models.FloatField(null=True)
    ebgm = models.FloatField(null=True)
    eb05 = models.FloatField(null=True)
    eb95 = models.FloatField(null=True)

    class Meta:
        verbose_name = _("signal statistic")
        ordering = ["run", "product_key", "reaction_key"]
        indexes = [
            models.Index(fields=["product_key", "reaction_key"], name="signal_stat_pair"),
            models.Index(fields=["approval_number"], name="signal_stat_approval"),
        ]

    def __str__(self) -> str:
        return f"{self.product_key} / {self.reaction_key} in run {self.run_id}"


class SignalStatus(models.TextChoices):
    DETECTED = "detected", _("Detected")
    VALIDATED = "validated", _("Validated")
    REFUTED = "refuted", _("Refuted")
    ASSESSED = "assessed", _("Assessed")
    CLOSED = "closed", _("Closed")


OPEN_SIGNAL_STATUSES = (SignalStatus.DETECTED, SignalStatus.VALIDATED, SignalStatus.ASSESSED)


class ProposedAction(models.TextChoices):
    LABEL_CHANGE = "label_change", _("Label change")
    DHPC_LETTER = "dhpc_letter", _("Direct healthcare professional communication")
    RESTRICT = "restrict", _("Restrict use")
    WITHDRAW = "withdraw", _("Withdraw")
    NONE = "none", _("No action")


class Signal(models.Model):
    """A product–reaction pair flagged by a run, worked through validation, assessment and closure.

    At most one open signal per pair, product family and jurisdiction; the jurisdiction is the
    run's (national, or the province a provincial run was scoped to).
    """

    SCOPE_FIELDS = SIGNAL_SCOPE

    product_key = models.CharField(max_length=500)
    reaction_key = models.CharField(max_length=500)
    reaction_label = models.CharField(max_length=500, blank=True)
    product_family = models.CharField(max_length=10, choices=ProductFamily.choices)
    jurisdiction_path = models.CharField(max_length=40, db_index=True)
    jurisdiction_code = models.CharField(max_length=6)
    approval_number = models.CharField(_("registry product (most reported match)"), max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=SignalStatus.choices, default=SignalStatus.DETECTED)
    detected_by = models.ForeignKey(SignalRun, on_delete=models.PROTECT, related_name="signals")
    detected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cases = models.ManyToManyField(Case, related_name="signals", blank=True)
    validation_note = models.TextField(blank=True)
    causality_assessment = models.TextField(blank=True)
    proposed_action = models.CharField(max_length=16, choices=ProposedAction.choices, blank=True)
    action_rationale = models.TextField(_("rationale for the proposed action"), blank=True)
    closing_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)  # raised by each workflow step (optimistic concurrency)

    class Meta:
        verbose_name = _("signal")
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_family", "jurisdiction_path", "product_key", "reaction_key"],
                condition=models.Q(status__in=["detected", "validated", "assessed"]),
                name="signal_open_once_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_key} / {self.reaction_label or self.reaction_key}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SIGNAL_STATUSES
