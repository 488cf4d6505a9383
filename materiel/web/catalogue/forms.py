"""Forms of the catalogue pages; the services validate again and name the field of any broken rule."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.catalog.models import Category, EquipmentType, KitPart, Meter
from materiel.core import bounds
from materiel.core.fields import WholeNumberField
from materiel.core.widgets import QuickSelect

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False)
    category = forms.ModelChoiceField(
        label=_("Nhóm"), queryset=Category.objects.all(), required=False, to_field_name="code", empty_label=_("Tất cả")
    )


class CategoryForm(forms.Form):
    code = forms.CharField(label=_("Mã nhóm"), max_length=20, help_text=_("Không dấu, không đổi được sau khi tạo."))
    name = forms.CharField(label=_("Tên nhóm"), max_length=150)
    order = WholeNumberField(label=_("Thứ tự hiển thị"), min_value=0, max_value=32767, initial=0, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = ""


class TypeForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Nhóm trang bị"), queryset=Category.objects.all())
    code = forms.CharField(
        label=_("Mã chủng loại"), max_length=40, help_text=_("Không dấu, không đổi được sau khi tạo.")
    )
    name = forms.CharField(label=_("Tên trang bị"), max_length=200)
    short_name = forms.CharField(label=_("Tên ngắn"), max_length=80, required=False)
    unit_of_measure = forms.CharField(label=_("Đơn vị tính"), max_length=30)
    serialised = forms.TypedChoiceField(
        label=_("Cách quản lý"),
        coerce=lambda value: value == "1",
        choices=[("1", _("Theo số hiệu (từng chiếc)")), ("0", _("Theo lô (đếm số lượng)"))],
        widget=forms.RadioSelect,
        initial="1",
    )
    service_life_years = WholeNumberField(label=_("Niên hạn sử dụng (năm)"), min_value=1, max_value=100, required=False)
    origin = forms.CharField(label=_("Nước sản xuất"), max_length=80, required=False)
    meters = forms.MultipleChoiceField(
        label=_("Đồng hồ theo dõi"), choices=Meter.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = ""

    @staticmethod
    def initial_of(equipment_type: EquipmentType) -> dict:
        return {
            "category": equipment_type.category,
            "code": equipment_type.code,
            "name": equipment_type.name,
            "short_name": equipment_type.short_name,
            "unit_of_measure": equipment_type.unit_of_measure,
            "serialised": "1" if equipment_type.serialised else "0",
            "service_life_years": equipment_type.service_life_years,
            "origin": equipment_type.origin,
            "meters": list(equipment_type.meters),
        }


class KitLineForm(forms.Form):
    """One line of a type's standard kit (bộ đồng bộ tiêu chuẩn)."""

    line = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the KitLine's id; empty: a new line
    part = forms.ChoiceField(label=_("Loại"), choices=KitPart.choices, initial=KitPart.COMPONENT, required=False)
    name = forms.CharField(label=_("Tên"), max_length=150, required=False)
    quantity = WholeNumberField(label=_("Số lượng"), min_value=1, max_value=1000, required=False, initial=1)
    delete = forms.BooleanField(label=_("Xóa"), required=False)


KitFormSet = forms.formset_factory(KitLineForm, extra=3, max_num=200, absolute_max=200)


class HoldingForm(forms.Form):
    equipment_type = forms.ModelChoiceField(
        label=_("Chủng loại"), queryset=EquipmentType.objects.select_related("category"), widget=QuickSelect
    )
    quantity = WholeNumberField(label=_("Số lượng biên chế"), min_value=0, max_value=bounds.MAX_AUTHORISED)
    valid_from = forms.DateField(label=_("Hiệu lực từ ngày"), initial=timezone.localdate, widget=DATE_WIDGET)

    def __init__(self, *args, fixed_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_type is not None:
            # Editing one type's line: the type is given by the page, not chosen.
            del self.fields["equipment_type"]
            self.fields["quantity"].help_text = _("Nhập 0 để kết thúc biên chế loại này từ ngày hiệu lực.")
