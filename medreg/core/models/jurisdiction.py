from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionLevel(models.IntegerChoices):
    NATIONAL = 0, _("National")
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")


class Jurisdiction(models.Model):
    """A node of the administrative division tree (GB/T 2260), the root being the whole country.

    `path` is the materialized path of codes from the root ("/000000/330000/330100/"), so a
    subtree is one indexed prefix match.
    """

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=JurisdictionLevel.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(max_length=40, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{6}$"), name="jurisdiction_code_six_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def contains(self, other: "Jurisdiction") -> bool:
        """True when `other` is this node or lies beneath it."""
        return other.path.startswith(self.path)
