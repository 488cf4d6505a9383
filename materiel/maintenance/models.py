"""Maintenance norms (reference data) and the due projection the board reads.

A `MaintenancePlan` says how often one equipment type is maintained: every N km and/or M engine hours
and/or R rounds and/or T days, whichever comes first, with a tolerance. A `DueState` is where one item
stands against one plan; it is a projection of the ledger (the item's meter readings, status and
maintenance events) and of the plan, rebuilt by `maintenance.due` and proved by `materiel verify`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from materiel.catalog.models import Meter
from materiel.core.scoped import ScopedQuerySet
from materiel.equipment.models import Status
from materiel.ledger.records import EventLine

# The statuses a plan may apply to: run-ups of sealed vehicles, periodic levels of those in service.
PLAN_STATUSES = (Status.IN_SERVICE, Status.SEALED)
# Plan field of each meter trigger.
EVERY = {Meter.KM: "every_km", Meter.ENGINE_HOURS: "every_engine_hours", Meter.ROUNDS: "every_rounds"}
DAYS = "days"  # the calendar trigger, beside the meters


def default_soon_percent():
    return settings.MATERIEL_DUE_SOON_PERCENT


def default_soon_days():
    return settings.MATERIEL_DUE_SOON_DAYS


class MaintenancePlan(models.Model):
    """A maintenance norm of an equipment type (bảo dưỡng cấp 1, nổ máy xe niêm cất…)."""

    equipment_type = models.ForeignKey(
        "catalog.EquipmentType",
        on_delete=models.PROTECT,
        related_name="maintenance_plans",
        verbose_name=_("chủng loại"),
    )
    name = models.CharField(_("tên kế hoạch bảo dưỡng"), max_length=120)
    every_km = models.DecimalField(_("sau mỗi (km)"), max_digits=12, decimal_places=1, null=True, blank=True)
    every_engine_hours = models.DecimalField(
        _("sau mỗi (giờ máy)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    every_rounds = models.DecimalField(_("sau mỗi (phát bắn)"), max_digits=12, decimal_places=1, null=True, blank=True)
    every_days = models.PositiveIntegerField(_("sau mỗi (ngày)"), null=True, blank=True)
    tolerance_percent = models.DecimalField(_("dung sai (%)"), max_digits=4, decimal_places=1, default=10)
    soon_percent = models.DecimalField(
        _("báo sắp đến hạn khi còn (phần trăm chu kỳ)"), max_digits=4, decimal_places=1, default=default_soon_percent
    )
    soon_days = models.PositiveSmallIntegerField(_("báo sắp đến hạn trước (ngày)"), default=default_soon_days)
    statuses = models.JSONField(_("áp dụng cho tình trạng"), default=list)
    labour_hours = models.DecimalField(_("định mức giờ công"), max_digits=6, decimal_places=1, null=True, blank=True)
    steps = models.TextField(_("các bước thực hiện"), blank=True)
    # Items never maintained count their first cycle from this day (or from their receipt, if later).
    starts_on = models.DateField(_("áp dụng từ ngày"))

    class Meta:
        ordering = ["equipment_type__name", "name"]
        verbose_name = _("kế hoạch bảo dưỡng")
        verbose_name_plural = _("các kế hoạch bảo dưỡng")
        constraints = [models.UniqueConstraint(fields=["equipment_type", "name"], name="unique_plan_name_per_type")]

    def __str__(self) -> str:
        return f"{self.name} – {self.equipment_type}"

    def meter_intervals(self) -> dict[str, Decimal]:
        """meter -> its interval, for the meter triggers this plan has."""
        return {meter: getattr(self, field) for meter, field in EVERY.items() if getattr(self, field)}

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class State(models.TextChoices):
    OK = "ok", _("Bình thường")
    SOON = "soon", _("Sắp đến hạn")
    DUE = "due", _("Đến hạn")
    OVERDUE = "overdue", _("Quá hạn")


STATE_ORDER = [State.OK, State.SOON, State.DUE, State.OVERDUE]


class DueQuerySet(ScopedQuerySet):
    unit_field = "item__unit"  # a due row belongs to the unit holding its item now


class DueState(models.Model):
    """Where one item stands against one plan (the due projection, bảng theo dõi đến hạn bảo dưỡng).

    Rebuilt from the first `item_version` events of the item (maintenance.due.compute); current when
    that equals the item's version. The state on a day is `meter_state` (from the meters, fixed
    until the next event) combined with the calendar dates (`soon_on`, `next_on`, `overdue_on`), so
    the database tells it for any day without recomputing (`maintenance.board.state_on`)."""

    item = models.ForeignKey("equipment.Item", on_delete=models.CASCADE, related_name="due_states")
    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="due_states")
    item_version = models.PositiveIntegerField()
    applies = models.BooleanField()  # the item's status is one the plan applies to
    last_done_on = models.DateField(null=True)  # None: never maintained by this plan
    base_on = models.DateField()  # where the current cycle starts: last done, or the plan's start
    # meter -> {"done": value at the start of the cycle, "next": due at, "now": latest reading}
    meters = models.JSONField(default=dict)
    meter_state = models.CharField(max_length=10, choices=State.choices)
    meter_trigger = models.CharField(max_length=20, blank=True)
    soon_on = models.DateField(null=True)
    next_on = models.DateField(null=True)  # due by the calendar
    overdue_on = models.DateField(null=True)  # the first day past the calendar's tolerance
    projected_on = models.DateField(null=True)  # the earliest trigger's due date, meters by usage rate
    projected_trigger = models.CharField(max_length=20, blank=True)

    objects = DueQuerySet.as_manager()

    class Meta:
        verbose_name = _("hạn bảo dưỡng")
        constraints = [models.UniqueConstraint(fields=["item", "plan"], name="unique_due_per_item_plan")]
        indexes = [
            models.Index(fields=["plan", "meter_state"]),
            models.Index(fields=["next_on"]),
            models.Index(fields=["overdue_on"]),
            models.Index(fields=["soon_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.plan_id}"


class MaintenancePlanPart(models.Model):
    """A standard part of a plan (phụ tùng, vật tư tiêu chuẩn): how much of a counted type one task
    by the plan consumes. The technical day sums them over its tasks against the unit's lots."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="parts")
    part_type = models.ForeignKey(
        "catalog.EquipmentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("phụ tùng, vật tư")
    )
    quantity = models.PositiveIntegerField(_("số lượng mỗi lần"))

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("phụ tùng tiêu chuẩn")
        constraints = [models.UniqueConstraint(fields=["plan", "part_type"], name="unique_part_per_plan")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.quantity} × {self.part_type_id}"


