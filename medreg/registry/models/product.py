from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class ProductStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class PrescriptionClass(models.TextChoices):
    PRESCRIPTION = "rx", _("Prescription")
    OTC_A = "otc_a", _("OTC (class A)")
    OTC_B = "otc_b", _("OTC (class B)")


class SpecialControl(models.TextChoices):
    NONE = "", _("None")
    NARCOTIC = "narcotic", _("Narcotic")
    PSYCHOTROPIC_1 = "psychotropic_1", _("Psychotropic (class I)")
    PSYCHOTROPIC_2 = "psychotropic_2", _("Psychotropic (class II)")
    TOXIC = "toxic", _("Toxic (medical use)")
    RADIOACTIVE = "radioactive", _("Radioactive")
    PRECURSOR = "precursor", _("Precursor chemical")
    VACCINE = "vaccine", _("Vaccine")
    BLOOD_PRODUCT = "blood_product", _("Blood product")


_HOLDER_SCOPE = ScopeFields(
    jurisdiction_paths=("marketing_authorization_holder__jurisdiction__path",),
    enterprise_codes=("marketing_authorization_holder__uscc",),
    public=Q(status="approved"),
)


class Drug(models.Model):
    """An approved drug, identified by its approval number (药品批准文号)."""

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=(
            "marketing_authorization_holder__jurisdiction__path",
            "manufacturers__enterprise__jurisdiction__path",
        ),
        enterprise_codes=("marketing_authorization_holder__uscc", "manufacturers__enterprise__uscc"),
        public=Q(status="approved"),
    )

    approval_number = models.CharField(_("approval number"), max_length=20, unique=True)
    generic_name = models.CharField(_("generic name"), max_length=200, db_index=True)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    dosage_form = models.CharField(_("dosage form"), max_length=50)
    strength = models.CharField(_("strength"), max_length=100)
    marketing_authorization_holder = models.ForeignKey(
        "registry.Enterprise",
        on_delete=models.PROTECT,
        related_name="held_drugs",
        verbose_name=_("marketing authorization holder"),
    )
    prescription_class = models.CharField(_("prescription class"), max_length=8, choices=PrescriptionClass.choices)
    special_control = models.CharField(
        _("special control"), max_length=20, choices=SpecialControl.choices, blank=True, default=""
    )
    status = models.CharField(_("status"), max_length=16, choices=ProductStatus.choices, default="approved")
    approved_on = models.DateField(_("approved on"))
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["generic_name", "approval_number"]
        verbose_name = _("drug")
        verbose_name_plural = _("drugs")

    def __str__(self) -> str:
        return f"{self.generic_name} {self.strength} ({self.approval_number})"


class DrugManufacturer(models.Model):
    """An enterprise that manufactures a drug for its holder (the holder may manufacture itself)."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="manufacturers")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="manufactured_drugs")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["drug", "enterprise"], name="drug_manufacturer_once")]

    def __str__(self) -> str:
        return f"{self.drug_id}@{self.enterprise_id}"


class PackageLevel(models.Model):
    """One packaging level of a drug (1 = sales unit, 2 = case, 3 = pallet ...), with how many
    units of the level below it holds and the 7-digit drug identification code bound to it."""

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("drug__marketing_authorization_holder__jurisdiction__path",),
        enterprise_codes=("drug__marketing_authorization_holder__uscc",),
        public=Q(drug__status="approved"),
    )

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="package_levels")
    level = models.PositiveSmallIntegerField(_("level"))
    description = models.CharField(_("package specification"), max_length=100)
    quantity = models.PositiveIntegerField(_("units of the level below"))
    drug_identification_code = models.CharField(
        _("drug identification code"), max_length=7, unique=True, null=True, blank=True
    )
    gtin = models.CharField(_("GTIN"), max_length=14, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["drug", "level"]
        constraints = [
            models.UniqueConstraint(fields=["drug", "level"], name="package_level_once"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="package_level_range"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="package_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.drug_id} L{self.level} {self.description}"


class DeviceClass(models.TextChoices):
    CLASS_I = "I", _("Class I")
    CLASS_II = "II", _("Class II")
    CLASS_III = "III", _("Class III")


class Device(models.Model):
    """A medical device: class II/III registered (注册证), class I filed (备案凭证)."""

    SCOPE_FIELDS = _HOLDER_SCOPE

    number = models.CharField(_("registration or filing number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    model_specification = models.CharField(_("model / specification"), max_length=300, blank=True)
    device_class = models.CharField(_("class"), max_length=3, choices=DeviceClass.choices)
    marketing_authorization_holder = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="held_devices", verbose_name=_("registrant")
    )
    status = models.CharField(_("status"), max_length=16, choices=ProductStatus.choices, default="approved")
    approved_on = models.DateField(_("approved on"))
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "number"]
        verbose_name = _("medical device")
        verbose_name_plural = _("medical devices")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class DeviceIdentifier(models.Model):
    """A UDI device identifier (UDI-DI) of one package level, with its issuing agency."""

    class Agency(models.TextChoices):
        GS1 = "GS1", "GS1"
        HIBCC = "HIBCC", "HIBCC"
        ICCBBA = "ICCBBA", "ICCBBA"

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="identifiers")
    di = models.CharField(_("UDI-DI"), max_length=40)
    issuing_agency = models.CharField(_("issuing agency"), max_length=8, choices=Agency.choices)
    package_level = models.PositiveSmallIntegerField(_("package level"), default=1)
    quantity = models.PositiveIntegerField(_("units of the level below"), default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuing_agency", "di"], name="udi_di_unique")]

    def __str__(self) -> str:
        return f"{self.issuing_agency}:{self.di}"


class CosmeticCategory(models.TextChoices):
    SPECIAL = "special", _("Special (registered)")
    ORDINARY = "ordinary", _("Ordinary (filed)")


class Cosmetic(models.Model):
    """A cosmetic: special cosmetics are registered (国妆特字), ordinary ones filed (妆网备字)."""

    SCOPE_FIELDS = _HOLDER_SCOPE

    number = models.CharField(_("registration or filing number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    category = models.CharField(_("category"), max_length=10, choices=CosmeticCategory.choices)
    marketing_authorization_holder = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="held_cosmetics", verbose_name=_("registrant")
    )
    status = models.CharField(_("status"), max_length=16, choices=ProductStatus.choices, default="approved")
    approved_on = models.DateField(_("approved on"))
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "number"]
        verbose_name = _("cosmetic")
        verbose_name_plural = _("cosmetics")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"
