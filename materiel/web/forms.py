"""Forms for recording events; each maps one-to-one onto a ledger service's arguments."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.catalog.models import Meter
from materiel.units.models import Unit


class EventForm(forms.Form):
    occurred_on = forms.DateField(
        label=_("Ngày phát sinh"),
        initial=timezone.localdate,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )


class TransferForm(EventForm):
    to_unit = forms.ModelChoiceField(label=_("Đơn vị nhận"), queryset=Unit.objects.none())
    document_number = forms.CharField(label=_("Số biên bản bàn giao"), max_length=80, required=False)
    reason = forms.CharField(label=_("Lý do"), max_length=300, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units if units is not None else Unit.objects.none()


class GradeForm(EventForm):
    grade = forms.TypedChoiceField(
        label=_("Cấp chất lượng mới"), coerce=int, choices=[(g, f"Cấp {g}") for g in range(1, 6)]
    )
    reason = forms.CharField(label=_("Lý do"), max_length=300, required=False)
    document_number = forms.CharField(label=_("Số biên bản kiểm tra"), max_length=80, required=False)


class StatusForm(EventForm):
    reason = forms.CharField(label=_("Lý do, căn cứ"), max_length=300, required=False)
    document_number = forms.CharField(label=_("Số văn bản"), max_length=80, required=False)


class IssueForm(EventForm):
    holder = forms.CharField(label=_("Người nhận"), max_length=150, required=False)


class MeterForm(EventForm):
    meter = forms.ChoiceField(label=_("Đồng hồ"), choices=Meter.choices)
    value = forms.CharField(label=_("Chỉ số"), max_length=20)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=300, required=False)
