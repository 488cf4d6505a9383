"""Forms of the receipt pages (tiếp nhận) and of the lot movements; web.receipts renders them."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from materiel.catalog.models import EquipmentType
from materiel.core.errors import DomainError
from materiel.core.numbers import parse_decimal
from materiel.core.serials import RANGE_LIMIT, parse_serials
from materiel.documents.services import Parties
from materiel.equipment.models import Purpose
from materiel.units.models import Unit

from .forms import EventForm, TransferForm, grade_choices, parties_of
from .unit_picker import UnitField

OUTSIDE, TREE = "outside", "unit"


def quantity_of(text: str):
    """A whole number typed in Vietnamese notation ("1.000"); anything else goes to the ledger as
    typed, which refuses it with its own message (rules.check_quantity)."""
    number = parse_decimal(text)
    return int(number) if number is not None and number == int(number) else text


class ReceiptForm(EventForm):
    """What every receipt says: who gives, who receives and keeps it, under which document."""

    to_unit = UnitField(label=_("Đơn vị nhận"))
    source = forms.ChoiceField(
        label=_("Bên giao"),
        choices=[(OUTSIDE, _("Ngoài hệ thống (kho, nhà máy, cơ quan cấp trên…)")), (TREE, _("Đơn vị trong hệ thống"))],
        initial=OUTSIDE,
        widget=forms.RadioSelect,
    )
    outside_party = forms.CharField(
        label=_("Tên bên giao ngoài hệ thống"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("ví dụ: Kho K10 / Cục Kỹ thuật")}),
    )
    from_unit = UnitField(label=_("Đơn vị giao (trong hệ thống)"), required=False)
    document_number = forms.CharField(label=_("Số biên bản giao nhận"), max_length=80)
    storage = forms.CharField(label=_("Nơi cất giữ (kho)"), max_length=120, required=False)
    reason = forms.CharField(label=_("Lý do, căn cứ"), max_length=300, required=False)
    giver_name = forms.CharField(label=_("Người giao"), max_length=150, required=False)
    giver_title = forms.CharField(label=_("Cấp bậc, chức vụ người giao"), max_length=150, required=False)
    receiver_name = forms.CharField(label=_("Người nhận"), max_length=150, required=False)
    receiver_title = forms.CharField(label=_("Cấp bậc, chức vụ người nhận"), max_length=150, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.none()
        for name in ("to_unit", "from_unit"):
            self.fields[name].queryset = units
            self.fields[name].suggest(None)
        self.fields["occurred_on"].label = _("Ngày giao nhận")

    def clean(self):
        data = super().clean()
        if data.get("source") == TREE:
            if not data.get("from_unit") and "from_unit" not in self.errors:
                self.add_error("from_unit", gettext("Chọn đơn vị giao trong hệ thống."))
            elif data.get("from_unit") and data["from_unit"] == data.get("to_unit"):
                self.add_error("from_unit", gettext("Đơn vị giao trùng đơn vị nhận."))
        elif not (data.get("outside_party") or "").strip():
            self.add_error("outside_party", gettext("Chưa nhập tên bên giao (kho, nhà máy, cơ quan…)."))
        return data

    @property
    def from_tree(self) -> bool:
        return self.cleaned_data.get("source") == TREE

    def storage_note(self) -> str:
        storage = self.cleaned_data.get("storage", "").strip()
        return gettext("Nơi cất giữ: %(place)s") % {"place": storage} if storage else ""

    def parties(self) -> Parties:
        return parties_of(self.cleaned_data, notes=self.storage_note())


class ItemReceiptForm(ReceiptForm):
    """Serialised items: one serial, several one per line, or a range."""

    equipment_type = forms.ModelChoiceField(label=_("Chủng loại"), queryset=EquipmentType.objects.none())
    serials = forms.CharField(
        label=_("Số hiệu"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    grade = forms.TypedChoiceField(label=_("Cấp chất lượng"), coerce=int, choices=grade_choices, initial=1)
    purpose = forms.ChoiceField(label=_("Mục đích sử dụng"), choices=Purpose.choices, initial=Purpose.IN_USE)
    year_made = forms.IntegerField(label=_("Năm sản xuất"), required=False, min_value=1900, max_value=9999)
    origin = forms.CharField(label=_("Nước sản xuất"), max_length=80, required=False)

    field_order = ["equipment_type", "serials", "grade", "purpose", "year_made", "origin", "to_unit", "storage"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment_type"].queryset = EquipmentType.objects.filter(serialised=True).order_by("name")
        self.fields["serials"].help_text = gettext(
            "Mỗi dòng một số hiệu, hoặc một dải: AK-120345 … AK-120360 (cũng nhận “AK-120345 - AK-120360”, "
            "“AK-120345..AK-120360”); tối đa %(limit)s số hiệu một lần."
        ) % {"limit": RANGE_LIMIT}
        # As the serials are typed, htmx asks how many they make (web.receipts.serial_preview).
        self.fields["serials"].widget.attrs.update(
            {
                "hx-get": reverse("web:serial_preview"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#serial-preview",
                "hx-swap": "innerHTML",
            }
        )

    def clean_serials(self):
        try:
            return parse_serials(self.cleaned_data["serials"], field="serials")
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


class LotReceiptForm(ReceiptForm):
    """Counted stock into a lot (nhập lô)."""

    equipment_type = forms.ModelChoiceField(label=_("Chủng loại"), queryset=EquipmentType.objects.none())
    lot_number = forms.CharField(label=_("Số lô"), max_length=80, required=False)
    grade = forms.TypedChoiceField(label=_("Cấp chất lượng"), coerce=int, choices=grade_choices, initial=1)
    quantity = forms.CharField(label=_("Số lượng"), max_length=30)

    field_order = ["equipment_type", "lot_number", "grade", "quantity", "to_unit", "storage"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment_type"].queryset = EquipmentType.objects.filter(serialised=False).order_by("name")

    def clean_quantity(self):
        return quantity_of(self.cleaned_data["quantity"])


class LotIssueForm(EventForm):
    """Stock taken out to consumption (xuất, tiêu hao): fired in training, used up."""

    quantity = forms.CharField(label=_("Số lượng xuất"), max_length=30)
    reason = forms.CharField(
        label=_("Lý do xuất"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("ví dụ: bắn đạn thật huấn luyện năm 2026")}),
    )
    document_number = forms.CharField(label=_("Số văn bản, phiếu xuất"), max_length=80, required=False)

    def clean_quantity(self):
        return quantity_of(self.cleaned_data["quantity"])


class LotTransferForm(TransferForm):
    """Part of a lot handed over to another unit, with its handover record."""

    quantity = forms.CharField(label=_("Số lượng bàn giao"), max_length=30)

    field_order = ["quantity"]

    def clean_quantity(self):
        return quantity_of(self.cleaned_data["quantity"])
