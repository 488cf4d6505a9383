"""Forms of the maintenance pages; the services validate again and name the field of any broken rule."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from materiel.catalog.models import EquipmentType
from materiel.core.fields import WholeNumberField
from materiel.core.numbers import parse_decimal
from materiel.equipment.models import Status

from .models import PLAN_STATUSES, DayPart, Frequency, MaintenancePlan, Weekday, WeekOfMonth

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class NumberField(forms.CharField):
    """A number in Vietnamese notation (12.500 or 1.234,5), as the meter forms read it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        number = parse_decimal(text)
        if number is None:
            raise forms.ValidationError(_("Phải là số (ví dụ 12.500 hoặc 1.234,5)."))
        return number


class PlanForm(forms.Form):
    equipment_type = forms.ModelChoiceField(
        label=_("Chủng loại"), queryset=EquipmentType.objects.filter(serialised=True).select_related("category")
    )
    name = forms.CharField(label=_("Tên kế hoạch bảo dưỡng"), max_length=120, help_text=_("Ví dụ: Bảo dưỡng cấp 1."))
    every_km = NumberField(label=_("Sau mỗi (km)"))
    every_engine_hours = NumberField(label=_("Sau mỗi (giờ máy)"))
    every_rounds = NumberField(label=_("Sau mỗi (phát bắn)"))
    every_days = WholeNumberField(label=_("Sau mỗi (ngày)"), min_value=1, max_value=36600, required=False)
    tolerance_percent = NumberField(label=_("Dung sai (%)"), initial="10")
    soon_percent = NumberField(label=_("Báo sắp đến hạn khi còn (phần trăm chu kỳ)"))
    soon_days = WholeNumberField(label=_("Báo sắp đến hạn trước (ngày)"), min_value=0, max_value=365, required=False)
    statuses = forms.MultipleChoiceField(
        label=_("Áp dụng cho tình trạng"),
        choices=[(s.value, s.label) for s in PLAN_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        initial=[Status.IN_SERVICE.value],
    )
    labour_hours = NumberField(label=_("Định mức giờ công"))
    steps = forms.CharField(
        label=_("Các bước thực hiện (mỗi dòng một bước)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    starts_on = forms.DateField(
        label=_("Áp dụng từ ngày"),
        initial=timezone.localdate,
        widget=DATE_WIDGET,
        help_text=_(
            "Trang bị chưa có lần bảo dưỡng nào tính chu kỳ đầu từ ngày này (hoặc từ ngày tiếp nhận, nếu sau)."
        ),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["equipment_type"].disabled = True

    @staticmethod
    def initial_of(plan: MaintenancePlan) -> dict:
        def shown(value):
            return "" if value is None else f"{value.normalize():f}".replace(".", ",")

        return {
            "equipment_type": plan.equipment_type,
            "name": plan.name,
            "every_km": shown(plan.every_km),
            "every_engine_hours": shown(plan.every_engine_hours),
            "every_rounds": shown(plan.every_rounds),
            "every_days": plan.every_days,
            "tolerance_percent": shown(plan.tolerance_percent),
            "soon_percent": shown(plan.soon_percent),
            "soon_days": plan.soon_days,
            "statuses": list(plan.statuses),
            "labour_hours": shown(plan.labour_hours),
            "steps": plan.steps,
            "starts_on": plan.starts_on,
        }


class DoneForm(forms.Form):
    """A maintenance done by one of the item's type's plans."""

    plan = forms.ModelChoiceField(label=_("Kế hoạch bảo dưỡng"), queryset=MaintenancePlan.objects.none())
    occurred_on = forms.DateField(label=_("Ngày bảo dưỡng"), initial=timezone.localdate, widget=DATE_WIDGET)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, equipment_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = MaintenancePlan.objects.filter(equipment_type=equipment_type)


class ScheduleForm(forms.Form):
    """A unit's technical-day schedule (lịch ngày kỹ thuật)."""

    frequency = forms.ChoiceField(label=_("Chu kỳ"), choices=Frequency.choices)
    weekday = forms.TypedChoiceField(label=_("Thứ"), choices=Weekday.choices, coerce=int, initial=Weekday.FRIDAY)
    week_of_month = forms.TypedChoiceField(
        label=_("Tuần trong tháng (lịch hằng tháng)"),
        choices=[("", "—"), *WeekOfMonth.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    part_of_day = forms.ChoiceField(label=_("Buổi"), choices=DayPart.choices)


class SessionDayForm(forms.Form):
    held_on = forms.DateField(label=_("Ngày thực hiện"), widget=DATE_WIDGET)
    part_of_day = forms.ChoiceField(label=_("Buổi"), choices=DayPart.choices)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class ResultsDayForm(forms.Form):
    occurred_on = forms.DateField(label=_("Ngày thực hiện"), widget=DATE_WIDGET)
