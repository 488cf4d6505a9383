"""Forms of the work order pages; the services validate again and name the field of any broken rule."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.catalog.models import Meter
from materiel.core.fields import WholeNumberField
from materiel.equipment.models import Lot
from materiel.maintenance.models import MaintenancePlan

from .models import Facility, FacilityKind, OrderKind, OrderState, RepairLevel

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class RepairFields(forms.Form):
    """What a repair order says beyond a maintenance order's: fault, level, facility, cost."""

    fault = forms.CharField(label=_("Hư hỏng"), max_length=300, required=False)
    level = forms.ModelChoiceField(label=_("Cấp sửa chữa"), queryset=RepairLevel.objects.all(), required=False)
    facility = forms.ModelChoiceField(label=_("Cơ sở sửa chữa"), queryset=Facility.objects.none(), required=False)
    cost = WholeNumberField(label=_("Chi phí (đồng)"), min_value=0, max_value=10**13, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.usable_by(user)


class OrderForm(RepairFields):
    kind = forms.ChoiceField(label=_("Loại phiếu"), choices=OrderKind.choices)
    title = forms.CharField(label=_("Nội dung công việc"), max_length=200)
    serial = forms.CharField(label=_("Số hiệu trang bị"), max_length=80)
    plan = forms.ModelChoiceField(
        label=_("Kế hoạch bảo dưỡng"), queryset=MaintenancePlan.objects.select_related("equipment_type"), required=False
    )
    opened_on = forms.DateField(label=_("Ngày lập phiếu"), initial=timezone.localdate, widget=DATE_WIDGET)
    open_now = forms.BooleanField(label=_("Mở phiếu ngay (bỏ qua bước nháp)"), required=False, initial=True)

    field_order = ["kind", "title", "serial", "plan", "opened_on", "fault", "level", "facility", "cost", "open_now"]

    def __init__(self, *args, equipment_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        if equipment_type is not None:
            self.fields["plan"].queryset = MaintenancePlan.objects.filter(equipment_type=equipment_type)


class EditForm(RepairFields):
    title = forms.CharField(label=_("Nội dung công việc"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = ["title", "fault", "level", "facility", "cost"]


class ItemForm(forms.Form):
    serial = forms.CharField(label=_("Số hiệu trang bị"), max_length=80)
    plan = forms.ModelChoiceField(
        label=_("Kế hoạch bảo dưỡng"), queryset=MaintenancePlan.objects.select_related("equipment_type"), required=False
    )


class LabourForm(forms.Form):
    person = forms.CharField(label=_("Người thực hiện"), max_length=150)
    hours = forms.CharField(label=_("Số giờ công"), max_length=10)


class PartForm(forms.Form):
    lot = forms.ModelChoiceField(label=_("Lô vật tư, phụ tùng"), queryset=Lot.objects.none())
    quantity = WholeNumberField(label=_("Số lượng"), min_value=1, max_value=10**9)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = Lot.objects.filter(unit=unit, quantity__gt=0).select_related("equipment_type")


TO_CHOICES = [(s.value, s.label) for s in (OrderState.OPEN, OrderState.IN_PROGRESS, OrderState.CANCELLED)]


class CloseForm(forms.Form):
    """Close an order: the day, the results, and per row its meters' readings and (repairs) grade after."""

    occurred_on = forms.DateField(label=_("Ngày hoàn thành"), initial=timezone.localdate, widget=DATE_WIDGET)
    results = forms.CharField(
        label=_("Kết quả thực hiện"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, order=None, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in rows:
            names = []
            for meter in row.item.equipment_type.meters:
                name = f"reading-{row.pk}-{meter}"
                label = _("Dòng %(row)d (%(serial)s): %(meter)s khi hoàn thành") % {
                    "row": row.position,
                    "serial": row.item.serial,
                    "meter": Meter(meter).label.lower(),
                }
                self.fields[name] = forms.CharField(label=label, max_length=20, required=False)
                names.append(name)
            if order is not None and order.is_repair:
                name = f"grade-{row.pk}"
                self.fields[name] = WholeNumberField(
                    label=_("Dòng %(row)d (%(serial)s): cấp chất lượng sau sửa chữa")
                    % {"row": row.position, "serial": row.item.serial},
                    min_value=1,
                    max_value=5,
                    required=False,
                )
                names.append(name)
            self.rows.append((row, names))


class LevelForm(forms.Form):
    code = forms.SlugField(label=_("Mã"), max_length=30)
    name = forms.CharField(label=_("Tên cấp sửa chữa"), max_length=80)
    facility_kinds = forms.MultipleChoiceField(
        label=_("Cơ sở được thực hiện"), choices=FacilityKind.choices, widget=forms.CheckboxSelectMultiple
    )
    order = WholeNumberField(label=_("Thứ tự"), min_value=0, max_value=999, required=False)


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("Tên cơ sở sửa chữa"), max_length=150)
    kind = forms.ChoiceField(label=_("Loại cơ sở"), choices=FacilityKind.choices)
    unit = forms.CharField(label=_("Mã đơn vị (nếu là đơn vị trong cây)"), max_length=60, required=False)
