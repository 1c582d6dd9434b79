"""Individual case safety reports: the case, its versions, identifiers at rest, analytics index rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class ProductFamily(models.TextChoices):
    DRUG = "drug", _("Drug")
    DEVICE = "device", _("Medical device")
    COSMETIC = "cosmetic", _("Cosmetic")


class VersionKind(models.TextChoices):
    INITIAL = "initial", _("Initial")
    FOLLOW_UP = "follow_up", _("Follow-up")
    AMENDMENT = "amendment", _("Amendment")
    NULLIFICATION = "nullification", _("Nullification")


class DrugRole(models.TextChoices):
    SUSPECT = "suspect", _("Suspect")
    CONCOMITANT = "concomitant", _("Concomitant")
    INTERACTING = "interacting", _("Interacting")
    NOT_ADMINISTERED = "not_administered", _("Drug not administered")
    UNKNOWN = "", _("Not given")


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")
    NONE = "none", _("No match")


CASE_SCOPE = ScopeFields(
    jurisdiction_paths=("jurisdiction_path",),
    enterprise_codes=(
        "sender_enterprise_code",
        "drugs__registry_holder_code",
        "device__registry_holder_code",
        "cosmetic__registry_holder_code",
    ),
)


class Case(models.Model):
    """One case per worldwide unique case id (E2B C.1.8.1) on the platform, owned by its sender.

    The jurisdiction is the sending enterprise's (or the sending regulator's) division; enterprise
    users see the cases they sent and the cases naming their products; the public sees none.
    """

    SCOPE_FIELDS = CASE_SCOPE

    worldwide_case_id = models.CharField(_("worldwide unique case id"), max_length=100, unique=True)
    product_family = models.CharField(max_length=10, choices=ProductFamily.choices, default=ProductFamily.DRUG)
    sender_enterprise_code = models.CharField(_("sender enterprise"), max_length=18, blank=True, db_index=True)
    sender_division_code = models.CharField(_("sender regulator division"), max_length=6, blank=True)
    sender_name = models.CharField(_("sender as reported"), max_length=200, blank=True)
    jurisdiction_path = models.CharField(max_length=40, db_index=True)
    current_version = models.PositiveIntegerField(default=1)
    report_type = models.CharField(_("type of report (C.1.3)"), max_length=2, blank=True)
    serious = models.BooleanField(default=False)
    nullified = models.BooleanField(default=False)
    first_received = models.DateField(null=True, blank=True)
    most_recent = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.worldwide_case_id

    def is_sent_by(self, enterprise_code: str, division_code: str) -> bool:
        return (self.sender_enterprise_code, self.sender_division_code) == (enterprise_code, division_code)


class IntakeTransmission(models.Model):
    """A received E2B(R3) batch (N.1) that stored at least one version; its XML encrypted at rest."""

    received_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    batch_number = models.CharField(_("batch number (N.1.2)"), max_length=100, blank=True)
    batch_sender = models.CharField(_("batch sender (N.1.3)"), max_length=100, blank=True)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    header = models.JSONField(default=dict)  # the batch without its reports (N.1), for export
    xml_encrypted = models.BinaryField()
    acknowledgement = models.BinaryField(default=b"")

    class Meta:
        verbose_name = _("E2B transmission")

    def __str__(self) -> str:
        return f"{self.batch_sender}/{self.batch_number}"


class CaseVersion(models.Model):
    """One received version of a case (initial, follow-up, amendment, nullification), in order.

    `report` is the de-identified E2B model as lossless JSON; the identifying values are in
    `CaseIdentity`. Pseudonyms (HMAC-SHA256) allow linkage without the cleartext.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=VersionKind.choices)
    transmission = models.ForeignKey(IntakeTransmission, on_delete=models.PROTECT, related_name="versions")
    safety_report_id = models.CharField(_("sender's safety report id (C.1.1)"), max_length=100)
    message_id = models.CharField(_("message number (N.2.r.1)"), max_length=100, blank=True)
    received_at = models.DateTimeField()
    report_type = models.CharField(max_length=2, blank=True)
    first_received = models.DateField(null=True, blank=True)
    first_received_ts = models.CharField(max_length=24, blank=True)
    most_recent = models.DateTimeField(null=True, blank=True)
    most_recent_ts = models.CharField(max_length=24, blank=True)
    serious = models.BooleanField(default=False)
    report = models.JSONField()
    patient_pseudonym = models.CharField(max_length=64, blank=True, db_index=True)
    patient_birth_date_pseudonym = models.CharField(max_length=64, blank=True)
    reporter_pseudonym = models.CharField(max_length=64, blank=True, db_index=True)
    # Data-quality warnings the version was loaded with (E2B validation, decision 0206):
    # [{"element": "E.i.4", "xpath": "...", "message": "..."}], shown to reviewers on the case page.
    findings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("case version")
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="case_version_number_once")]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.number}"


class CaseIdentity(models.Model):
    """The identifying values of one version (patient, reporters, sender contact), Fernet-encrypted."""

    version = models.OneToOneField(CaseVersion, on_delete=models.PROTECT, related_name="identity")
    identifiers_encrypted = models.BinaryField()

    class Meta:
        verbose_name = _("case identifiers")

    def __str__(self) -> str:
        return f"identifiers of {self.version_id}"


class CaseDrug(models.Model):
    """A drug (G.k) of the current version, with its proposed or reviewed registry match."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="drugs")
    sequence = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=16, choices=DrugRole.choices, blank=True)
    name_as_reported = models.CharField(max_length=500)
    active_ingredient = models.CharField(max_length=500, blank=True)
    authorisation_number = models.CharField(_("authorisation number (G.k.3.1)"), max_length=100, blank=True)
    batch_number = models.CharField(_("batch (G.k.4.r.7)"), max_length=100, blank=True)
    matched_approval_number = models.CharField(max_length=20, blank=True, db_index=True)
    registry_holder_code = models.CharField(max_length=18, blank=True, db_index=True)
    match_status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.NONE)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case drug")
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="case_drug_sequence_once")]

    def __str__(self) -> str:
        return self.name_as_reported


class CaseReaction(models.Model):
    """A reaction (E.i) of the current version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reactions")
    sequence = models.PositiveSmallIntegerField()
    reported_term = models.CharField(max_length=500, blank=True)
    meddra_code = models.CharField(max_length=8, blank=True, db_index=True)
    meddra_version = models.CharField(max_length=10, blank=True)
    onset = models.DateField(null=True, blank=True)
    onset_ts = models.CharField(max_length=24, blank=True)
    outcome = models.CharField(max_length=2, blank=True)
    death = models.BooleanField(default=False)
    life_threatening = models.BooleanField(default=False)
    hospitalisation = models.BooleanField(default=False)
    disabling = models.BooleanField(default=False)
    congenital_anomaly = models.BooleanField(default=False)
    medically_important = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("case reaction")
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="case_reaction_sequence_once")]

    def __str__(self) -> str:
        return self.reported_term or self.meddra_code

    @property
    def serious(self) -> bool:
        return any(
            (
                self.death,
                self.life_threatening,
                self.hospitalisation,
                self.disabling,
                self.congenital_anomaly,
                self.medically_important,
            )
        )
