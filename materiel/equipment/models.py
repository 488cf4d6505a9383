"""The register as it is now: serialised items and counted lots.

These rows are projections of the ledger. Only the ledger services write them (ledger.services,
ledger.batch); `materiel verify` proves they equal a replay of the events.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from materiel.core.scoped import ScopedQuerySet


class Status(models.TextChoices):
    IN_SERVICE = "in_service", _("Đang sử dụng")
    IN_REPAIR = "in_repair", _("Đang sửa chữa")
    SEALED = "sealed", _("Niêm cất")
    AWAITING_DISPOSAL = "awaiting_disposal", _("Chờ thanh lý")
    DISPOSED = "disposed", _("Đã thanh lý")
    LOST = "lost", _("Mất")
    # A receipt reversed as entered by mistake: the item never existed. Counted nowhere.
    VOID = "void", _("Đã hủy (ghi nhầm)")


class Kit(models.TextChoices):
    """An item's completeness (đồng bộ), kept with its state: its kit is whole, or a part of it is
    damaged, or a part is missing (missing wins when both)."""

    COMPLETE = "", _("Đủ đồng bộ")
    DAMAGED = "damaged", _("Có phần hỏng")
    MISSING = "missing", _("Thiếu đồng bộ")


# Statuses that are still part of a unit's holdings (what counts, what the coefficients count).
HOLDINGS = (Status.IN_SERVICE, Status.IN_REPAIR, Status.SEALED, Status.AWAITING_DISPOSAL)
TERMINAL = (Status.DISPOSED, Status.VOID)


class Purpose(models.TextChoices):
    IN_USE = "in_use", _("Sử dụng thường xuyên")
    COMBAT_RESERVE = "combat_reserve", _("Dự trữ sẵn sàng chiến đấu")
    RESERVE = "reserve", _("Dự trữ")


class Item(models.Model):
    """A serialised item (trang bị quản lý theo số hiệu) and its current state."""

    equipment_type = models.ForeignKey(
        "catalog.EquipmentType", on_delete=models.PROTECT, related_name="items", verbose_name=_("chủng loại")
    )
    serial = models.CharField(_("số hiệu"), max_length=80)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="items", verbose_name=_("đơn vị"))
    holder = models.CharField(_("người giữ"), max_length=150, blank=True)
    grade = models.PositiveSmallIntegerField(_("cấp chất lượng"))
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    purpose = models.CharField(_("mục đích"), max_length=20, choices=Purpose.choices, default=Purpose.IN_USE)
    year_made = models.PositiveSmallIntegerField(_("năm sản xuất"), null=True, blank=True)
    origin = models.CharField(_("nước sản xuất"), max_length=80, blank=True)
    entered_service_on = models.DateField(_("ngày đưa vào sử dụng"), null=True, blank=True)
    received_on = models.DateField(_("ngày tiếp nhận"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    # Completeness (đồng bộ): a projection like grade and status, moved only by `kit` events.
    kit = models.CharField(_("đồng bộ"), max_length=10, choices=Kit.choices, default=Kit.COMPLETE, blank=True)
    search_key = models.CharField(max_length=400, editable=False)
    # Ledger bookkeeping: date of the latest effective event (events are kept in date order),
    # the head of this item's hash chain, and a version for optimistic concurrency.
    last_event_on = models.DateField(editable=False)
    chain_head = models.CharField(max_length=64, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("trang bị")
        verbose_name_plural = _("trang bị")
        constraints = [
            models.UniqueConstraint(
                fields=["equipment_type", "serial"], condition=~Q(status="void"), name="unique_serial_per_type"
            ),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="item_grade_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["unit", "equipment_type", "grade", "status"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["serial"]),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_type} – {self.serial}"


class Lot(models.Model):
    """Counted stock (ammunition, materials) of one type, unit, grade and lot number."""

    equipment_type = models.ForeignKey(
        "catalog.EquipmentType", on_delete=models.PROTECT, related_name="lots", verbose_name=_("chủng loại")
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="lots", verbose_name=_("đơn vị"))
    lot_number = models.CharField(_("số lô"), max_length=80, blank=True)
    grade = models.PositiveSmallIntegerField(_("cấp chất lượng"))
    quantity = models.BigIntegerField(_("số lượng"), default=0)
    last_event_on = models.DateField(editable=False)
    chain_head = models.CharField(max_length=64, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lô hàng")
        constraints = [
            models.UniqueConstraint(fields=["equipment_type", "unit", "lot_number", "grade"], name="unique_lot"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="lot_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return gettext("%(type)s – lô %(lot)s – cấp %(grade)s") % {
            "type": self.equipment_type,
            "lot": self.lot_number or "—",
            "grade": self.grade,
        }


class ItemMeter(models.Model):
    """The latest reading of one meter (km, engine hours, rounds) of an item."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="meters")
    meter = models.CharField(max_length=20)
    value = models.DecimalField(max_digits=14, decimal_places=1)
    read_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "meter"], name="unique_item_meter")]


class ItemKitShortage(models.Model):
    """What is missing or damaged of an item's standard kit, after its latest `kit` event (a
    projection of the ledger: `ledger.register_kinds.KIT_PROJECTION` keeps it, verify replays it)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="kit_shortages")
    line = models.ForeignKey("catalog.KitLine", on_delete=models.PROTECT, related_name="+")
    missing = models.PositiveSmallIntegerField(default=0)
    damaged = models.PositiveSmallIntegerField(default=0)
    since = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "line"], name="unique_item_kit_line")]
