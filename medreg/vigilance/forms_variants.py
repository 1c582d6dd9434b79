"""Device adverse event and cosmetic adverse reaction report forms (decision 0204).

The fields follow 可疑医疗器械不良事件报告表 and 化妆品不良反应报告表, with FDA MedWatch 3500 device
fields and IMDRF adverse event terminology codes (device problem Annex A, health effect Annex E).
One form per family validates the web form, the API body and every CSV row, so errors name the same
fields everywhere. Dates may not lie in the future; an event is not known before it happened.
"""

import datetime as dt
import re
from typing import Any

from biip.checksums import gs1_standard_check_digit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medreg.vigilance.forms import OUTCOME_CHOICES, QUALIFICATION_CHOICES, SEX_CHOICES
from medreg.vigilance.models.variants import (
    CosmeticSeverity,
    DeviceDisposition,
    DeviceEventType,
    DeviceOperator,
    DeviceUseLocation,
)

FAMILIES = ("device", "cosmetic")
CHANNELS = ("professional", "enterprise", "public")
COSMETIC_CATEGORY_CHOICES = [("special", _("Special (registered)")), ("ordinary", _("Ordinary (filed)"))]
USE_SITE_CHOICES = [
    ("face", _("Face")),
    ("eye_area", _("Around the eyes")),
    ("lips", _("Lips")),
    ("scalp_hair", _("Scalp and hair")),
    ("neck", _("Neck")),
    ("trunk", _("Trunk")),
    ("limbs", _("Arms and legs")),
    ("hands", _("Hands")),
    ("nails", _("Nails")),
    ("axillae", _("Armpits")),
    ("whole_body", _("Whole body")),
    ("other", _("Other")),
]
# 化妆品皮肤病诊断 (GB 17149 series) and the reaction types of 化妆品不良反应报告表.
REACTION_TYPE_CHOICES = [
    ("irritant_dermatitis", _("Irritant contact dermatitis")),
    ("allergic_dermatitis", _("Allergic contact dermatitis")),
    ("photosensitive_dermatitis", _("Photosensitive dermatitis")),
    ("pigmentation", _("Skin pigmentation disorder")),
    ("acne", _("Cosmetic acne")),
    ("hair_damage", _("Hair damage")),
    ("nail_damage", _("Nail damage")),
    ("cheilitis", _("Cheilitis")),
    ("contact_urticaria", _("Contact urticaria")),
    ("other", _("Other")),
]
PATCH_TEST_CHOICES = [
    ("not_done", _("Not done")),
    ("positive", _("Done: positive")),
    ("negative", _("Done: negative")),
    ("doubtful", _("Done: doubtful")),
]
IMDRF_DEVICE_PROBLEM = re.compile(r"^A(?:[0-9]{2}){1,3}$")
IMDRF_HEALTH_EFFECT = re.compile(r"^E(?:[0-9]{2}){1,3}$")
DEVICE_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,4}械(?:注[准进许]|备)[0-9]{8,12}号?$")
COSMETIC_NUMBER = re.compile(r"^[\u4e00-\u9fffA-Z()（）]{2,12}字[GJ]?[0-9]{8,10}$")
HIBCC_OR_ICCBBA = re.compile(r"^(?:\+[A-Z][A-Z0-9]{3}[A-Z0-9]{1,18}[0-9]|=/[A-Z0-9]{11,13})$")
GS1_ELEMENT_STRING = re.compile(r"^(?:\(01\)|01)([0-9]{14})(?:\(|[0-9]{2}|$)")

DEVICE_COLUMNS = (
    "device_name",
    "certificate_number",
    "model_specification",
    "udi_di",
    "lot_number",
    "serial_number",
    "manufacturer_name",
    "event_type",
    "event_date",
    "awareness_date",
    "device_problem_code",
    "device_problem",
    "patient_problem_code",
    "patient_problem",
    "use_location",
    "operator",
    "disposition",
)
COSMETIC_COLUMNS = (
    "product_name",
    "registration_number",
    "category",
    "lot_number",
    "manufacturer_name",
    "use_sites",
    "use_start",
    "onset_date",
    "reaction_description",
    "reaction_types",
    "severity",
    "outcome",
    "patch_test",
    "patch_test_allergens",
)
COMMON_COLUMNS = (
    "patient_initials",
    "patient_sex",
    "patient_age",
    "reporter_name",
    "reporter_qualification",
    "reporter_telephone",
    "narrative",
)
LIST_FIELDS = ("use_sites", "reaction_types")


