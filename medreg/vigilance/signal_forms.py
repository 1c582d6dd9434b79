"""Forms of the signal console: the statistics table's filters, a request for a signal run, the workflow
steps of a signal and the queue's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medreg.vigilance.models import ProductFamily
from medreg.vigilance.models.signal import ProposedAction, SignalStatus
from medreg.vigilance.signal_tables import DEFAULT_SORT, NO_SIGNAL, SORTS, TableFilter

FAMILY_CHOICES = [("", _("Any")), *ProductFamily.choices]
STATUS_CHOICES = [("", _("Any")), (NO_SIGNAL, _("No signal")), *SignalStatus.choices]
SORT_CHOICES = [(key, key) for name in SORTS for key in (name, f"-{name}")]
MEASURE_LIMIT = 1e9


def _minimum(label: str) -> forms.FloatField:
    return forms.FloatField(
        label=label, required=False, min_value=-MEASURE_LIMIT, max_value=MEASURE_LIMIT, localize=False
    )


class SignalTableForm(forms.Form):
    """Filters of the statistics table (GET); every minimum is inclusive."""

    run = forms.IntegerField(label=_("Signal run"), required=False, min_value=1, max_value=2**31 - 1)
    family = forms.ChoiceField(label=_("Product family"), choices=FAMILY_CHOICES, required=False)
    product = forms.CharField(label=_("Product or ingredient"), required=False, max_length=200)
    reaction = forms.CharField(label=_("Adverse reaction"), required=False, max_length=200)
    min_n = forms.IntegerField(label=_("N at least"), required=False, min_value=0, max_value=2**31 - 1)
    min_eb05 = _minimum(_("EB05 at least"))
    min_prr = _minimum(_("PRR at least"))
    min_ror_lower = _minimum(_("ROR lower bound at least"))
    min_ic025 = _minimum(_("IC025 at least"))
    flagged = forms.BooleanField(label=_("Over threshold only"), required=False)
    status = forms.ChoiceField(label=_("Signal status"), choices=STATUS_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def table_filter(self) -> TableFilter:
        data = self.cleaned_data
        return TableFilter(
            product=data["product"],
            reaction=data["reaction"],
            min_n=data["min_n"],
            min_eb05=data["min_eb05"],
            min_prr=data["min_prr"],
            min_ror_lower=data["min_ror_lower"],
            min_ic025=data["min_ic025"],
            flagged_only=data["flagged"],
            signal_status=data["status"],
            sort=data["sort"] or DEFAULT_SORT,
        )


class SignalRunForm(forms.Form):
    """A request for a signal run from the console."""

    product_family = forms.ChoiceField(label=_("Product family"), choices=ProductFamily.choices)
    data_cutoff = forms.DateField(label=_("Data cut-off"), required=False)
    province = forms.RegexField(
        label=_("Province (national regulators; empty for a national run)"),
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": _("Give a 6-digit province code such as 330000.")},
    )


# -- workflow steps: the fields are the step service's arguments; the service decides what is valid ---

TEXT_LIMIT = 20000


def _text(label: str, limit: int = TEXT_LIMIT) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=limit, widget=forms.Textarea(attrs={"rows": 3}))


class SignalStepForm(forms.Form):
    """A workflow step: the signal's version the page showed (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ValidateStepForm(SignalStepForm):
    note = _text(_("Validation note"), 5000)


class RefuteStepForm(SignalStepForm):
    note = _text(_("Why it is not a signal"), 5000)


class AssessStepForm(SignalStepForm):
    causality_assessment = _text(_("Causality assessment"))
    proposed_action = forms.ChoiceField(
        label=_("Proposed action"), choices=[("", "—"), *ProposedAction.choices], required=False
    )
    rationale = _text(_("Rationale for the proposed action"))


class CloseStepForm(SignalStepForm):
    note = _text(_("Closing outcome"), 5000)


STEP_FORMS: dict[str, type[SignalStepForm]] = {
    "validate": ValidateStepForm,
    "refute": RefuteStepForm,
    "assess": AssessStepForm,
    "close": CloseStepForm,
}
STEP_LABELS = {
    "detected": _("Detected"),
    "validate": _("Validate"),
    "refute": _("Refute"),
    "assess": _("Assess"),
    "close": _("Close"),
}


QUEUE_STATUS_CHOICES = [("", _("Open (detected, validated, assessed)")), *SignalStatus.choices]


class SignalQueueForm(forms.Form):
    """Filters of the signal queue (GET)."""

    family = forms.ChoiceField(label=_("Product family"), choices=FAMILY_CHOICES, required=False)
    jurisdiction = forms.RegexField(
        label=_("Jurisdiction (division code)"),
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": _("Give a 6-digit division code such as 330000 or 000000 (national).")},
    )
    status = forms.ChoiceField(label=_("Signal status"), choices=QUEUE_STATUS_CHOICES, required=False)
