"""MedDRA releases loaded by the regulator: every version and language kept, one per language in use.

A release's rows are written once, set-based, in the transaction that creates the release
(`services.meddra.store_release`) and never changed afterwards; only the in-use flag moves.
Codes are kept as text (eight digits), as `CaseReaction.meddra_code` is.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MeddraRelease(models.Model):
    """One loaded MedDRA distribution (version + language), with where it came from and its counts."""

    version = models.CharField(_("MedDRA version"), max_length=10)
    language = models.CharField(_("language"), max_length=40)  # as meddra_release.asc names it
    language_code = models.CharField(max_length=10, blank=True)  # console language it serves: zh, en or ""
    source_name = models.CharField(_("source"), max_length=255)
    source_checksum = models.CharField(_("SHA-256 of the .asc files"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    loaded_by_name = models.CharField(max_length=150)
    load_seconds = models.FloatField(default=0.0)
    soc_count = models.PositiveIntegerField(default=0)
    hlgt_count = models.PositiveIntegerField(default=0)
    hlt_count = models.PositiveIntegerField(default=0)
    pt_count = models.PositiveIntegerField(default=0)
    llt_count = models.PositiveIntegerField(default=0)
    current_llt_count = models.PositiveIntegerField(default=0)
    path_count = models.PositiveIntegerField(default=0)
    smq_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=False)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("MedDRA release")
        ordering = ["language", "-loaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="meddra_release_once_per_language"),
            models.UniqueConstraint(
                fields=["language"], condition=Q(is_active=True), name="meddra_one_release_in_use_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"MedDRA {self.version} {self.language}"

    @property
    def version_key(self) -> tuple[int, ...]:
        """The version as numbers, for ordering (27.0 < 27.1 < 100.0)."""
        return tuple(int(part) for part in self.version.split(".") if part.isdigit())


class TermLevel(models.TextChoices):
    SOC = "soc", "SOC"
    HLGT = "hlgt", "HLGT"
    HLT = "hlt", "HLT"
    PT = "pt", "PT"
    LLT = "llt", "LLT"


class MeddraTerm(models.Model):
    """A term of one release at one level; an LLT names its PT, a PT its primary SOC."""

    release = models.ForeignKey(MeddraRelease, on_delete=models.CASCADE, related_name="terms")
    level = models.CharField(max_length=4, choices=TermLevel.choices)
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=255)
    pt_code = models.CharField(max_length=8, blank=True)  # LLTs: their PT; PTs: themselves
    primary_soc_code = models.CharField(max_length=8, blank=True)  # PTs only
    is_current = models.BooleanField(default=True)  # LLTs: llt_currency
    abbreviation = models.TextField(blank=True)  # SOCs only

    class Meta:
        verbose_name = _("MedDRA term")
        constraints = [
            models.UniqueConstraint(fields=["release", "level", "code"], name="meddra_term_once_per_level"),
        ]
        indexes = [models.Index(fields=["release", "code"], name="meddra_term_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MeddraLink(models.Model):
    """A parent link of the hierarchy files (soc_hlgt, hlgt_hlt, hlt_pt): the child's level and both codes."""

    release = models.ForeignKey(MeddraRelease, on_delete=models.CASCADE, related_name="links")
    child_level = models.CharField(max_length=4, choices=TermLevel.choices)
    child_code = models.CharField(max_length=8)
    parent_code = models.CharField(max_length=8)

    class Meta:
        verbose_name = _("MedDRA hierarchy link")
        indexes = [models.Index(fields=["release", "child_level", "child_code"], name="meddra_link_child")]

    def __str__(self) -> str:
        return f"{self.parent_code} > {self.child_code}"


class MeddraPath(models.Model):
    """One mdhier.asc row: PT -> HLT -> HLGT -> SOC, and whether that SOC is the PT's primary one."""

    release = models.ForeignKey(MeddraRelease, on_delete=models.CASCADE, related_name="paths")
    pt_code = models.CharField(max_length=8)
    hlt_code = models.CharField(max_length=8)
    hlgt_code = models.CharField(max_length=8)
    soc_code = models.CharField(max_length=8)
    is_primary = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("MedDRA hierarchy path")
        indexes = [models.Index(fields=["release", "pt_code"], name="meddra_path_pt")]

    def __str__(self) -> str:
        return f"{self.pt_code} > {self.hlt_code} > {self.hlgt_code} > {self.soc_code}"


class MeddraSmq(models.Model):
    """A standardised MedDRA query of one release (smq_list.asc)."""

    release = models.ForeignKey(MeddraRelease, on_delete=models.CASCADE, related_name="smqs")
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=255)
    level = models.IntegerField()
    description = models.TextField(blank=True)
    source = models.TextField(blank=True)
    note = models.TextField(blank=True)
    version = models.TextField(blank=True)
    status = models.TextField(blank=True)
    algorithm = models.TextField(blank=True)

    class Meta:
        verbose_name = _("SMQ")
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="meddra_smq_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MeddraSmqTerm(models.Model):
    """One term of an SMQ (smq_content.asc): level 0 sub-SMQ, 4 PT, 5 LLT; scope 1 broad, 2 narrow."""

    release = models.ForeignKey(MeddraRelease, on_delete=models.CASCADE, related_name="smq_terms")
    smq_code = models.CharField(max_length=8)
    term_code = models.CharField(max_length=8)
    term_level = models.IntegerField()
    scope = models.IntegerField()
    category = models.TextField(blank=True)
    weight = models.IntegerField()
    status = models.TextField(blank=True)
    addition_version = models.TextField(blank=True)
    last_modified_version = models.TextField(blank=True)

    class Meta:
        verbose_name = _("SMQ term")
        indexes = [models.Index(fields=["release", "smq_code"], name="meddra_smq_term_smq")]

    def __str__(self) -> str:
        return f"{self.smq_code}: {self.term_code}"