def normalize_udi_di(text: str) -> str:
    """The DI of a GS1 DI or element string ((01)... with or without other AIs), HIBCC or ICCBBA DI."""
    value = "".join(text.split()).upper()
    if value.isascii() and value.isdigit() and len(value) in (13, 14):
        value = value.zfill(14)
        if str(gs1_standard_check_digit(value[:-1])) != value[-1]:
            raise forms.ValidationError(_("The check digit of this GS1 UDI-DI is wrong; copy it from the label."))
        return value
    match = GS1_ELEMENT_STRING.match(value)
    if match:
        return normalize_udi_di(match[1])
    if HIBCC_OR_ICCBBA.match(value):
        return value
    raise forms.ValidationError(
        _("Give the UDI-DI: 14 digits (GS1, e.g. 06901234567892 or (01)06901234567892), or a HIBCC/ICCBBA DI.")
    )


class _DateChecks(forms.Form):
    """Common patient and reporter fields; dates not in the future."""

    DATE_FIELDS: tuple[str, ...] = ()

    patient_initials = forms.CharField(label=_("Patient (initials)"), max_length=20, required=False)
    patient_sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    patient_age = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=130, required=False)
    reporter_name = forms.CharField(label=_("Reporter name"), max_length=60)
    reporter_qualification = forms.ChoiceField(
        label=_("Reporter"), choices=QUALIFICATION_CHOICES, initial="5", required=False
    )
    reporter_telephone = forms.RegexField(
        label=_("Telephone"), regex=r"^[0-9+\- ]{5,20}$", max_length=20, required=False
    )
    narrative = forms.CharField(
        label=_("What happened (narrative)"), max_length=4000, required=False, widget=forms.Textarea({"rows": 4})
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.DATE_FIELDS:
            day = data.get(name)
            if day is not None and day > self.today:
                self.add_error(name, _("This date lies in the future."))
        return data

    def order_fields(self, field_order: Any) -> None:
        super().order_fields(field_order)
        common = [name for name in COMMON_COLUMNS if name in self.fields]
        self.fields = {
            **{k: v for k, v in self.fields.items() if k not in common},
            **{k: self.fields[k] for k in common},
        }


class DeviceReportForm(_DateChecks):
    """可疑医疗器械不良事件报告: the device as reported, the event, its problems, use and disposition."""

    DATE_FIELDS = ("event_date", "awareness_date")

    device_name = forms.CharField(label=_("Device name"), max_length=200)
    certificate_number = forms.RegexField(
        label=_("Registration certificate or filing number"),
        regex=DEVICE_NUMBER,
        max_length=40,
        required=False,
        error_messages={"invalid": _("A device number looks like 国械注准20153090001 or 浙杭械备20150001号.")},
    )
    model_specification = forms.CharField(label=_("Model / specification"), max_length=200, required=False)
    udi_di = forms.CharField(label=_("UDI-DI"), max_length=80, required=False)
    lot_number = forms.CharField(label=_("Lot number"), max_length=40, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=40, required=False)
    manufacturer_name = forms.CharField(label=_("Registrant or manufacturer"), max_length=200, required=False)
    event_type = forms.ChoiceField(label=_("Event type"), choices=DeviceEventType.choices)
    event_date = forms.DateField(label=_("Date of the event"))
    awareness_date = forms.DateField(label=_("Date you learned of it"))
    device_problem_code = forms.RegexField(
        label=_("Device problem code (IMDRF Annex A)"),
        regex=IMDRF_DEVICE_PROBLEM,
        max_length=7,
        required=False,
        error_messages={"invalid": _("An IMDRF device problem code looks like A0401 (Annex A).")},
    )
    device_problem = forms.CharField(
        label=_("Device problem (describe)"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )
    patient_problem_code = forms.RegexField(
        label=_("Health effect code (IMDRF Annex E)"),
        regex=IMDRF_HEALTH_EFFECT,
        max_length=7,
        required=False,
        error_messages={"invalid": _("An IMDRF health effect code looks like E0101 (Annex E).")},
    )
    patient_problem = forms.CharField(
        label=_("Harm to the patient (describe)"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )
    use_location = forms.ChoiceField(label=_("Where the device was used"), choices=DeviceUseLocation.choices)
    operator = forms.ChoiceField(label=_("Operated by"), choices=DeviceOperator.choices)
    disposition = forms.ChoiceField(
        label=_("Where the device is now"),
        choices=DeviceDisposition.choices,
        initial=DeviceDisposition.UNKNOWN,
        required=False,
    )

    def clean_disposition(self) -> str:
        return self.cleaned_data.get("disposition") or DeviceDisposition.UNKNOWN

    def clean_udi_di(self) -> str:
        text = self.cleaned_data.get("udi_di") or ""
        return normalize_udi_di(text) if text.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        event, aware = data.get("event_date"), data.get("awareness_date")
        if event and aware and aware < event:
            self.add_error("awareness_date", _("You cannot have learned of the event before it happened."))
        harmed = data.get("event_type") in (DeviceEventType.DEATH, DeviceEventType.SERIOUS_INJURY)
        if harmed and not data.get("patient_problem"):
            self.add_error("patient_problem", _("Describe the harm to the patient (death or serious injury)."))
        elif not data.get("patient_problem") and not data.get("device_problem") and "device_problem" not in self.errors:
            self.add_error("device_problem", _("Describe the device problem or the harm to the patient."))
        for code, text in (("device_problem_code", "device_problem"), ("patient_problem_code", "patient_problem")):
            if data.get(code) and not data.get(text) and text not in self.errors:
                self.add_error(text, _("Describe the problem the code stands for in your words."))
        return data


class CosmeticReportForm(_DateChecks):
    """化妆品不良反应报告: the product, use, the reaction, its types, severity, outcome, patch test."""

    DATE_FIELDS = ("use_start", "onset_date")

    product_name = forms.CharField(label=_("Product name"), max_length=200)
    registration_number = forms.RegexField(
        label=_("Registration or filing number"),
        regex=COSMETIC_NUMBER,
        max_length=40,
        required=False,
        error_messages={"invalid": _("A cosmetic number looks like 国妆特字G20190001 or 浙G妆网备字2021000001.")},
    )
    category = forms.ChoiceField(label=_("Category"), choices=COSMETIC_CATEGORY_CHOICES)
    lot_number = forms.CharField(label=_("Lot number"), max_length=40, required=False)
    manufacturer_name = forms.CharField(label=_("Registrant or manufacturer"), max_length=200, required=False)
    use_sites = forms.MultipleChoiceField(
        label=_("Where it was used"), choices=USE_SITE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    use_start = forms.DateField(label=_("Started using on"))
    onset_date = forms.DateField(label=_("Onset date"))
    reaction_description = forms.CharField(
        label=_("Adverse reaction (describe in your words)"), max_length=500, widget=forms.Textarea({"rows": 3})
    )
    reaction_types = forms.MultipleChoiceField(
        label=_("Type of reaction"), choices=REACTION_TYPE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=CosmeticSeverity.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, initial="0")
    patch_test = forms.ChoiceField(
        label=_("Patch test"), choices=PATCH_TEST_CHOICES, initial="not_done", required=False
    )
    patch_test_allergens = forms.CharField(label=_("Patch test: what was tested"), max_length=500, required=False)

    def clean_patch_test(self) -> str:
        return self.cleaned_data.get("patch_test") or "not_done"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, onset = data.get("use_start"), data.get("onset_date")
        if start and onset and onset < start:
            self.add_error("onset_date", _("The reaction cannot start before the product was first used."))
        if data.get("outcome") == "5" and data.get("severity") == CosmeticSeverity.GENERAL:
            self.add_error("severity", _("A fatal outcome is a serious reaction."))
        if data.get("patch_test_allergens") and data.get("patch_test") == "not_done":
            self.add_error("patch_test", _("Say the patch test result, or leave what was tested empty."))
        if not data.get("patient_initials") and "patient_initials" not in self.errors:
            self.add_error("patient_initials", _("Give the patient's initials."))
        return data


class PublicDivisionMixin(forms.Form):
    """The public's forms also say where it happened (which regulator receives the report)."""

    division_code = forms.RegexField(label=_("Where (division code)"), regex=r"^[0-9]{6}$", max_length=6)


class PublicDeviceReportForm(DeviceReportForm, PublicDivisionMixin):
    pass


class PublicCosmeticReportForm(CosmeticReportForm, PublicDivisionMixin):
    pass


FORMS: dict[str, type[_DateChecks]] = {"device": DeviceReportForm, "cosmetic": CosmeticReportForm}
PUBLIC_FORMS: dict[str, type[_DateChecks]] = {"device": PublicDeviceReportForm, "cosmetic": PublicCosmeticReportForm}
COLUMNS = {"device": (*DEVICE_COLUMNS, *COMMON_COLUMNS), "cosmetic": (*COSMETIC_COLUMNS, *COMMON_COLUMNS)}
REQUIRED_COLUMNS = {
    "device": (
        "device_name",
        "event_type",
        "event_date",
        "awareness_date",
        "use_location",
        "operator",
        "reporter_name",
    ),
    "cosmetic": (
        "product_name",
        "category",
        "use_sites",
        "use_start",
        "onset_date",
        "reaction_description",
        "reaction_types",
        "severity",
        "outcome",
        "patient_initials",
        "reporter_name",
    ),
}


def row_data(header: list[str], cells: list[str]) -> dict[str, Any]:
    """A CSV row as form data: list columns (`face;neck`) split into lists."""
    data: dict[str, Any] = dict(zip(header, cells, strict=False))
    for name in LIST_FIELDS:
        if name in data:
            data[name] = [v.strip() for v in str(data[name]).replace(",", ";").split(";") if v.strip()]
    return data
