"""Web report forms (health professional, marketing authorization holder, public) and the CSV upload.

One `ReportForm` validates a report whatever the channel: the web form and every CSV row go through
it, so a row's errors name the same fields as the form's. Dates may not lie in the future and the
reaction may not start before the patient's birth.
"""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SEX_CHOICES = [("", _("Not given")), ("1", _("Male")), ("2", _("Female"))]
OUTCOME_CHOICES = [
    ("1", _("Recovered")),
    ("2", _("Recovering")),
    ("3", _("Not recovered")),
    ("4", _("Recovered with sequelae")),
    ("5", _("Fatal")),
    ("0", _("Unknown")),
]
SERIOUSNESS_CHOICES = [
    ("death", _("Death")),
    ("life_threatening", _("Life-threatening")),
    ("hospitalisation", _("Hospitalisation or prolonged hospitalisation")),
    ("disabling", _("Disability")),
    ("congenital_anomaly", _("Congenital anomaly")),
    ("medically_important", _("Other medically important condition")),
]
QUALIFICATION_CHOICES = [
    ("1", _("Physician")),
    ("2", _("Pharmacist")),
    ("3", _("Other health professional")),
    ("5", _("Consumer or other non health professional")),
]
# The CSV columns, in the order of the template file; each is a field of ReportForm.
CSV_COLUMNS = (
    "patient_initials",
    "patient_sex",
    "patient_age",
    "patient_birth_date",
    "reaction",
    "onset_date",
    "seriousness",
    "outcome",
    "suspect_drug",
    "batch_number",
    "approval_number",
    "concomitant_drugs",
    "reporter_name",
    "reporter_qualification",
    "reporter_telephone",
    "narrative",
)


class ReportForm(forms.Form):
    """One adverse reaction report: patient, reaction, suspect drug, reporter."""

    patient_initials = forms.CharField(label=_("Patient (initials)"), max_length=20)
    patient_sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    patient_age = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=130, required=False)
    patient_birth_date = forms.DateField(label=_("Date of birth"), required=False)
    reaction = forms.CharField(
        label=_("Adverse reaction (describe in your words)"), max_length=500, widget=forms.Textarea({"rows": 3})
    )
    onset_date = forms.DateField(label=_("Onset date"))
    seriousness = forms.MultipleChoiceField(
        label=_("Serious because of"), choices=SERIOUSNESS_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, initial="0")
    suspect_drug = forms.CharField(label=_("Suspect drug (name)"), max_length=200)
    batch_number = forms.CharField(label=_("Batch number"), max_length=40, required=False)
    approval_number = forms.RegexField(
        label=_("Approval number"),
        regex=r"^国药准字[A-Z][0-9]{8}$",
        max_length=20,
        required=False,
        error_messages={"invalid": _("An approval number looks like 国药准字H20051234.")},
    )
    concomitant_drugs = forms.CharField(label=_("Concomitant drugs (separate by ;)"), max_length=500, required=False)
    reporter_name = forms.CharField(label=_("Reporter name"), max_length=60)
    reporter_qualification = forms.ChoiceField(label=_("Reporter"), choices=QUALIFICATION_CHOICES, initial="5")
    reporter_telephone = forms.RegexField(
        label=_("Telephone"), regex=r"^[0-9+\- ]{5,20}$", max_length=20, required=False
    )
    narrative = forms.CharField(
        label=_("What happened (narrative)"), max_length=4000, required=False, widget=forms.Textarea({"rows": 4})
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_seriousness(self) -> list[str]:
        value = self.cleaned_data.get("seriousness") or []
        return [v.strip() for item in value for v in str(item).replace(";", ",").split(",") if v.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("patient_birth_date", "onset_date"):
            day = data.get(name)
            if day is not None and day > self.today:
                self.add_error(name, _("This date lies in the future."))
        birth, onset = data.get("patient_birth_date"), data.get("onset_date")
        if birth and onset and onset < birth:
            self.add_error("onset_date", _("The reaction cannot start before the patient's birth."))
        if data.get("outcome") == "5" and "death" not in (data.get("seriousness") or []):
            data["seriousness"] = [*(data.get("seriousness") or []), "death"]
        return data


class CsvReportForm(ReportForm):
    """A CSV row: the seriousness column is a list such as `death;hospitalisation`."""

    seriousness = forms.CharField(required=False)  # type: ignore[assignment]

    def clean_seriousness(self) -> list[str]:
        text = self.cleaned_data.get("seriousness") or ""
        values = [v.strip() for v in text.replace(",", ";").split(";") if v.strip()]
        allowed = {code for code, _label in SERIOUSNESS_CHOICES}
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise forms.ValidationError(
                _("Unknown seriousness %(values)s; use %(allowed)s."),
                params={"values": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))},
            )
        return values


class PublicReportForm(ReportForm):
    """The public's form also says where the reaction happened (which regulator receives it)."""

    division_code = forms.RegexField(label=_("Where (division code)"), regex=r"^[0-9]{6}$", max_length=6)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))


class E2BUploadForm(forms.Form):
    file = forms.FileField(label=_("E2B(R3) batch (XML)"))


class MatchForm(forms.Form):
    approval_number = forms.CharField(label=_("Approval number"), max_length=20, required=False)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Case id or drug"), max_length=100, required=False)
    family = forms.ChoiceField(
        label=_("Product family"),
        choices=[("", _("All")), ("drug", _("Drug")), ("device", _("Medical device")), ("cosmetic", _("Cosmetic"))],
        required=False,
    )
    serious = forms.ChoiceField(
        label=_("Seriousness"), choices=[("", _("All")), ("1", _("Serious")), ("0", _("Not serious"))], required=False
    )
    received_from = forms.DateField(label=_("Received from"), required=False)
    received_to = forms.DateField(label=_("Received to"), required=False)