# -- the technical day (ngày kỹ thuật) ------------------------------------------------------------
class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Hằng tuần")
    MONTHLY = "monthly", _("Hằng tháng")


class Weekday(models.IntegerChoices):  # date.weekday(): Monday is 0
    MONDAY = 0, _("Thứ Hai")
    TUESDAY = 1, _("Thứ Ba")
    WEDNESDAY = 2, _("Thứ Tư")
    THURSDAY = 3, _("Thứ Năm")
    FRIDAY = 4, _("Thứ Sáu")
    SATURDAY = 5, _("Thứ Bảy")
    SUNDAY = 6, _("Chủ nhật")


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, _("Tuần thứ nhất")
    SECOND = 2, _("Tuần thứ hai")
    THIRD = 3, _("Tuần thứ ba")
    FOURTH = 4, _("Tuần thứ tư")
    LAST = 5, _("Tuần cuối")


class DayPart(models.TextChoices):
    MORNING = "morning", _("Buổi sáng")
    AFTERNOON = "afternoon", _("Buổi chiều")


class TechnicalDaySchedule(models.Model):
    """When a unit holds its technical day: every week on a weekday, or every month on the weekday
    of a week (the first Friday, the last Saturday), in the morning or the afternoon."""

    unit = models.OneToOneField(
        "units.Unit", on_delete=models.PROTECT, related_name="technical_day_schedule", verbose_name=_("đơn vị")
    )
    frequency = models.CharField(_("chu kỳ"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(_("thứ trong tuần"), choices=Weekday.choices, default=Weekday.FRIDAY)
    week_of_month = models.PositiveSmallIntegerField(
        _("tuần trong tháng"), choices=WeekOfMonth.choices, null=True, blank=True
    )
    part_of_day = models.CharField(_("buổi"), max_length=10, choices=DayPart.choices, default=DayPart.MORNING)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lịch ngày kỹ thuật")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.frequency} {self.weekday}"


class SessionState(models.TextChoices):
    PLANNED = "planned", _("Đã lập kế hoạch")
    DONE = "done", _("Đã thực hiện")


class TechnicalDaySession(models.Model):
    """One technical day of a unit (buổi ngày kỹ thuật): its tasks planned, then its results recorded
    once, every event of them written in one transaction and linked by `TechnicalDayLine`s."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="technical_days", verbose_name=_("đơn vị")
    )
    held_on = models.DateField(_("ngày thực hiện"))
    part_of_day = models.CharField(_("buổi"), max_length=10, choices=DayPart.choices, default=DayPart.MORNING)
    state = models.CharField(_("trạng thái"), max_length=10, choices=SessionState.choices, default=SessionState.PLANNED)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)  # raised by every change: a stale form is refused
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("ngày kỹ thuật")
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.held_on}"


class TechnicalDayTask(models.Model):
    """One task of a session: an item maintained by one plan, who does it, and once recorded its result."""

    session = models.ForeignKey(TechnicalDaySession, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField()
    item = models.ForeignKey("equipment.Item", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(MaintenancePlan, on_delete=models.PROTECT, related_name="+")
    staff = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    done = models.BooleanField(null=True)  # None until the results are recorded
    reason = models.CharField(_("lý do chưa làm"), max_length=300, blank=True)
    notes = models.CharField(_("các bước không đạt"), max_length=500, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "item", "plan"], name="unique_task_per_session")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.item_id}/{self.plan_id}"


class TechnicalDayLine(EventLine):
    """An event a session's results wrote: a maintenance done or a meter reading (ledger.records)."""

    record = models.ForeignKey(TechnicalDaySession, on_delete=models.PROTECT, related_name="lines")
