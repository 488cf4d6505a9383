"""Forms of the storage pages; the services validate again and name the field of any broken rule."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from materiel.core.numbers import parse_decimal

from .depot_log import Line
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


# Depot condition logs (storage.depot_log): one line, or a month of lines from a paper book.

CHECK_CHOICES = [("", "—"), ("1", _("Đạt")), ("0", _("Không đạt"))]
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "size": 5})


def checked(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


def measured(text: str, label: str, row: str = "") -> Decimal | None:
    """A reading as typed ("27,5"), to one decimal; None when left empty."""
    text = (text or "").strip()
    if not text:
        return None
    number = parse_decimal(text)
    if number is None or abs(number) >= 1000:
        prefix = f"{row}: " if row else ""
        raise forms.ValidationError(
            prefix + gettext("%(label)s “%(text)s” không phải là số.") % {"label": label, "text": text[:20]}
        )
    return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class ReadingForm(forms.Form):
    day = forms.DateField(label=_("Ngày"), widget=DATE_WIDGET)
    time = forms.TimeField(label=_("Giờ"), widget=TIME_WIDGET)
    checked_by = forms.CharField(label=_("Người kiểm tra"), max_length=120)
    temperature = forms.CharField(label=_("Nhiệt độ (°C)"), required=False, max_length=20)
    humidity = forms.CharField(label=_("Độ ẩm (%)"), required=False, max_length=20)
    fire_ok = forms.ChoiceField(label=_("Phòng cháy chữa cháy"), choices=CHECK_CHOICES, required=False)
    seals_ok = forms.ChoiceField(label=_("Khóa, niêm phong"), choices=CHECK_CHOICES, required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        now = timezone.localtime()
        kwargs.setdefault("initial", {}).update({"day": now.date(), "time": now.strftime("%H:%M")})
        super().__init__(*args, **kwargs)

    def clean_temperature(self):
        return measured(self.cleaned_data["temperature"], gettext("Nhiệt độ"))

    def clean_humidity(self):
        return measured(self.cleaned_data["humidity"], gettext("Độ ẩm"))

    def line(self) -> Line:
        data = self.cleaned_data
        return Line(
            taken_at=timezone.make_aware(datetime.combine(data["day"], data["time"])),
            checked_by=data["checked_by"],
            temperature=data["temperature"],
            humidity=data["humidity"],
            fire_ok=checked(data["fire_ok"]),
            seals_ok=checked(data["seals_ok"]),
            note=data["note"],
        )


class AcknowledgeForm(forms.Form):
    action = forms.CharField(label=_("Biện pháp đã làm"), max_length=300)


@dataclass
class MonthRow:
    """One day of the month grid, with what was typed in it and its error."""

    day: date
    values: dict[str, str]
    error: str = ""

    @property
    def filled(self) -> bool:
        return any(self.values.get(name) for name in MONTH_MEASURES)

    def key(self, name: str) -> str:
        return f"d{self.day.day}-{name}"


MONTH_FIELDS = ("time", "checked_by", "temperature", "humidity", "fire_ok", "seals_ok", "note")
MONTH_MEASURES = ("temperature", "humidity", "fire_ok", "seals_ok")


def month_days(month: date) -> list[date]:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return [date(month.year, month.month, d) for d in range(1, (following - date(month.year, month.month, 1)).days + 1)]


def month_rows(month: date, data=None, *, default_time: str = "07:30") -> list[MonthRow]:
    """The grid of `month`: a row per day, with the values posted (`data`) or the defaults."""
    rows = []
    for day in month_days(month):
        row = MonthRow(day=day, values={})
        for name in MONTH_FIELDS:
            row.values[name] = (data.get(row.key(name), "") if data is not None else "").strip()
        row.values["time"] = row.values["time"] or default_time
        rows.append(row)
    return rows


def month_lines(rows: list[MonthRow], checked_by: str) -> list[Line]:
    """The lines of the filled rows; a row that cannot be read gets its error and is not a line."""
    lines = []
    for row in rows:
        if not row.filled:
            continue
        label = gettext("Ngày %(day)s") % {"day": row.day.strftime("%d/%m")}
        try:
            moment = datetime.strptime(row.values["time"], "%H:%M").time()
        except ValueError:
            row.error = gettext("%(row)s: giờ “%(text)s” không đọc được (hh:mm).") % {
                "row": label,
                "text": row.values["time"][:10],
            }
            continue
        try:
            temperature = measured(row.values["temperature"], gettext("Nhiệt độ"), label)
            humidity = measured(row.values["humidity"], gettext("Độ ẩm"), label)
        except forms.ValidationError as error:
            row.error = " ".join(error.messages)
            continue
        lines.append(
            Line(
                taken_at=timezone.make_aware(datetime.combine(row.day, moment)),
                checked_by=row.values["checked_by"] or checked_by,
                temperature=temperature,
                humidity=humidity,
                fire_ok=checked(row.values["fire_ok"]),
                seals_ok=checked(row.values["seals_ok"]),
                note=row.values["note"][:300],
                row=label,
            )
        )
    return lines
