"""Forms of the storage pages; the services validate again and name the field of any broken rule."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PlaceKind

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class PlaceForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Loại"), queryset=PlaceKind.objects.all())
    code = forms.CharField(label=_("Ký hiệu"), max_length=40, help_text=_("Ví dụ: K1, PVK-C1, TS-01."))
    name = forms.CharField(label=_("Tên nơi cất giữ"), max_length=120)
    capacity = forms.IntegerField(label=_("Sức chứa (trang bị)"), required=False, min_value=1, max_value=1_000_000)
    responsible = forms.CharField(label=_("Người phụ trách"), max_length=120, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
    closed_on = forms.DateField(label=_("Ngừng sử dụng từ ngày"), required=False, widget=DATE_WIDGET)

    @staticmethod
    def initial_of(place) -> dict:
        fields = ("kind", "code", "name", "capacity", "responsible", "note", "closed_on")
        return {name: getattr(place, name) for name in fields}


class RelocateForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Chuyển đến"), queryset=PlaceKind.objects.none())
    occurred_on = forms.DateField(label=_("Ngày chuyển"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, places, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        field = self.fields["place"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = places
        field.label_from_instance = lambda p: f"{p.code} – {p.name} ({p.kind.name})"
