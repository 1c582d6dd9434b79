"""Forms of the signal console: the statistics table's filters and a request for a signal run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medreg.vigilance.models import ProductFamily
from medreg.vigilance.models.signal import SignalStatus
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
