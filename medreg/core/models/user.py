from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_REGULATOR = "national_regulator", _("National regulator")
    PROVINCIAL_REGULATOR = "provincial_regulator", _("Provincial regulator")
    CITY_REGULATOR = "city_regulator", _("City regulator")
    COUNTY_REGULATOR = "county_regulator", _("County regulator")
    INSPECTOR = "inspector", _("Inspector")
    MARKETING_AUTHORIZATION_HOLDER = "marketing_authorization_holder", _("Marketing authorization holder")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    DISTRIBUTOR = "distributor", _("Distributor")
    RETAIL_PHARMACY = "retail_pharmacy", _("Retail pharmacy")
    MEDICAL_INSTITUTION = "medical_institution", _("Medical institution")
    PUBLIC = "public", _("Public")


REGULATOR_ROLES = frozenset(
    {Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CITY_REGULATOR, Role.COUNTY_REGULATOR}
)
ENTERPRISE_ROLES = frozenset(
    {
        Role.MARKETING_AUTHORIZATION_HOLDER,
        Role.MANUFACTURER,
        Role.DISTRIBUTOR,
        Role.RETAIL_PHARMACY,
        Role.MEDICAL_INSTITUTION,
    }
)


class User(AbstractUser):
    """A person or system account. Regulators and inspectors belong to one jurisdiction node;
    enterprise users to one enterprise, named by its unified social credit code."""

    role = models.CharField(_("role"), max_length=40, choices=Role.choices, default=Role.PUBLIC)
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    enterprise_code = models.CharField(_("enterprise credit code"), max_length=18, blank=True, db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(r.value for r in REGULATOR_ROLES | {Role.INSPECTOR}))
                | models.Q(jurisdiction__isnull=False),
                name="regulator_has_jurisdiction",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(r.value for r in ENTERPRISE_ROLES)) | ~models.Q(enterprise_code=""),
                name="enterprise_user_has_enterprise",
            ),
        ]


class ApiToken(models.Model):
    """A revocable bearer token for an enterprise's or regulator's system. Only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
