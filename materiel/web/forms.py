"""Forms for recording events; each maps one-to-one onto a ledger service's arguments."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from materiel.accounts.scoping import allowed, receiving_units
from materiel.catalog.grades import grade_numbers
from materiel.catalog.models import Meter
from materiel.documents.numbering import propose_number
from materiel.documents.services import Parties
from materiel.units.handover import receivers
from materiel.units.models import Unit

from .unit_picker import UnitField


def grade_choices() -> list[tuple[int, str]]:
    """Called when a form is built, so the labels follow the language of the request and the choices
    the grades defined (catalog.grades)."""
    return [(g, gettext("Cấp %(grade)d") % {"grade": g}) for g in grade_numbers()]


class EventForm(forms.Form):
    occurred_on = forms.DateField(
        label=_("Ngày phát sinh"),
        initial=timezone.localdate,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )


class TransferForm(EventForm):
    """A transfer and the handover record drawn up with it (documents.services.hand_over)."""

    to_unit = UnitField(label=_("Đơn vị nhận"))
    document_number = forms.CharField(label=_("Số biên bản bàn giao"), max_length=80, required=False)
    reason = forms.CharField(label=_("Lý do"), max_length=300, required=False)
    giver_name = forms.CharField(label=_("Người giao"), max_length=150, required=False)
    giver_title = forms.CharField(label=_("Cấp bậc, chức vụ người giao"), max_length=150, required=False)
    receiver_name = forms.CharField(label=_("Người nhận"), max_length=150, required=False)
    receiver_title = forms.CharField(label=_("Cấp bậc, chức vụ người nhận"), max_length=150, required=False)
    notes = forms.CharField(
        label=_("Ghi chú biên bản"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units=None, near: Unit | None = None, **kwargs):
        """units: where the items may go; near: the giving unit, whose neighbours are suggested first."""
        super().__init__(*args, **kwargs)
        to_unit = self.fields["to_unit"]
        assert isinstance(to_unit, UnitField)
        to_unit.queryset = units if units is not None else Unit.objects.none()
        # The depots and repair stations above, which no neighbourhood reaches, come after the neighbours.
        to_unit.suggest(near, also=receivers(near).order_by("path") if near is not None else ())
        to_unit.error_messages["unknown"] = gettext(
            "Không bàn giao được cho “%(value)s”: đơn vị nhận phải thuộc phạm vi quản lý của bạn, là kho hay trạm "
            "sửa chữa của cấp trên, hoặc có quy định bàn giao cho phép. Gõ tên hoặc mã rồi chọn trong danh sách gợi ý."
        )

    def parties(self) -> Parties:
        return parties_of(self.cleaned_data, notes=self.cleaned_data["notes"])


def parties_of(data, *, notes: str) -> Parties:
    """What a handover or receipt form says of its record beyond the items (its cleaned data)."""
    return Parties(
        number=data["document_number"],
        handed_on=data["occurred_on"],
        reason=data["reason"],
        giver_name=data["giver_name"],
        giver_title=data["giver_title"],
        receiver_name=data["receiver_name"],
        receiver_title=data["receiver_title"],
        notes=notes,
    )


class GradeForm(EventForm):
    grade = forms.TypedChoiceField(label=_("Cấp chất lượng mới"), coerce=int, choices=grade_choices)
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

    def __init__(self, *args, meters=None, **kwargs):
        """meters: the item's type's (EquipmentType.meters); only those are offered."""
        super().__init__(*args, **kwargs)
        if meters is not None:
            self.fields["meter"].choices = [(m, label) for m, label in Meter.choices if m in meters]


class KitForm(EventForm):
    """What is missing and damaged of the item's kit after a check (ledger.kit): two numbers per
    line of its type's standard kit, shown with what it has now."""

    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, lines=(), shortages=None, **kwargs):
        """lines: the type's KitLines; shortages: line id -> (missing, damaged) now."""
        super().__init__(*args, **kwargs)
        shortages = shortages or {}
        self.lines = list(lines)
        for line in self.lines:
            missing, damaged = shortages.get(line.pk, (0, 0))
            for name, label, value in (
                ("missing", gettext("Thiếu – %(line)s (bộ có %(quantity)s)"), missing),
                ("damaged", gettext("Hỏng – %(line)s"), damaged),
            ):
                self.fields[f"{name}_{line.pk}"] = forms.IntegerField(
                    label=label % {"line": line.name, "quantity": line.quantity},
                    min_value=0,
                    max_value=line.quantity,
                    initial=value,
                    required=False,
                    widget=forms.NumberInput(attrs={"size": 3, "inputmode": "numeric"}),
                )

    def shortages(self) -> list[dict[str, int]]:
        data = self.cleaned_data
        return [
            {
                "line": line.pk,
                "missing": data.get(f"missing_{line.pk}") or 0,
                "damaged": data.get(f"damaged_{line.pk}") or 0,
            }
            for line in self.lines
        ]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=300, required=False)


# The register's actions on many items, each with the permission it needs (accounts.scoping.ACTIONS).
BULK_ACTIONS = {"transfer": "ledger.transfer", "grade": "ledger.grade"}


def bulk_actions(user) -> list[str]:
    """The actions on many items this user's role allows."""
    return [action for action, permission in BULK_ACTIONS.items() if allowed(user, permission)]


def bulk_form(action: str, user, data=None, giving_unit=None):
    """The form of an action on many items; a transfer proposes the giving unit's next number."""
    if action == "grade":
        return GradeForm(data, prefix="bulk-grade")
    units = receiving_units(user, giving_unit)
    initial = {}
    if giving_unit is not None:
        initial["document_number"] = propose_number(giving_unit, timezone.localdate().year)
    return TransferForm(data, units=units, near=giving_unit, prefix="bulk-transfer", initial=initial)
