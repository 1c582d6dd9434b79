"""Device adverse event and cosmetic adverse reaction variants of a case (decision 0204).

The case envelope (patient, reporter, event or reaction, narrative, the product as reported) is the
same E2B-shaped document as for drugs, stored by the same path; what only a device or cosmetic report
has is the version's `CaseVariant` section, and the current version's `CaseDevice` / `CaseCosmetic`
index row, which carries the registry match and its review.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medreg.vigilance.models.case import Case, CaseVersion, MatchStatus, ProductFamily


class DeviceEventType(models.TextChoices):
    """MedWatch 3500A H1 / 可疑医疗器械不良事件报告表 伤害程度."""

    DEATH = "death", _("Death")
    SERIOUS_INJURY = "serious_injury", _("Serious injury")
    MALFUNCTION = "malfunction", _("Malfunction")
    OTHER = "other", _("Other")


class DeviceUseLocation(models.TextChoices):
    MEDICAL_INSTITUTION = "medical_institution", _("Medical institution")
    HOME = "home", _("Home")
    OTHER = "other", _("Other")


class DeviceOperator(models.TextChoices):
    """MedWatch 3500 D7: who operated the device."""

    HEALTH_PROFESSIONAL = "health_professional", _("Health professional")
    PATIENT = "patient", _("Patient or lay user")
    OTHER = "other", _("Other")


class DeviceDisposition(models.TextChoices):
    """MedWatch 3500 D10: is the device available for evaluation."""

    AVAILABLE = "available", _("Available for evaluation")
    RETURNED = "returned", _("Returned to the registrant")
    IN_PATIENT = "in_patient", _("Still implanted or in use")
    DISCARDED = "discarded", _("Discarded")
    UNKNOWN = "unknown", _("Unknown")


class CosmeticSeverity(models.TextChoices):
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class CaseVariant(models.Model):
    """The device or cosmetic section of one case version, as validated (no personal identifiers)."""

    version = models.OneToOneField(CaseVersion, on_delete=models.PROTECT, related_name="variant")
    product_family = models.CharField(max_length=10, choices=ProductFamily.choices)
    data = models.JSONField()

    class Meta:
        verbose_name = _("case variant section")

    def __str__(self) -> str:
        return f"{self.product_family} section of {self.version_id}"


class _RegistryMatch(models.Model):
    """The proposed or reviewed registry match of the reported product (as CaseDrug's)."""

    matched_number = models.CharField(_("registry number matched"), max_length=40, blank=True, db_index=True)
    registry_holder_code = models.CharField(max_length=18, blank=True, db_index=True)
    match_status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.NONE)
    match_basis = models.CharField(max_length=20, blank=True)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class CaseDevice(_RegistryMatch):
    """The device of the current version of a device adverse event case, with its registry match."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="device")
    name_as_reported = models.CharField(max_length=200)
    certificate_number = models.CharField(_("registration or filing number"), max_length=40, blank=True)
    model_specification = models.CharField(max_length=200, blank=True)
    udi_di = models.CharField(_("UDI-DI"), max_length=40, blank=True, db_index=True)
    lot_number = models.CharField(max_length=40, blank=True)
    serial_number = models.CharField(max_length=40, blank=True)
    event_type = models.CharField(max_length=16, choices=DeviceEventType.choices)
    event_date = models.DateField()
    awareness_date = models.DateField()
    device_problem_code = models.CharField(_("device problem (IMDRF Annex A)"), max_length=8, blank=True)
    patient_problem_code = models.CharField(_("health effect (IMDRF Annex E)"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("case device")

    def __str__(self) -> str:
        return self.name_as_reported


class CaseCosmetic(_RegistryMatch):
    """The cosmetic of the current version of a cosmetic adverse reaction case, with its registry match."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="cosmetic")
    name_as_reported = models.CharField(max_length=200)
    registration_number = models.CharField(_("registration or filing number"), max_length=40, blank=True)
    category = models.CharField(max_length=10)
    use_start = models.DateField()
    onset_date = models.DateField()
    severity = models.CharField(max_length=10, choices=CosmeticSeverity.choices)
    reaction_types = models.JSONField(default=list)

    class Meta:
        verbose_name = _("case cosmetic")

    def __str__(self) -> str:
        return self.name_as_reported
