"""Work orders (phiếu công việc) and the repair reference data they name.

A `WorkOrder` covers the maintenance or the repair of one or several items of one unit. It moves
draft → open → in progress → done or cancelled, each move kept in its `StateChange` log (append-only).
Its labour and parts are entered while it is open; closing it writes the ledger events (maintenance
done, meter readings, repair end with the grade after, the parts out of their lots) in one
transaction, each linked to the order by a `WorkOrderLine` (ledger.records.EventLine). A repair
order names its fault, level and executing facility; starting it writes the items' repair start.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from materiel.core.records import AppendOnlyModel, AppendOnlyQuerySet
from materiel.core.scoped import ScopedQuerySet
from materiel.ledger.records import EventLine


class OrderKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Bảo dưỡng")
    REPAIR = "repair", _("Sửa chữa")


class OrderState(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    OPEN = "open", _("Đã mở")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


# The moves a user may ask for; DONE is reached only by closing (services.close_order).
MOVES: dict[str, tuple[str, ...]] = {
    OrderState.DRAFT: (OrderState.OPEN, OrderState.CANCELLED),
    OrderState.OPEN: (OrderState.IN_PROGRESS, OrderState.CANCELLED),
    OrderState.IN_PROGRESS: (OrderState.CANCELLED,),
}
CLOSED = (OrderState.DONE, OrderState.CANCELLED)


class FacilityKind(models.TextChoices):
    UNIT = "unit", _("Đơn vị tự sửa")
    STATION = "station", _("Trạm sửa chữa")
    WORKSHOP = "workshop", _("Xưởng sửa chữa")
    FACTORY = "factory", _("Nhà máy")


class RepairLevel(models.Model):
    """A repair level (sửa chữa nhỏ / vừa / lớn) and the kinds of facility that may perform it."""

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên cấp sửa chữa"), max_length=80, unique=True)
    facility_kinds = models.JSONField(_("cơ sở được thực hiện"), default=list)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("cấp sửa chữa")

    def __str__(self) -> str:
        return self.name

    def kind_labels(self) -> list[str]:
        return [str(FacilityKind(k).label) for k in FacilityKind.values if k in self.facility_kinds]


class FacilityQuerySet(models.QuerySet):
    def usable_by(self, user) -> "FacilityQuerySet":
        """Outside organisations, and the tree's facilities the user sees or that stand above the
        user's unit (a military region's repair station serves its provinces): never a sibling's."""
        from materiel.units.models import Unit

        if user.is_superuser:
            return self
        seen = Unit.objects.visible_to(user)
        above = user.unit.ancestor_paths() if user.unit is not None else []
        return self.filter(models.Q(unit__isnull=True) | models.Q(unit__in=seen) | models.Q(unit__path__in=above))


class Facility(models.Model):
    """Where repairs are done: a unit of the tree, or a named outside organisation (a factory)."""

    name = models.CharField(_("tên cơ sở sửa chữa"), max_length=150, unique=True)
    kind = models.CharField(_("loại cơ sở"), max_length=20, choices=FacilityKind.choices)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("đơn vị")
    )

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cơ sở sửa chữa")

    def __str__(self) -> str:
        return self.name


class WorkOrderQuerySet(ScopedQuerySet):
    unit_field = "unit"


class WorkOrder(models.Model):
    """A work order (phiếu công việc) of one unit: maintenance or repair of its items."""

    number = models.CharField(_("số phiếu"), max_length=40)
    year = models.PositiveSmallIntegerField()
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại phiếu"), max_length=20, choices=OrderKind.choices)
    title = models.CharField(_("nội dung công việc"), max_length=200)
    state = models.CharField(_("trạng thái"), max_length=20, choices=OrderState.choices, default=OrderState.DRAFT)
    opened_on = models.DateField(_("ngày lập phiếu"))
    results = models.TextField(_("kết quả thực hiện"), blank=True)
    closed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    # Repairs only.
    fault = models.CharField(_("hư hỏng"), max_length=300, blank=True)
    level = models.ForeignKey(
        RepairLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("cấp sửa chữa")
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("cơ sở sửa chữa")
    )
    cost = models.DecimalField(_("chi phí (đồng)"), max_digits=14, decimal_places=0, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Each change bumps it; a form or a call that saw an older one is refused (ConflictError).
    version = models.PositiveIntegerField(default=1)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("phiếu công việc")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="unique_work_order_number")]
        indexes = [models.Index(fields=["state", "kind"])]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED

    @property
    def is_repair(self) -> bool:
        return self.kind == OrderKind.REPAIR


class OrderItem(models.Model):
    """An item of the order, with the plan it is maintained by (maintenance) and its grades (repair)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    item = models.ForeignKey("equipment.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("trang bị"))
    plan = models.ForeignKey(
        "maintenance.MaintenancePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kế hoạch bảo dưỡng"),
    )
    grade_before = models.PositiveSmallIntegerField(_("cấp trước sửa chữa"), null=True, blank=True)
    grade_after = models.PositiveSmallIntegerField(_("cấp sau sửa chữa"), null=True, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "item", "plan"], name="unique_order_item_plan"),
        ]


class Labour(models.Model):
    """Labour on the order: who (a name until the people register exists) and how many hours."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="labour")
    position = models.PositiveIntegerField()
    person = models.CharField(_("người thực hiện"), max_length=150)
    hours = models.DecimalField(_("số giờ công"), max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["order", "position"]


class Part(models.Model):
    """A spare part consumed: a quantity out of one of the order's unit's lots, issued at close."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveIntegerField()
    lot = models.ForeignKey("equipment.Lot", on_delete=models.PROTECT, related_name="+", verbose_name=_("lô vật tư"))
    quantity = models.PositiveIntegerField(_("số lượng"))

    class Meta:
        ordering = ["order", "position"]


class StateChangeQuerySet(AppendOnlyQuerySet):
    pass


class StateChange(AppendOnlyModel):
    """One move of an order's state: who, when, from, to (append-only)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="changes")
    from_state = models.CharField(max_length=20, choices=OrderState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=OrderState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    objects = StateChangeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]


class WorkOrderLine(EventLine):
    """An event the order wrote: its repair start, and at close its readings, maintenances, repair
    end and parts issued."""

    record = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="event_lines")
